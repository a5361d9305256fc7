"""The one composition root: settings in, adapters wired into services out."""

from __future__ import annotations

import json
import logging
import os
import secrets
import subprocess
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cached_property, partial
from types import ModuleType
from typing import TYPE_CHECKING, Any, cast

from cadenza.adapters.blobs.local import LocalBlobStore
from cadenza.adapters.work_dir import WorkDirClaim
from cadenza.config import Settings

# Each service and adapter is imported by the property that makes it, on first use: a command
# imports only what it touches, and the HTTP process what its requests need (docs/architecture.md,
# "Start-up and footprint"). Here only for the type checker; Redis, zxcvbn and Alembic likewise.
if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor

    from sqlalchemy import Engine
    from sqlalchemy.orm import Session, sessionmaker

    from cadenza.adapters.db.unit_of_work import SqlUnitOfWork
    from cadenza.adapters.demo_progress import DemoProgressFile
    from cadenza.adapters.events.bus import RedisBus
    from cadenza.adapters.events.jetstream import JetStreamLog
    from cadenza.adapters.payments.local import LocalPaymentProvider
    from cadenza.adapters.security.breached import CommonPasswords, ZxcvbnEstimator
    from cadenza.adapters.security.hashing import Argon2PasswordHasher
    from cadenza.domain.catalog import Viewer
    from cadenza.domain.entitlements import Context, Entitlements
    from cadenza.domain.events import Event
    from cadenza.domain.plans import PriceList
    from cadenza.domain.served_audio import ServedAudio
    from cadenza.ingest.pipeline import IngestTools
    from cadenza.ingest.source import ZipLimits
    from cadenza.ports.artists import ProfileImages
    from cadenza.ports.audio import AudioProbe, CoverArt, Transcoder
    from cadenza.ports.audio_offset import AudioFromOffset
    from cadenza.ports.blobs import BlobStore
    from cadenza.ports.cards import CardPainter
    from cadenza.ports.devices import PlayerEvents
    from cadenza.ports.mail import Mailer
    from cadenza.ports.oauth import OAuthProtocol
    from cadenza.ports.recommendations import TasteSignals
    from cadenza.ports.scrobblers import RemoteScrobblers, SecretBox
    from cadenza.recs.build import Progress, Trained
    from cadenza.recs.mirror import ModelMirror
    from cadenza.recs.served import ServedModel
    from cadenza.services.accounts import AccountService, ExportPart, PasswordRules
    from cadenza.services.ad_campaigns import AdCampaigns
    from cadenza.services.admin import AccountAdmin
    from cadenza.services.ads import AdBreaks
    from cadenza.services.app_access import AppAccess
    from cadenza.services.artist_claims import ArtistClaims
    from cadenza.services.artist_pages import ArtistPages
    from cadenza.services.artist_stats import ArtistStats
    from cadenza.services.artists import ArtistProfiles
    from cadenza.services.billing_clock import BillingClock
    from cadenza.services.blends import Blends
    from cadenza.services.blob_sweep import BlobSweep
    from cadenza.services.catalog import CatalogService
    from cadenza.services.charging import Charging
    from cadenza.services.charts import Charts
    from cadenza.services.collection import Collection
    from cadenza.services.ddex_deliveries import DdexDeliveries
    from cadenza.services.deal_clock import DealClock
    from cadenza.services.deliveries import DeliveryService
    from cadenza.services.devices import DeviceRegistry
    from cadenza.services.distributors import DistributorAccess
    from cadenza.services.download_grants import DownloadGrants
    from cadenza.services.episode_remote import EpisodeRemote
    from cadenza.services.event_archive import EventArchive
    from cadenza.services.external_sign_in import ExternalSignIn
    from cadenza.services.fraud import FraudWatch
    from cadenza.services.grant_log import GrantLog
    from cadenza.services.history_import import HistoryImports
    from cadenza.services.listening import ListeningService
    from cadenza.services.login_guard import LoginGuard
    from cadenza.services.memberships import PlanMembers
    from cadenza.services.messagebus import MessageBus
    from cadenza.services.mixes import Mixes
    from cadenza.services.oauth_apps import OAuthApps
    from cadenza.services.offline import OfflineDownloads
    from cadenza.services.offline_keys import OfflineKeys
    from cadenza.services.outgoing_mail import MailDelivery
    from cadenza.services.passwords import PasswordService
    from cadenza.services.peer_delivery import PeerDelivery
    from cadenza.services.pitches import Pitches
    from cadenza.services.plan_grants import PlanGrants
    from cadenza.services.player import Player
    from cadenza.services.playlists import Playlists
    from cadenza.services.podcast_hosting import PodcastHosting
    from cadenza.services.podcast_listening import PodcastListening
    from cadenza.services.podcasts import Podcasts
    from cadenza.services.recommendations import Recommendations
    from cadenza.services.reentry import PasswordReentry
    from cadenza.services.release_radar import ReleaseRadar
    from cadenza.services.remote import RemoteControl
    from cadenza.services.rip_watch import RipWatch
    from cadenza.services.room_episodes import RoomEpisodes
    from cadenza.services.rooms import Rooms
    from cadenza.services.rooms_live import LiveRooms
    from cadenza.services.royalties import Royalties
    from cadenza.services.royalty_clock import RoyaltyClock
    from cadenza.services.scrobble_forwarding import ScrobbleForwarding
    from cadenza.services.scrobbling import Scrobbling
    from cadenza.services.search import SearchService
    from cadenza.services.sessions import SessionService
    from cadenza.services.share_previews import SharePreviews
    from cadenza.services.shelf import Shelf
    from cadenza.services.social import Social
    from cadenza.services.spoken import SpokenCommands
    from cadenza.services.stream_access import StreamAccess
    from cadenza.services.stream_grants import StreamGrants
    from cadenza.services.stream_tickets import StreamTickets
    from cadenza.services.students import AdminApprovalQueue
    from cadenza.services.subscriptions import SubscriptionService
    from cadenza.services.takedowns import Takedowns
    from cadenza.services.taste import TasteService
    from cadenza.services.taste_picks import TastePicks
    from cadenza.services.two_factor import TwoFactorService

log = logging.getLogger(__name__)
WORKER_MODULES = [
    "cadenza.adapters.audio.probe",
    "cadenza.adapters.audio.transcode",
    "cadenza.adapters.audio.covers",
]


def event_handlers() -> dict[type[Event], list[Callable[[App, Any], None]]]:
    """Who reacts to what: the whole flow between services, in one table. A handler takes the
    App (so a service is made only when an event first needs it) and the event. The events'
    classes are imported by the first publisher (the message bus), not at the start."""
    from cadenza.domain.events import (
        AccountClosing,
        PlanChanged,
        PlayCounted,
        PlayerChanged,
        ReleasePublished,
        ReleaseRestored,
        ReleaseTakenDown,
        TrackFinished,
    )

    return {
        # With CADENZA_NATS_URL the stream's consumers search-popularity and artist-stats read
        # it (services/play_consumers.py); without, their jobs read the counted plays.
        PlayCounted: [],
        TrackFinished: [
            lambda app, event: app.player.track_finished(event),  # the player moves on
            lambda app, event: app.ads.track_finished(event),  # a song heard brings a break closer
            lambda app, event: app.scrobble_forwarding.track_finished(event),  # to ListenBrainz...
        ],
        PlayerChanged: [lambda app, event: app.remote.player_changed(event)],  # devices hear of it
        ReleasePublished: [],  # searchable in the publishing transaction already
        ReleaseTakenDown: [],  # gone from search in the takedown's transaction already
        ReleaseRestored: [],
        PlanChanged: [],
        AccountClosing: [lambda app, event: app.subscriptions.account_closing(event)],
    }


BACKGROUND_AFTER_S = 1.0  # the background work starts after the first answer, or this long
MAIL_POLL_S = 5.0  # as often as the mail worker looks for mail due (a commit wakes it too)
FORWARD_POLL_S = 10.0  # as often as scrobble forwarding looks for plays due


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


