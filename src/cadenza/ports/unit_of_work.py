"""One transaction over every repository: each is its own attribute."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

# Only named in annotations: a process that uses two repositories loads their two ports.
if TYPE_CHECKING:
    from cadenza.ports.accounts import AccountRepository, ArtistLinkRepository, AuditLog
    from cadenza.ports.ads import AdBreakRepository, AdsRepository, ImpressionRepository
    from cadenza.ports.api_keys import ApiKeyRepository
    from cadenza.ports.app_access import AppCredentialRepository
    from cadenza.ports.artist_stats import ArtistStatsRepository, StatsRollup
    from cadenza.ports.artists import (
        ArtistClaimRepository,
        ArtistPageRepository,
        PitchRepository,
    )
    from cadenza.ports.batch_inputs import BatchInputRepository
    from cadenza.ports.blends import BlendRepository
    from cadenza.ports.catalog import CatalogRepository, SupplyRepository, TakedownRepository
    from cadenza.ports.charts import ChartRepository
    from cadenza.ports.collection import CollectionRepository
    from cadenza.ports.deliveries import DeliveryRepository
    from cadenza.ports.devices import DeviceRepository
    from cadenza.ports.event_archive import EventArchiveRepository
    from cadenza.ports.fraud import FraudRepository
    from cadenza.ports.grant_log import GrantLogRepository
    from cadenza.ports.history import HistoryRepository
    from cadenza.ports.invoices import InvoiceRepository
    from cadenza.ports.library import LibraryRepository
    from cadenza.ports.listening import ListeningRepository
    from cadenza.ports.login_attempts import LoginAttemptRepository
    from cadenza.ports.mail import MailQueue
    from cadenza.ports.members import MemberRepository
    from cadenza.ports.oauth import OAuthRepositories
    from cadenza.ports.offline import OfflineRepository
    from cadenza.ports.payments import PaymentEventLog, PaymentMethodRepository
    from cadenza.ports.peers import PeerTracker
    from cadenza.ports.playlists import (
        PlaylistEntryRepository,
        PlaylistFollowerRepository,
        PlaylistRepository,
    )
    from cadenza.ports.podcasts import PodcastListeningRepository, PodcastRepository
    from cadenza.ports.recommendations import ListenerTaste, TasteSignals
    from cadenza.ports.release_radar import ReleaseRadarRepository
    from cadenza.ports.rip import RipFlagRepository
    from cadenza.ports.room_episode_jobs import RoomEpisodeJobRepository
    from cadenza.ports.rooms import RoomRepository
    from cadenza.ports.royalties import RoyaltyRepository
    from cadenza.ports.search import SearchIndex
    from cadenza.ports.sessions import SessionRepository
    from cadenza.ports.shelf import ShelfRepository
    from cadenza.ports.social import SocialRepository
    from cadenza.ports.stream_tickets import StreamTicketRepository
    from cadenza.ports.students import StudentRepository
    from cadenza.ports.subscriptions import SubscriptionRepository
    from cadenza.ports.taste import TasteRepository
    from cadenza.ports.taste_picks import TastePickRepository
    from cadenza.ports.tokens import OneTimeTokenRepository
    from cadenza.ports.two_factor import TwoFactorRepository


class UnitOfWork(Protocol):
    @property
    def catalog(self) -> CatalogRepository: ...

    @property
    def supply(self) -> SupplyRepository: ...

    @property
    def takedowns(self) -> TakedownRepository: ...

    @property
    def library(self) -> LibraryRepository: ...

    @property
    def deliveries(self) -> DeliveryRepository: ...

    @property
    def accounts(self) -> AccountRepository: ...

    @property
    def artist_links(self) -> ArtistLinkRepository: ...

    @property
    def artist_claims(self) -> ArtistClaimRepository: ...

    @property
    def artist_pages(self) -> ArtistPageRepository: ...

    @property
    def pitches(self) -> PitchRepository: ...

    @property
    def audit(self) -> AuditLog: ...

    @property
    def sessions(self) -> SessionRepository: ...

    @property
    def tokens(self) -> OneTimeTokenRepository: ...

    @property
    def two_factor(self) -> TwoFactorRepository: ...

    @property
    def api_keys(self) -> ApiKeyRepository: ...

    @property
    def app_credentials(self) -> AppCredentialRepository: ...

    @property
    def shelf(self) -> ShelfRepository: ...

    @property
    def rooms(self) -> RoomRepository: ...

    @property
    def room_episode_jobs(self) -> RoomEpisodeJobRepository: ...

    @property
    def podcasts(self) -> PodcastRepository: ...

    @property
    def podcast_listening(self) -> PodcastListeningRepository: ...

    @property
    def oauth(self) -> OAuthRepositories: ...

    @property
    def login_attempts(self) -> LoginAttemptRepository: ...

    @property
    def stream_tickets(self) -> StreamTicketRepository: ...

    @property
    def payment_methods(self) -> PaymentMethodRepository: ...

    @property
    def payment_events(self) -> PaymentEventLog: ...

    @property
    def subscriptions(self) -> SubscriptionRepository: ...

    @property
    def members(self) -> MemberRepository: ...

    @property
    def invoices(self) -> InvoiceRepository: ...

    @property
    def students(self) -> StudentRepository: ...

    @property
    def listening(self) -> ListeningRepository: ...

    @property
    def grant_log(self) -> GrantLogRepository: ...

    @property
    def taste(self) -> TasteRepository: ...

    @property
    def history(self) -> HistoryRepository: ...

    @property
    def event_archive(self) -> EventArchiveRepository: ...

    @property
    def batch_inputs(self) -> BatchInputRepository: ...

    @property
    def taste_signals(self) -> TasteSignals: ...

    @property
    def listener_taste(self) -> ListenerTaste: ...

    @property
    def ads(self) -> AdsRepository: ...

    @property
    def ad_breaks(self) -> AdBreakRepository: ...

    @property
    def ad_impressions(self) -> ImpressionRepository: ...

    @property
    def mail(self) -> MailQueue: ...

    @property
    def search(self) -> SearchIndex: ...

    @property
    def collection(self) -> CollectionRepository: ...

    @property
    def playlists(self) -> PlaylistRepository: ...

    @property
    def playlist_entries(self) -> PlaylistEntryRepository: ...

    @property
    def playlist_followers(self) -> PlaylistFollowerRepository: ...

    @property
    def offline(self) -> OfflineRepository: ...

    @property
    def peers(self) -> PeerTracker: ...

    @property
    def rip_flags(self) -> RipFlagRepository: ...

    @property
    def fraud(self) -> FraudRepository: ...

    @property
    def devices(self) -> DeviceRepository: ...

    @property
    def charts(self) -> ChartRepository: ...

    @property
    def royalties(self) -> RoyaltyRepository: ...

    @property
    def artist_stats(self) -> ArtistStatsRepository: ...

    @property
    def stats_rollup(self) -> StatsRollup: ...

    @property
    def taste_picks(self) -> TastePickRepository: ...

    @property
    def release_radar(self) -> ReleaseRadarRepository: ...

    @property
    def social(self) -> SocialRepository: ...

    @property
    def blends(self) -> BlendRepository: ...

    def __enter__(self) -> UnitOfWork: ...

    def __exit__(self, *exc: object) -> None: ...

    def commit(self) -> None: ...

    def rollback(self) -> None: ...