@dataclass
class App:
    settings: Settings
    blobs: BlobStore
    shared_engine: Engine | None = None  # an engine made by someone else (tests share one)
    clock: SystemClock = field(default_factory=SystemClock)
    shared_pool: Executor | None = None  # a pool owned by someone else (tests share one)
    mail_queued: threading.Event = field(default_factory=threading.Event)
    background: list[threading.Event] = field(default_factory=list)  # set by close()
    work_claim: WorkDirClaim | None = None  # sweeps a killed server's work folders at start
    made_at: datetime = field(default_factory=lambda: datetime.now(UTC), init=False)
    # Set by the HTTP app once it answered its first request: the background work starts then
    # (or after BACKGROUND_AFTER_S), so a server's first answer does not share the start's CPU
    # with the imports the clocks need.
    first_answer: threading.Event = field(default_factory=threading.Event, init=False)
    _opening: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)
    _when_opened: list[Callable[[], None]] | None = field(
        default_factory=list, init=False, repr=False
    )

    @property
    def engine(self) -> Engine:
        """SQLAlchemy's engine over CADENZA_DATABASE_URL, made (and SQLAlchemy imported, about
        a fifth of a server's start) by the first use: on SQLite a server's start and its first
        /healthz read through the database's own driver (adapters/db/driver.py)."""
        engine = self._made_engine()
        if engine is None:
            with self._opening:
                engine = self._made_engine()
                if engine is None:
                    from cadenza.adapters.db.engine import make_engine

                    url = self.settings.resolved_database_url
                    engine = make_engine(
                        url,
                        self.settings.db_pool_size,
                        transaction_pooler=self.settings.transaction_pooler,
                    )
                    self._opened()
                    self.__dict__["own_engine"] = engine
        return engine

    def _made_engine(self) -> Engine | None:
        given = self.shared_engine
        return given if given is not None else self.__dict__.get("own_engine")

    @property
    def engine_made(self) -> bool:
        return self._made_engine() is not None

    def database_answers(self) -> bool:
        """SELECT 1: through the engine once made (SQLAlchemy's OperationalError when the
        database is away), before that on SQLite through its own driver (False when away): a
        server's first /healthz needs no SQLAlchemy."""
        if not self.engine_made:
            from cadenza.adapters.db.driver import answers

            answered = answers(self.settings.resolved_database_url)
            if answered is not None:
                return answered
        with self.engine.connect() as connection:
            connection.exec_driver_sql("SELECT 1").scalar()
        return True

    def when_database_opened(self, hook: Callable[[], None]) -> None:
        """`hook` once SQLAlchemy is imported and an engine of this App made (at once if it is
        already), before that engine answers anything: e.g. the API's answer to its errors."""
        with self._opening:
            if self._when_opened is not None and not self.engine_made:
                self._when_opened.append(hook)
                return
        hook()

    def _opened(self) -> None:  # with self._opening held
        hooks, self._when_opened = self._when_opened or [], None
        for hook in hooks:
            hook()

    @cached_property
    def db_sessions(self) -> sessionmaker[Session]:
        # the ORM and the tables' classes: with the first request that reads through them, not
        # at the server's start (/healthz and the start's checks are plain SQL)
        from cadenza.adapters.db.unit_of_work import session_factory

        return session_factory(self.engine)

    def uow(self) -> SqlUnitOfWork:
        from cadenza.adapters.db.unit_of_work import SqlUnitOfWork

        return SqlUnitOfWork(self.db_sessions, self.mail_queued.set)

    @cached_property
    def replica_engine(self) -> Engine | None:
        """The streaming replica (CADENZA_DATABASE_REPLICA_URL) for read-mostly queries."""
        url = self.settings.database_replica_url
        if not url:
            return None
        from cadenza.adapters.db.engine import make_engine

        with self._opening:
            self._opened()  # its errors too are answered as the primary's
        return make_engine(
            url, self.settings.db_pool_size, transaction_pooler=self.settings.transaction_pooler
        )

    @cached_property
    def replica_sessions(self) -> sessionmaker[Session]:
        from cadenza.adapters.db.unit_of_work import session_factory

        return session_factory(self.replica_engine or self.engine)

    def read_uow(self) -> SqlUnitOfWork:
        """A unit of work for queries that may read a moment behind the primary (catalog
        pages, search, statistics): on the replica when there is one. Never for what must
        read its own writes."""
        if self.replica_engine is None:
            return self.uow()
        from cadenza.adapters.db.unit_of_work import SqlUnitOfWork

        return SqlUnitOfWork(self.replica_sessions, self.mail_queued.set)

    @cached_property
    def messages(self) -> MessageBus:
        """The message bus services publish their domain events on (see event_handlers)."""
        from cadenza.services.messagebus import MessageBus

        stream = None
        if self.event_log is not None:  # CADENZA_NATS_URL: every event to JetStream too
            from cadenza.services.domain_stream import LoggedEvents

            stream = LoggedEvents(self.event_log)
        return MessageBus(
            {
                kind: [partial(handler, self) for handler in found]
                for kind, found in event_handlers().items()
            },
            stream,
        )

    @cached_property
    def event_log(self) -> JetStreamLog | None:
        """The durable event stream, NATS JetStream (CADENZA_NATS_URL); None without it."""
        s = self.settings
        if not s.nats_url:
            return None
        from cadenza.adapters.events.jetstream import JetStreamLog

        return JetStreamLog(
            s.nats_url, s.nats_prefix, s.nats_ack_timeout_s, s.nats_redeliver_after_s
        )

    @cached_property
    def event_archive(self) -> EventArchive:
        """Listening events as Parquet per day: pyarrow is imported here, so only by the
        archive job and `cadenza events archive` (the server's clock runs them as a child)."""
        from cadenza.adapters.archive.parquet import ParquetEventFiles
        from cadenza.services.event_archive import EventArchive

        return EventArchive(
            self.uow, self.clock, self.blobs, ParquetEventFiles(), self.settings.work_dir
        )

    def start_consumers(self, only: Iterable[str] | None = None) -> threading.Event:
        """The durable consumers of the event stream this process runs (none without one), or
        `only` those named: `counting`, which judges and counts the listening events, then
        `search-popularity` and `artist-stats`, which bring search's popularity and the
        artists' statistics up to date from the counted plays (services/play_consumers.py).
        Set the event to stop."""
        stop = threading.Event()
        if self.event_log is not None:
            from cadenza.domain.event_stream import (
                ARTIST_STATS,
                CONSUMERS,
                COUNTING,
                LISTENING,
                PLAY_COUNTED,
                POPULARITY,
            )
            from cadenza.services.listening_stream import Counting
            from cadenza.services.play_consumers import PopularityConsumer, StatsConsumer

            wanted = set(CONSUMERS if only is None else only)
            if COUNTING in wanted:
                counting = Counting(self.listening)
                self.event_log.consume(COUNTING, f"{LISTENING}.>", counting.handle, stop)
            if POPULARITY in wanted:  # the services are made when a counted play first comes
                search = PopularityConsumer(
                    lambda tracks, now, rank: self.search.recount_popularity(tracks, now, rank),
                    self.clock,
                )
                self.event_log.consume(POPULARITY, PLAY_COUNTED, search.handle, stop)
            if ARTIST_STATS in wanted:
                stats = StatsConsumer(lambda: self.artist_stats.roll_up(streams_only=True))
                self.event_log.consume(ARTIST_STATS, PLAY_COUNTED, stats.handle, stop)
        return stop

    @cached_property
    def catalog(self) -> CatalogService:
        from cadenza.services.catalog import CatalogService

        return CatalogService(self.read_uow)  # reads only: a replica may answer

    @cached_property
    def search(self) -> SearchService:
        from cadenza.services.search import SearchService

        return SearchService(self.uow, self.read_uow)

    @cached_property
    def takedowns(self) -> Takedowns:
        from cadenza.services.takedowns import Takedowns

        return Takedowns(self.uow, self.clock, self.messages.publish)

    @cached_property
    def ddex(self) -> DdexDeliveries:
        from cadenza.services.ddex_deliveries import DdexDeliveries

        return DdexDeliveries(
            self.ingest_tools,
            self.takedowns,
            self.settings.data_dir / "uploads",
            self.zip_limits,
            self.messages.publish,
            self.deal_clock,
        )

    @cached_property
    def deal_clock(self) -> DealClock:
        """Opens and closes DDEX releases' territories on their deals' dates."""
        from cadenza.services.deal_clock import DealClock

        return DealClock(self.uow, self.clock, self.takedowns)

    @cached_property
    def deliveries(self) -> DeliveryService:
        from cadenza.services.deliveries import DeliveryService

        return DeliveryService(
            self.uow,
            self.ingest_tools,
            self.settings.data_dir / "uploads",
            self.zip_limits,
            self.messages.publish,
        )

    @cached_property
    def hasher(self) -> Argon2PasswordHasher:
        from cadenza.adapters.security.hashing import Argon2PasswordHasher

        return Argon2PasswordHasher()

    @cached_property
    def mailer(self) -> Mailer:
        from cadenza.adapters.mail import mailer_from_settings

        s = self.settings
        return mailer_from_settings(s.smtp_url, s.data_dir, s.mail_from)

    @cached_property
    def outgoing_mail(self) -> MailDelivery:
        """Delivers the mail queue; started by the HTTP server, drained by close()."""
        from cadenza.services.outgoing_mail import MailDelivery

        return MailDelivery(self.uow, self.mailer, self.clock, self.mail_queued)

    @cached_property
    def history_imports(self) -> HistoryImports:
        """Bring your history: imports of Spotify, ListenBrainz and Last.fm files."""
        from cadenza.services.history_import import HistoryImports

        s = self.settings
        return HistoryImports(
            self.uow,
            self.clock,
            max_expanded_bytes=s.history_expanded_max_bytes,
            max_plays=s.history_max_plays,
        )

    @cached_property
    def scrobbling(self) -> Scrobbling:
        """Plays sent by scrobbling apps to the ListenBrainz-compatible `/1` API."""
        from cadenza.services.scrobbling import Scrobbling

        return Scrobbling(self.uow, self.clock)

    @cached_property
    def scrobble_forwarding(self) -> ScrobbleForwarding:
        """A listener's plays forwarded to ListenBrainz or Last.fm (httpx, loaded when used)."""
        from cadenza.services.scrobble_forwarding import ScrobbleForwarding

        return ScrobbleForwarding(
            self.uow, self.clock, lambda: self.remote_scrobblers, lambda: self.secret_box
        )

    @cached_property
    def remote_scrobblers(self) -> RemoteScrobblers:
        from cadenza.adapters.scrobblers import HttpScrobblers

        s = self.settings
        return HttpScrobblers(
            s.listenbrainz_url,
            s.lastfm_url,
            s.lastfm_api_key,
            s.lastfm_api_secret,
            timeout_s=s.scrobble_timeout_s,
            lastfm_auth_url=s.lastfm_auth_url,
        )

    @cached_property
    def secret_box(self) -> SecretBox:
        from cadenza.adapters.security.sealed import FernetBox

        return FernetBox(self._secret("sealed-secrets.key"))

    @cached_property
    def password_rules(self) -> PasswordRules:
        from cadenza.domain.passwords import check_password

        def rules(password: str, email: str, display_name: str) -> None:
            # The lists (zxcvbn's dictionaries: megabytes) are loaded when a password is first
            # set, not by every process that signs people in or lists accounts.
            common, strength = self._password_lists
            check_password(
                password,
                email=email,
                display_name=display_name,
                is_common=common.is_common,
                estimate=strength.estimate,
            )

        return rules

    @cached_property
    def _password_lists(self) -> tuple[CommonPasswords, ZxcvbnEstimator]:
        from cadenza.adapters.security.breached import CommonPasswords, ZxcvbnEstimator

        return CommonPasswords(), ZxcvbnEstimator()

    @cached_property
    def accounts(self) -> AccountService:
        from cadenza.services.accounts import AccountService

        export_parts: list[ExportPart] = [
            lambda account_id: self.subscriptions.export(account_id),
            lambda account_id: self.listening.export(account_id),
            lambda account_id: self.ads.export(account_id),
            lambda account_id: {"library": self.collection.export(account_id)},
            lambda account_id: {"playlists": self.playlists.export(account_id)},
            lambda account_id: {"social": self.social.export(account_id)},
            lambda account_id: self.history_imports.export(account_id),
            lambda account_id: {"apps": self.oauth_apps.export(account_id)},
        ]
        return AccountService(
            self.uow,
            self.hasher,
            self.clock,
            self.password_rules,
            self.settings.public_url,
            self.reentry,
            export_parts,
            self.messages.publish,
        )

    @cached_property
    def reentry(self) -> PasswordReentry:
        from cadenza.services.reentry import PasswordReentry

        return PasswordReentry(self.uow, self.hasher, self.login_guard)

    @cached_property
    def login_guard(self) -> LoginGuard:
        from cadenza.services.login_guard import LoginGuard
        from cadenza.services.proof_of_work import ProofOfWork

        return LoginGuard(
            self.uow, self.clock, ProofOfWork(self._secret("challenge.key"), self.clock, self.uow)
        )

    @cached_property
    def sessions(self) -> SessionService:
        from cadenza.adapters.security.totp import PyotpTotp
        from cadenza.services.access_tokens import AccessTokens
        from cadenza.services.sessions import SessionService

        return SessionService(
            self.uow,
            self.hasher,
            self.clock,
            AccessTokens(self._secret("token-signing.key")),
            self.login_guard,
            PyotpTotp(),
            self.passwords.lock_link,
        )

    @cached_property
    def oauth_apps(self) -> OAuthApps:
        from cadenza.services.oauth_apps import OAuthApps

        return OAuthApps(self.uow, self.clock)

    @cached_property
    def oauth_server(self) -> OAuthProtocol:
        from cadenza.adapters.security.oauth_server import OAuthServer

        return OAuthServer(self.uow, self.clock, self.settings.public_url)

    @cached_property
    def external_sign_in(self) -> ExternalSignIn:
        from cadenza.adapters.security.oidc_client import OpenIdRelyingParty
        from cadenza.adapters.security.totp import PyotpTotp
        from cadenza.services.access_tokens import AccessTokens
        from cadenza.services.external_sign_in import ExternalSignIn, parse_providers

        configured = self.settings.oidc_providers
        return ExternalSignIn(
            self.uow,
            self.clock,
            AccessTokens(self._secret("token-signing.key")),
            self.hasher,
            OpenIdRelyingParty(),
            parse_providers(configured.get_secret_value() if configured else None),
            self.settings.public_url,
            (self.settings.default_country or "US").upper(),
            PyotpTotp(),
        )

    @cached_property
    def passwords(self) -> PasswordService:
        from cadenza.services.passwords import PasswordService

        return PasswordService(
            self.uow,
            self.hasher,
            self.clock,
            self.password_rules,
            self.settings.public_url,
            self.reentry,
        )

    @cached_property
    def payments(self) -> LocalPaymentProvider:
        from cadenza.adapters.payments.local import LocalPaymentProvider

        return LocalPaymentProvider(
            self.db_sessions,
            self._secret("payments.key"),
            self.clock,
            self.settings.public_url,
        )

    @cached_property
    def prices(self) -> PriceList:
        from cadenza.domain.plans import PriceList

        raw = self.settings.plan_prices
        return PriceList.from_json(json.loads(raw)) if raw else PriceList()

    @cached_property
    def entitlements(self) -> Entitlements:
        from cadenza.domain.entitlements import AdRules, Entitlements

        s = self.settings
        return Entitlements(AdRules(songs=s.ad_break_songs, minutes=s.ad_break_minutes))

    @cached_property
    def subscriptions(self) -> SubscriptionService:
        from cadenza.services.subscriptions import SubscriptionService

        return SubscriptionService(
            self.uow,
            self.payments,
            self.prices,
            self.clock,
            self.charging,
            self.students,
            self.messages.publish,
        )

    @cached_property
    def charging(self) -> Charging:
        from cadenza.services.charging import Charging
        from cadenza.services.outgoing_mail import QueueMailer

        return Charging(
            self.uow,
            self.payments,
            self.prices,
            self.clock,
            QueueMailer(self.uow, self.clock),
            self.settings.public_url,
            self.messages.publish,
        )

    @cached_property
    def blob_sweep(self) -> BlobSweep:
        from cadenza.services.blob_sweep import BlobSweep

        grace = timedelta(hours=self.settings.blob_sweep_grace_hours)
        return BlobSweep(self.uow, self.blobs, self.clock, grace)

    @cached_property
    def billing(self) -> BillingClock:
        from cadenza.services.billing_clock import BillingClock

        return BillingClock(self.uow, self.charging, self.prices, self.clock, self.students)

    @cached_property
    def students(self) -> AdminApprovalQueue:
        from cadenza.services.students import AdminApprovalQueue

        return AdminApprovalQueue(self.uow, self.clock)

    @cached_property
    def stream_grants(self) -> StreamGrants:
        from cadenza.services.stream_grants import StreamGrants, StreamLinks

        configured = self.settings.stream_link_secret
        secret = (
            configured.get_secret_value().encode()
            if configured is not None
            else self._secret("stream-link.key")
        )
        return StreamGrants(
            StreamLinks(secret),
            self.clock,
            self.catalog,
            self.entitlements,
            self.subscriptions.listener,
            self.ads.hold_for_ads,
            self.grant_log,
        )

    @cached_property
    def served_audio(self) -> ServedAudio:
        """The audio sent, per account and track, until written (stream counts): this
        process's own, or every process's through the deployment's Redis."""
        if self.bus is None:
            from cadenza.domain.served_audio import ServedAudio

            return ServedAudio()
        from cadenza.adapters.events.served_audio import SharedServedAudio

        return SharedServedAudio(self.bus.redis, self.bus.prefix)

    @cached_property
    def grant_log(self) -> GrantLog:
        from cadenza.services.grant_log import GrantLog

        return GrantLog(
            self.uow,
            self.clock,
            self.served_audio,
            lambda: self.settings.accel_redirect is None and not self.settings.front_sends_audio,
        )

    @cached_property
    def stream_access(self) -> StreamAccess:
        from cadenza.services.stream_access import StreamAccess

        return StreamAccess(self.stream_grants, self.player, self.devices, self.rip_watch)

    @cached_property
    def download_grants(self) -> DownloadGrants:
        from cadenza.services.download_grants import DownloadGrants

        return DownloadGrants(self._secret("download-signing.key"), self.clock)

    @cached_property
    def peer_delivery(self) -> PeerDelivery:
        """Signed chunk manifests and the peer tracker (docs/peer-delivery.md)."""
        from cadenza.adapters.security.ed25519_signer import Ed25519Signer
        from cadenza.services.peer_delivery import PeerDelivery, PeerRules

        s = self.settings
        rules = PeerRules(
            enabled=s.peer_delivery,
            announce_ttl=timedelta(seconds=s.peer_announce_ttl_s),
            token_ttl=timedelta(seconds=s.peer_token_ttl_s),
            report_window=timedelta(seconds=s.peer_report_window_s),
            chunk_size=s.peer_chunk_kib * 1024,
        )
        signer = Ed25519Signer(self._secret("peer-signing.key"))
        return PeerDelivery(self.uow, self.clock, self.stream_grants, self.blobs, signer, rules)

    @cached_property
    def offline(self) -> OfflineDownloads:
        from cadenza.services.offline import OfflineDownloads

        return OfflineDownloads(
            self.uow,
            self.clock,
            self.entitlements,
            self.subscriptions.listener,
            self.download_grants,
        )

    @cached_property
    def offline_keys(self) -> OfflineKeys:
        from cadenza.adapters.security.ed25519_signer import Ed25519Signer
        from cadenza.services.offline_keys import OfflineKeys

        secret = self._secret("offline-device.key")
        signer = Ed25519Signer(self._secret("offline-licence.key"))
        return OfflineKeys(secret, self.offline, self.download_grants, self.blobs, signer)

    @cached_property
    def fraud(self) -> FraudWatch:
        from cadenza.services.fraud import FraudWatch

        return FraudWatch(self.uow, self.clock, self.admin, self.settings.fraud_window_days)

    @cached_property
    def rip_watch(self) -> RipWatch:
        from cadenza.domain.ripping import RipRules
        from cadenza.services.rip_watch import RipWatch

        s = self.settings
        rules = RipRules(
            window=timedelta(seconds=s.rip_window_s),
            realtime_tolerance=s.rip_realtime_tolerance,
            prefetch_allowance_s=s.rip_prefetch_allowance_s,
            free_opening_s=s.rip_free_opening_s,
        )
        if self.bus is None:
            return RipWatch(self.uow, self.clock, rules, self.admin, served=self.served_audio)
        from cadenza.adapters.rip.redis_tally import RedisFetchTally

        tally = RedisFetchTally(self.bus.redis, rules, self.bus.prefix)
        return RipWatch(
            self.uow, self.clock, rules, self.admin, tally, self.bus, served=self.served_audio
        )

    @cached_property
    def listening(self) -> ListeningService:
        from cadenza.services.listening import ListeningService

        return ListeningService(
            self.uow,
            self.clock,
            self.messages.publish,
            listener=self.subscriptions.listener,
            served=self.served_audio,
            log=self.event_log,
        )

    @cached_property
    def player(self) -> Player:
        from cadenza.services.player import Player

        return Player(
            self.uow,
            self.clock,
            self.catalog,
            self.entitlements,
            self.subscriptions.listener,
            self.stream_grants,
            self.ads,
            self._listed_tracks,
            self.mixes,
            self.messages.publish,
        )

    @cached_property
    def mixes(self) -> Mixes:
        from cadenza.services.mixes import Mixes

        return Mixes(
            self.uow,
            self.clock,
            self.catalog,
            self.search,
            self.entitlements,
            self.subscriptions.listener,
            self.recommendations,
            self._playlist_seed,
            self.blends.group_order,
        )

    def _playlist_seed(
        self, account_id: int, playlist_id: int, viewer: Viewer
    ) -> tuple[str, list[int]]:
        """A playlist a station starts from: its name and the tracks that play (404 unless the
        listener may read it)."""
        playlist, _ = self.playlists.get(playlist_id, account_id)
        listed = self.playlists.context(account_id, viewer, playlist_id)
        return playlist.name, [t for t in listed if t is not None]

    @cached_property
    def recs_model(self) -> ServedModel:
        """The model in service: its files are read when a recommendation is first asked."""
        from cadenza.recs.served import ServedModel
        from cadenza.recs.store import models_dir

        mirror = self.recs_mirror
        root = models_dir(self.settings.data_dir)
        return ServedModel(root, refresh=mirror.refresh if mirror is not None else None)

    @cached_property
    def recs_mirror(self) -> ModelMirror | None:
        """With blobs in a bucket, the model is shared through it by every node."""
        from cadenza.adapters.blobs.s3 import S3BlobStore

        if not isinstance(self.blobs, S3BlobStore):
            return None
        from cadenza.adapters.blobs.s3_folders import S3Folders
        from cadenza.recs.mirror import ModelMirror
        from cadenza.recs.store import models_dir

        folders = S3Folders(self.blobs, "models/recs")
        return ModelMirror(folders, models_dir(self.settings.data_dir))

    @cached_property
    def recommendations(self) -> Recommendations:
        from cadenza.services.recommendations import Recommendations

        return Recommendations(
            self.uow,
            self.clock,
            self.catalog,
            self.search,
            self.recs_model,
            self.subscriptions.listener,
            self.settings.recs_min_plays,
        )

    def train_recs(self, progress: Progress | None = None) -> Trained:
        """Train a new model here (numpy, scipy, implicit and voyager are imported now) and
        put it in service: the CLI's and the job's process, never the HTTP one."""
        from cadenza.recs.build import build_model
        from cadenza.recs.store import models_dir

        @contextmanager
        def signals() -> Iterator[TasteSignals]:
            with self.uow() as uow:
                yield uow.taste_signals

        trained = build_model(
            signals, models_dir(self.settings.data_dir), self.clock.now(), progress
        )
        if self.recs_mirror is not None:
            self.recs_mirror.published(trained.version)
        return trained

    def train_recs_aside(self) -> subprocess.Popen[bytes]:
        """`cadenza recs train` in a process of its own (the server's daily clock, the demo):
        this process never imports the numerical libraries, and a training that fails or is
        killed leaves the model in service as it was."""
        s = self.settings
        env = {
            **os.environ,
            "CADENZA_DATA_DIR": str(s.data_dir),
            "CADENZA_DATABASE_URL": s.resolved_database_url,
            "CADENZA_DATABASE_POOLER": s.database_pooler,
        }
        command = [sys.executable, "-m", "cadenza", "recs", "train", "--quiet"]
        return subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, start_new_session=True)

    @cached_property
    def taste(self) -> TasteService:
        from cadenza.services.taste import TasteService

        return TasteService(self.uow, self.clock, self.subscriptions.listener, _card_painter)

    @cached_property
    def blends(self) -> Blends:
        from cadenza.services.blends import Blends, CountedTaste

        return Blends(self.uow, self.clock, self.collection.viewer, CountedTaste(self.uow))

    @cached_property
    def rooms(self) -> Rooms:
        from cadenza.services.rooms import Rooms

        return Rooms(self.uow, self.clock, self.blobs, self._secret("room-ticket.key"))

    @cached_property
    def live_rooms(self) -> LiveRooms:
        from cadenza.domain import rooms as room_rules
        from cadenza.services.rooms_live import (
            TICK_BYTES,
            LiveRooms,
            SpeakerDecoder,
            VoiceEncoder,
        )

        def voice() -> VoiceEncoder:  # the stage as Opus, for the pages that decode it
            from cadenza.adapters.audio.opus_voice import OpusVoice

            return OpusVoice(room_rules.SAMPLE_RATE, TICK_BYTES // 2)

        def speaker() -> SpeakerDecoder:  # a speaker's Opus from the browser's AudioEncoder
            from cadenza.adapters.audio.opus_voice import OpusSpeaker

            return OpusSpeaker(room_rules.SAMPLE_RATE)

        return LiveRooms(self.rooms, self.settings.rooms_empty_grace_s, voice, speaker)

    @cached_property
    def social(self) -> Social:
        from cadenza.services.social import Social

        return Social(self.uow, self.clock, self.collection.viewer)

    @cached_property
    def app_access(self) -> AppAccess:
        """Listeners' API keys and app passwords for Subsonic apps (api/subsonic/)."""
        from cadenza.adapters.security.sealed_box import SealedBox
        from cadenza.services.app_access import AppAccess

        sealer = SealedBox(self._secret("app-passwords.key"))
        return AppAccess(self.uow, self.clock, sealer, self.login_guard)

    @cached_property
    def audio_from_offset(self) -> AudioFromOffset:
        """OpenSubsonic's transcodeOffset: a stored file from a time on (PyAV, on first use)."""
        from cadenza.adapters.audio.offset import PyAvAudioFromOffset

        return PyAvAudioFromOffset()

    @cached_property
    def shelf(self) -> Shelf:
        from cadenza.services.shelf import Shelf

        return Shelf(self.uow, self.clock)

    @cached_property
    def collection(self) -> Collection:
        from cadenza.services.collection import Collection

        return Collection(self.uow, self.clock, self.catalog, self.subscriptions.listener)

    @cached_property
    def playlists(self) -> Playlists:
        from cadenza.services.playlists import Playlists

        return Playlists(self.uow, self.clock, self.catalog, self.collection.viewer)

    @cached_property
    def share_previews(self) -> SharePreviews:
        from cadenza.services.share_previews import SharePreviews

        return SharePreviews(
            self.catalog, self.playlists, self.clock, lambda: self.settings.default_country
        )

    def _listed_tracks(
        self, account_id: int, viewer: Viewer, context: Context, context_id: int | None
    ) -> list[int | None] | None:
        """The player's playlist and liked-songs contexts."""
        from cadenza.domain.entitlements import Context

        if context is Context.PLAYLIST and context_id is not None:
            return self.playlists.context(account_id, viewer, context_id)
        if context is Context.LIKED:
            return self.collection.liked_context(account_id, viewer)
        if context is Context.TASTE_MIX and context_id is not None:
            return self.taste.mix_context(account_id, viewer, context_id)
        return self._made_for_you_lists(account_id, viewer, context, context_id)

    # -- made for you: charts, Release Radar, sign-up picks ------------------------------
    @cached_property
    def royalties(self) -> Royalties:
        """Month closes, statements and payouts (`cadenza royalties`, the admin API)."""
        from cadenza.services.royalties import Royalties, rules_from

        st = self.settings
        return Royalties(
            self.uow,
            self.clock,
            rules_from(
                st.royalty_recording_share,
                json.loads(st.royalty_vat) if st.royalty_vat else {},
                st.royalty_min_yearly_streams,
                st.royalty_payable_after_months,
                st.royalty_model,
                st.royalty_artist_min_streams,
                st.royalty_artist_min_listeners,
                st.royalty_listener_cap,
            ),
            self.prices,
        )

    @cached_property
    def royalty_clock(self) -> RoyaltyClock:
        """Closes the previous month on `royalty_close_day` (the background work)."""
        from cadenza.services.royalty_clock import RoyaltyClock

        return RoyaltyClock(self.royalties, self.settings.royalty_close_day)

    @cached_property
    def charts(self) -> Charts:
        from cadenza.services.charts import Charts

        return Charts(self.uow, self.clock)

    @cached_property
    def artist_stats(self) -> ArtistStats:
        from cadenza.services.artist_stats import ArtistStats

        return ArtistStats(
            self.uow,
            self.clock,
            self.settings.estimated_per_stream_cents,
            self.settings.stats_min_listeners,
            reads=self.read_uow,
        )

    @cached_property
    def release_radar(self) -> ReleaseRadar:
        from cadenza.services.release_radar import ReleaseRadar

        return ReleaseRadar(self.uow, self.clock, self.subscriptions.listener)

    @cached_property
    def taste_picks(self) -> TastePicks:
        from cadenza.services.taste_picks import TastePicks

        return TastePicks(self.uow, self.clock, self.catalog, self.subscriptions.listener)

    def _made_for_you_lists(
        self, account_id: int, viewer: Viewer, context: Context, context_id: int | None
    ) -> list[int | None] | None:
        """The player's chart (shuffled on Free, as a playlist) and Release Radar (on demand
        on every plan, as a Daily Mix) contexts."""
        from cadenza.domain.entitlements import Context

        if context is Context.CHART and context_id is not None:
            return self.charts.context(context_id, viewer)
        if context is Context.RELEASE_RADAR:
            return self.release_radar.context(account_id)
        return None

    @cached_property
    def bus(self) -> RedisBus | None:
        """The deployment's Redis, when it runs on several processes (CADENZA_REDIS_URL)."""
        s = self.settings
        if not s.redis_url:
            return None
        from cadenza.adapters.events.bus import RedisBus

        return RedisBus(s.redis_url, s.redis_prefix)

    @cached_property
    def player_events(self) -> PlayerEvents:
        if self.event_log is not None:  # NATS first: the deployment's one message system
            from cadenza.adapters.events.nats_player import NatsPlayerEvents
            from cadenza.services.player_event_wire import decode_event, encode_event

            return NatsPlayerEvents(self.event_log, encode_event, decode_event)
        if self.bus is None:
            from cadenza.adapters.events.memory import InProcessPlayerEvents

            return InProcessPlayerEvents()
        from cadenza.adapters.events.shared import SharedPlayerEvents
        from cadenza.services.player_event_wire import decode_event, encode_event

        return SharedPlayerEvents(self.bus, encode_event, decode_event)

    @cached_property
    def devices(self) -> DeviceRegistry:
        from cadenza.services.devices import DeviceRegistry

        return DeviceRegistry(
            self.uow, self.clock, self.player_events, lambda a: self.player.state(a).device
        )

    @cached_property
    def remote(self) -> RemoteControl:
        from cadenza.services.remote import RemoteControl

        return RemoteControl(self.clock, self.player, self.devices, self.player_events)

    @cached_property
    def spoken(self) -> SpokenCommands:
        from cadenza.services.spoken import SpokenCommands

        return SpokenCommands(
            self.search, self.player, self.subscriptions.listener, self.clock, self.playlists
        )

    @cached_property
    def stream_tickets(self) -> StreamTickets:
        from cadenza.services.stream_tickets import StreamTickets

        return StreamTickets(self._secret("stream-ticket.key"), self.clock, self.uow)

    @cached_property
    def plan_members(self) -> PlanMembers:
        from cadenza.services.memberships import PlanMembers
        from cadenza.services.outgoing_mail import QueueMailer

        return PlanMembers(
            self.uow, self.clock, QueueMailer(self.uow, self.clock), self.settings.public_url
        )

    @cached_property
    def two_factor(self) -> TwoFactorService:
        from cadenza.adapters.security.qr import qr_svg
        from cadenza.adapters.security.totp import PyotpTotp
        from cadenza.services.two_factor import TwoFactorService

        return TwoFactorService(self.uow, PyotpTotp(), self.clock, qr_svg, self.reentry)

    @cached_property
    def admin(self) -> AccountAdmin:
        from cadenza.services.admin import AccountAdmin

        return AccountAdmin(self.uow, self.clock)

    @cached_property
    def plan_grants(self) -> PlanGrants:
        from cadenza.services.plan_grants import PlanGrants

        return PlanGrants(self.uow, self.clock, self.subscriptions, self.charging)

    @cached_property
    def artist_profiles(self) -> ArtistProfiles:
        from cadenza.services.artists import ArtistProfiles

        return ArtistProfiles(self.uow)

    @cached_property
    def artist_claims(self) -> ArtistClaims:
        from cadenza.services.artist_claims import ArtistClaims

        return ArtistClaims(self.uow, self.clock, self.settings.public_url)

    @cached_property
    def artist_pages(self) -> ArtistPages:
        from cadenza.services.artist_pages import ArtistPages

        def images() -> ProfileImages:
            from cadenza.adapters.images.profile import PillowProfileImages  # Pillow when used

            return PillowProfileImages()

        return ArtistPages(self.uow, self.clock, self.catalog, self.blobs, images)

    @cached_property
    def podcasts(self) -> Podcasts:
        """Shows from RSS: feeds fetched through the outgoing-HTTP adapter, audio through the
        music ingest's stages."""
        from cadenza.adapters.feeds.fetch import HttpFeedFetcher
        from cadenza.adapters.feeds.read import FeedparserReader
        from cadenza.services.podcasts import AudioTools, FeedRules, Podcasts

        s = self.settings
        fetcher = HttpFeedFetcher(
            allow_private=s.feeds_allow_private, max_feed_bytes=s.feeds_max_bytes
        )

        def tools() -> AudioTools:
            t = self.ingest_tools()
            return AudioTools(t.probe, t.transcoder, t.covers, t.blobs, t.pool, t.work_dir)

        rules = FeedRules(timedelta(seconds=s.podcast_feed_every_s), s.podcast_audio_max_bytes)
        return Podcasts(
            self.uow,
            self.clock,
            fetcher,
            FeedparserReader(),
            tools,
            rules,
            lambda uow, show_id: uow.search.index_show(show_id),
        )

    @cached_property
    def podcast_hosting(self) -> PodcastHosting:
        from cadenza.adapters.feeds.read import sanitised_html
        from cadenza.services.podcast_hosting import PodcastHosting

        return PodcastHosting(self.uow, self.clock, self.podcasts, sanitised_html)

    @cached_property
    def room_episodes(self) -> RoomEpisodes:
        from cadenza.services.room_episodes import RoomEpisodes

        return RoomEpisodes(
            self.uow,
            self.rooms,
            self.podcast_hosting,
            self.blobs,
            self.settings.work_dir,
            self.deliveries.in_line,  # the ingest's background line, one at a time
        )

    @cached_property
    def podcast_listening(self) -> PodcastListening:
        from cadenza.services.podcast_listening import PodcastListening

        return PodcastListening(
            self.uow,
            self.clock,
            lambda: self.stream_grants.links,
            lambda: self.player_events,
            heard=lambda account_id, seconds: self.ads.song_played(account_id, seconds),
        )

    @cached_property
    def episode_remote(self) -> EpisodeRemote:
        from cadenza.services.episode_remote import EpisodeRemote

        return EpisodeRemote(
            self.uow, self.clock, lambda: self.player_events, self.podcast_listening.episode
        )

    @cached_property
    def pitches(self) -> Pitches:
        from cadenza.services.pitches import Pitches

        return Pitches(self.uow, self.clock, self.hasher, self.settings.public_url)

    def start_background(self) -> Callable[[], None]:
        """The work exactly one process of a deployment does: deliveries left unfinished by a
        restart, the mail queue, the billing and popularity clocks, session pruning, the daily
        sweep of orphaned blobs, the daily fraud job, the royalty and deal clocks. Returns what
        stops it. Set going by a thread of its own: a server answers while it looks for
        unfinished work and imports what the clocks need (a third of its start)."""
        stops: list[threading.Event] = []

        def start() -> None:
            self.first_answer.wait(BACKGROUND_AFTER_S)
            try:
                stops.extend(self._start_background())
            except Exception:
                log.exception("the background work did not start")

        starting = threading.Thread(target=start, name="background-start", daemon=True)
        starting.start()

        def stop() -> None:
            starting.join()  # nothing is left starting once stopped
            for event in stops:
                event.set()

        return stop

    def _start_background(self) -> list[threading.Event]:
        checks = _checks()
        if checks.deliveries_unfinished(self.engine):  # the ingest pipeline only when one is left
            self.deliveries.resume_unfinished(self.made_at)
        if checks.room_episodes_unfinished(self.engine):
            self.room_episodes.resume_unfinished()
        mail = self._start_when_work(  # the mail libraries once there is mail
            "mail-watch",
            lambda: checks.mail_waiting(self.engine),
            lambda: self.outgoing_mail.start(),  # made only then
            MAIL_POLL_S,
            self.mail_queued,
        )
        self._fail_unfinished_imports()  # their files were in a stopped process's memory

        def forward() -> None:
            self.scrobble_forwarding.start()
            self.scrobble_forwarding.wake.set()  # what is waiting goes now

        forwarding = self._start_when_work(
            "forwarding-watch",
            lambda: checks.plays_to_forward(self.engine),
            forward,
            FORWARD_POLL_S,
        )
        billing = self.start_billing_clock()
        popularity = self.start_popularity_clock()
        charts = self.start_charts_clock()
        artist_stats = run_every(
            self.settings.artist_stats_interval_s,
            lambda: self._aside_if("artist-stats", _checks().streams_to_roll(self.engine)),
            "artist-stats",
        )
        recs = self.start_recs_clock()
        self.start_session_pruning()  # stopped by close()
        sweep = run_every(self.settings.blob_sweep_interval_s, self._sweep_tick, "blobs-sweep")
        fraud = run_every(
            self.settings.fraud_interval_s,
            lambda: self._aside_if("fraud", _checks().holds_rows(self.engine, "plays")),
            "fraud",
            at_start=False,
        )
        royalties = run_every(  # a close day of 0: the operator closes months by hand
            self.settings.royalty_clock_interval_s if self.settings.royalty_close_day else 0,
            self._royalty_tick,
            "royalties",
        )
        deals = run_every(
            self.settings.deal_clock_interval_s,
            lambda: self._aside_if(
                "deal-clock", _checks().deals_due(self.engine, self.clock.now())
            ),
            "deal-clock",
        )
        consumers = (
            self.start_consumers() if self.settings.nats_count_in_background else threading.Event()
        )
        partitions = run_every(  # PostgreSQL: the coming months' listening tables, daily
            86400.0, lambda: _ensure_months(self), "partitions"
        )
        archive = run_every(  # a child process: pyarrow stays out of this one
            self.settings.events_archive_interval_s,
            lambda: run_job_aside("events-archive"),
            "events-archive",
            at_start=False,
        )
        podcasts = run_every(
            self.settings.podcast_clock_interval_s, self._refresh_due_podcasts, "podcasts"
        )

        # the mail worker stops in close(), after sending what is due
        return [
            mail,
            forwarding,
            billing,
            charts,
            artist_stats,
            recs,
            popularity,
            sweep,
            fraud,
            royalties,
            deals,
            consumers,
            archive,
            partitions,
            podcasts,
        ]

    def _start_when_work(
        self,
        name: str,
        has_work: Callable[[], bool],
        start: Callable[[], None],
        poll_s: float,
        wake: threading.Event | None = None,
    ) -> threading.Event:
        """Start a worker once it has work: now when a cheap check finds some, else at the
        first check every `poll_s` (or `wake` set) that does; its service and libraries stay
        out of the memory of a server with nothing to send. The returned event stops the
        watching."""
        stop = threading.Event()

        def watch() -> None:
            while not stop.is_set():
                try:
                    if (wake is not None and wake.is_set()) or has_work():
                        if not stop.is_set():
                            start()
                        return
                except Exception:  # the database may be away for a moment: the next look
                    log.exception("%s failed", name)
                (wake or stop).wait(poll_s)

        threading.Thread(target=watch, name=name, daemon=True).start()
        return stop

    def _aside_if(self, job: str, work: bool) -> None:
        """Run a job in a child process when a cheap check found work for it: what the job
        imports never enters the server's memory, and an idle server starts no process."""
        if work:
            from cadenza.jobs.aside import run_aside

            run_aside(job, self.settings)

    def _fail_unfinished_imports(self) -> None:
        """History imports a stopped process left running are failed (the file was in that
        process's memory), without importing the importers when none was left running."""
        if _checks().imports_running(self.engine):
            self.history_imports.fail_unfinished(self.made_at)

    def _royalty_tick(self) -> None:
        """The royalty clock: last month is closed aside once its close day has come."""
        from cadenza.domain.royalty_schedule import due_month

        month = due_month(self.clock.now(), self.settings.royalty_close_day)
        self._aside_if(
            "royalty-clock", month is not None and not _checks().month_closed(self.engine, month)
        )

    def _refresh_due_podcasts(self) -> None:
        """The podcast clock's tick: the feeds due are fetched in a child process, where the
        feed, HTTP and audio libraries stay (a server with no shows never starts one)."""
        self._aside_if("podcasts-refresh", _checks().feeds_due(self.engine, self.clock.now()))

    def _sweep_tick(self) -> None:
        """The daily sweep of orphaned blobs, aside once the store holds any blob; an empty
        store has only half-written files to remove, done here."""
        if next(iter(self.blobs.digests()), None) is not None:
            self._aside_if("blobs-sweep", True)
        else:
            grace = timedelta(hours=self.settings.blob_sweep_grace_hours)
            self.blobs.remove_stale_writes(self.clock.now() - grace)

    def start_billing_clock(self) -> threading.Event:
        """Renew, retry and end subscriptions every `billing_interval_s` in a daemon thread;
        set the returned event to stop it."""
        interval = self.settings.billing_interval_s
        # In a child process once a subscription is due: the billing service, its price list
        # and the payment provider's tables (about 6 MB) stay out of an idle server.
        return run_every(
            interval,
            lambda: self._aside_if("billing", _checks().billing_due(self.engine, self.clock.now())),
            "billing-clock",
            at_start=False,
        )

    def start_popularity_clock(self) -> threading.Event:
        """Roll up search popularity now and every `search_popularity_interval_s` in a daemon
        thread; set the returned event to stop it."""
        interval = self.settings.search_popularity_interval_s
        tables = ("plays", "search_popularity")  # none: a rollup would write nothing
        return run_every(
            interval,
            lambda: self._aside_if("search-popularity", _checks().holds_rows(self.engine, *tables)),
            "search-popularity",
        )

    def start_charts_clock(self) -> threading.Event:
        """Rebuild the charts now and every `charts_interval_s` (daily) in a daemon thread;
        set the returned event to stop it."""
        # No streams and no chart yet: a rebuild would only make the empty charts, and the
        # chart pages read alike without them. Otherwise the child process rebuilds.
        return run_every(
            self.settings.charts_interval_s,
            lambda: self._aside_if("charts", _checks().holds_rows(self.engine, "plays", "charts")),
            "charts",
        )

    def start_recs_clock(self) -> threading.Event:
        """Train the recommendation model every `recs_train_hours` (0: never), in a process of
        its own; once at start too while no model is in service."""
        hours = self.settings.recs_train_hours

        def train() -> None:
            done = self.train_recs_aside().wait()
            if done != 0:
                log.warning("recommendation training ended with status %s", done)

        listened = self.settings.recs_min_plays <= 0
        if not listened and _checks().holds_rows(
            self.engine, "plays"
        ):  # no stream: no taste module
            with self.uow() as uow:
                listened = uow.listener_taste.counted_plays_reach(self.settings.recs_min_plays)
        at_start = listened and self.recs_model.info() is None
        return run_every(hours * 3600, train, "recs-train", at_start=at_start)

    def start_session_pruning(self) -> threading.Event:
        """Forget expired sessions, refresh tokens, e-mailed links and used stream tickets now
        and every `session_prune_interval_s` in a daemon thread; close() (or the returned
        event) stops it. Safe in several processes at once: each pass deletes only what has expired."""
        stop = run_every(
            self.settings.session_prune_interval_s,
            lambda: self._aside_if(
                "sessions-prune", _checks().expired_rows(self.engine, self.clock.now())
            ),
            "session-pruning",
        )
        self.background.append(stop)
        return stop

    def _secret(self, name: str) -> bytes:
        """A random secret made on first start and kept in the data dir, owner-readable only."""
        path = self.settings.data_dir / name
        if path.exists():
            return path.read_bytes().strip()
        # Written aside, then linked into place: several server processes starting at once
        # all end up with the one secret, and none ever reads a half-written file.
        draft = path.with_name(f".{name}.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as key_file:
            key_file.write(secrets.token_urlsafe(48))
        try:
            os.link(draft, path)
        except FileExistsError:
            pass  # another process was first: its secret is the one
        except OSError:  # no hard links here (FAT, some network mounts): a rename, if first
            if not path.exists():
                draft.replace(path)
        finally:
            draft.unlink(missing_ok=True)
        secret = path.read_bytes().strip()
        if not secret:
            raise RuntimeError(f"{path} is empty: remove it and start again to make a new one")
        return secret

    @cached_property
    def ad_campaigns(self) -> AdCampaigns:
        from cadenza.adapters.audio.covers import PillowCoverArt
        from cadenza.adapters.audio.probe import PyAvProbe
        from cadenza.adapters.audio.transcode import PyAvTranscoder
        from cadenza.domain.ads import CREATIVE_SECONDS
        from cadenza.services.ad_campaigns import AdCampaigns, CreativeTools

        s = self.settings
        tools = CreativeTools(
            # The probe stops decoding well past an ad's longest length.
            probe=PyAvProbe(max_duration_s=2 * CREATIVE_SECONDS[1]),
            transcoder=PyAvTranscoder(opus_complexity=s.opus_complexity),
            covers=PillowCoverArt(),
            blobs=self.blobs,
            work_dir=s.work_dir,
        )
        return AdCampaigns(self.uow, tools, self.clock)

    @cached_property
    def ads(self) -> AdBreaks:
        from cadenza.services.ads import AdBreaks

        return AdBreaks(self.uow, self.clock, self.entitlements)

    @cached_property
    def zip_limits(self) -> ZipLimits:
        from cadenza.ingest.source import ZipLimits

        return ZipLimits(self.settings.max_files_per_delivery, self.settings.max_upload_bytes * 2)

    @cached_property
    def pool(self) -> Executor:
        if self.shared_pool is not None:
            return self.shared_pool
        return worker_pool(self.settings.transcode_workers or os.cpu_count() or 1)

    def ingest_tools(self, opus_complexity: int | None = None) -> IngestTools:
        # The audio and image libraries (numpy, scipy, PyAV, Pillow: about 150 MB) are imported
        # by the processes that ingest, never by an HTTP process that only serves; and there
        # only when a file is decoded or a cover drawn (not by a re-scan of unchanged files).
        from cadenza.adapters.audio.on_first_use import OnFirstUse
        from cadenza.adapters.audio.tags import MutagenTagReader
        from cadenza.ingest.pipeline import IngestTools

        audio = "cadenza.adapters.audio."
        s = self.settings
        s.work_dir.mkdir(parents=True, exist_ok=True)
        complexity = opus_complexity or s.opus_complexity
        return IngestTools(
            probe=cast(
                "AudioProbe",
                OnFirstUse(audio + "probe", "PyAvProbe", max_duration_s=s.max_track_seconds),
            ),
            tags=MutagenTagReader(max_tag_chars=s.max_tag_chars),
            transcoder=cast(
                "Transcoder",
                OnFirstUse(audio + "transcode", "PyAvTranscoder", opus_complexity=complexity),
            ),
            covers=cast("CoverArt", OnFirstUse(audio + "covers", "PillowCoverArt")),
            blobs=self.blobs,
            uow=self.uow,
            pool=self.pool,
            work_dir=s.work_dir,
            max_tag_chars=s.max_tag_chars,
        )

    @cached_property
    def distributor_key(self) -> str:
        """The key distributors upload with: the setting, or one made on first start and kept."""
        if self.settings.distributor_key:
            return self.settings.distributor_key
        return self._secret("distributor.key").decode()

    @cached_property
    def demo_progress(self) -> DemoProgressFile:
        """How far the demo catalog is, for `serve --demo` and the web player."""
        from cadenza.adapters.demo_progress import DemoProgressFile

        return DemoProgressFile(self.settings.data_dir / "demo-progress.json")

    @cached_property
    def distributors(self) -> DistributorAccess:
        from cadenza.services.distributors import DistributorAccess

        return DistributorAccess(
            self.uow,
            self.clock,
            self.hasher,
            lambda: self.distributor_key,
            lambda: self.settings.distributor_name,
        )

    def distributor_id(self, name: str | None = None) -> int:
        with self.uow() as uow:
            distributor_id = uow.supply.distributor_id(name or self.settings.distributor_name)
            uow.commit()
            return distributor_id

    def close(self) -> None:
        for stop in self.background:
            stop.set()
        mail_started = "outgoing_mail" in self.__dict__
        if mail_started or (self.mail_queued.is_set() and self.settings.background):
            self.outgoing_mail.stop()  # what is queued and due goes out before the process ends
        if "scrobble_forwarding" in self.__dict__:
            self.scrobble_forwarding.stop()
        if "deliveries" in self.__dict__:
            self.deliveries.close()
        if "rip_watch" in self.__dict__:
            self.rip_watch.close()  # what this process served reaches the shared tally
        if "served_audio" in self.__dict__:
            self.served_audio.close()  # what this process sent reaches the shared tally
        if "pool" in self.__dict__ and self.shared_pool is None:
            self.pool.shutdown(wait=True, cancel_futures=True)
        if self.__dict__.get("bus") is not None:
            if "player_events" in self.__dict__:  # shared through the bus: its thread stops
                self.__dict__["player_events"].close()
            self.__dict__["bus"].close()
        if self.__dict__.get("event_log") is not None:
            self.__dict__["event_log"].close()  # after the consumers' stop was set
        if self.__dict__.get("replica_engine") is not None:
            self.__dict__["replica_engine"].dispose()
        if self.engine_made:  # never made just to be closed
            self.engine.dispose()
        if self.work_claim is not None:
            self.work_claim.close()


def _checks() -> ModuleType:
    """The clocks' cheap questions (SQL Core), imported by the first clock that asks."""
    from cadenza.adapters.db import clock_checks

    return clock_checks


def run_every(
    interval_s: float, job: Callable[[], object], name: str, *, at_start: bool = True
) -> threading.Event:
    """Run `job` every `interval_s` seconds (and once now, `at_start`) in a daemon thread until
    the returned event is set; a failed run is logged and the next comes on time (the database
    may be briefly away). An interval of 0 or less runs nothing."""
    stop = threading.Event()
    if interval_s <= 0:
        return stop

    def tick() -> None:
        if not at_start and stop.wait(interval_s):
            return
        while True:
            try:
                job()
            except Exception:
                log.exception("%s failed", name)
            if stop.wait(interval_s):
                return

    threading.Thread(target=tick, name=name, daemon=True).start()
    return stop


def run_job_aside(name: str) -> None:
    """Run `cadenza job run NAME` in a child process (what it imports stays there)."""
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "cadenza", "job", "run", name], capture_output=True, check=False
    )
    if done.returncode != 0:
        tail = done.stderr.decode(errors="replace")[-500:]
        raise RuntimeError(f"job {name} ended with {done.returncode}: {tail}")


def worker_pool(workers: int) -> ProcessPoolExecutor:
    """Processes for decoding and encoding. forkserver: they never inherit the server's threads
    or database connections, and fork from a server that has already imported the codecs."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from cadenza.adapters.parent_watch import watch_parent

    # One worker is one core: BLAS threads inside it only fight the other workers (10x slower
    # loudness measured with two). Set before the fork server starts and imports numpy.
    for variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(variable, "1")
    context = multiprocessing.get_context("forkserver")
    # Each worker and the fork server exit when their parent does (a server killed with -9).
    preload = ["cadenza.adapters.fork_server_watch", "cadenza.ingest.encode", *WORKER_MODULES]
    context.set_forkserver_preload(preload)
    return ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=watch_parent)


def _owner_only_folders(settings: Settings) -> None:
    """Uploads, work folders and the outbox (reset links, codes) are for the server's own user
    only (0700); blobs stay readable for a front server that sends them (X-Accel-Redirect)."""
    for folder in (settings.work_dir, settings.data_dir / "uploads", settings.data_dir / "outbox"):
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        folder.chmod(0o700)


def blob_store(settings: Settings) -> BlobStore:
    """The data dir's blobs/, or the S3-compatible bucket CADENZA_BLOB_URL names (boto3 is
    imported only then)."""
    if not settings.blob_url:
        return LocalBlobStore(settings.blob_dir)
    from cadenza.adapters.blobs.s3 import S3BlobStore, S3Location, s3_client

    secret = settings.s3_secret_access_key
    keys = (settings.s3_access_key_id, secret.get_secret_value() if secret else None)
    client = s3_client(settings.s3_endpoint_url, settings.s3_region, *keys)
    public = settings.s3_public_endpoint_url
    presigner = s3_client(public, settings.s3_region, *keys) if public else None
    return S3BlobStore(
        client,
        S3Location.parse(settings.blob_url),
        presigner=presigner,
        part_bytes=settings.s3_part_mb * 1024 * 1024,
    )


def bootstrap(
    settings: Settings | None = None, *, worker: bool = False, serving: bool = False
) -> App:
    """The App of this process. `worker`: one of `serve --workers N`'s processes, whose parent
    has migrated the database and runs the background work. `serving`: a server, which leaves
    migrating to a child process (it never needs Alembic's memory again), and indexes a catalog
    published before search existed (other commands leave that to it, or `search reindex`)."""
    if worker or serving:  # an HTTP process, before it starts any thread
        from cadenza.adapters.malloc_arenas import limit_malloc_arenas

        limit_malloc_arenas()
    settings = settings or (Settings(background=False) if worker else Settings())
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    _owner_only_folders(settings)
    app = App(settings=settings, blobs=blob_store(settings))
    app.work_claim = WorkDirClaim(settings.work_dir, sweep=not worker)
    if app.work_claim.swept:
        log.warning("removed %d work folders left by a stopped server", app.work_claim.swept)
    if serving:
        _ready_to_serve(app)
    elif not worker:
        from cadenza.adapters.db.engine import migrate

        migrate(app.engine)
        _ensure_months(app)
    return app


def _ready_to_serve(app: App) -> None:
    """A server's start: the schema at the newest revision (migrated by a child process when it
    is behind), PostgreSQL's coming months, a catalog indexed for search. On SQLite asked
    through its own driver: SQLAlchemy comes with the first request or clock that needs it."""
    from cadenza.adapters.db import driver

    url = app.settings.resolved_database_url
    if driver.sqlite_path(url) is None:  # PostgreSQL: the engine waits for a restarting server
        from cadenza.adapters.db.engine import migrate_aside, search_index_missing

        migrate_aside(app.engine, transaction_pooler=app.settings.transaction_pooler)
        _ensure_months(app)
        if search_index_missing(app.engine):
            app.search.index_if_empty()
        return
    with driver.connected(url) as connection:
        current = driver.at_head(connection)
    if not current:  # nothing held open while a child process migrates
        driver.migrate_aside(url)
    with driver.connected(url) as connection:
        missing = driver.search_index_missing(connection)
    if missing:
        app.search.index_if_empty()


def _ensure_months(app: App) -> None:
    """PostgreSQL: the coming months' partitions of the listening events (nothing on SQLite)."""
    if app.settings.resolved_database_url.startswith("sqlite"):
        return
    from cadenza.adapters.db.partitions import ensure_months

    ensure_months(app.engine, app.clock.now().date())


def unopened_app() -> App:
    """An App from the environment's settings that has done nothing yet (no folders, no
    migration, no work claim, no connection): a child process that describes the API
    (api/openapi_aside.py) needs its shape only."""
    settings = Settings(background=False, db_pool_size=1)
    return App(settings=settings, blobs=blob_store(settings))


def _card_painter() -> CardPainter:
    """Pillow, imported by the first request for a share card (never at the server's start)."""
    from cadenza.adapters.images.cards import PillowCards

    return PillowCards()
