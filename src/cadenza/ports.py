"""The interfaces services and the ingest pipeline need; adapters implement them."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Protocol

from cadenza.domain.accounts import Account, ApiKey, AuditEvent, Device, SessionView
from cadenza.domain.ads import (
    AdBreak,
    Campaign,
    CampaignStatus,
    CampaignTerms,
    Creative,
    ListeningState,
)
from cadenza.domain.audio import Loudness, Quality
from cadenza.domain.catalog import (
    ArtistRef,
    ArtistView,
    PublishedTrack,
    ReleaseSpec,
    ReleaseView,
    TakedownEvent,
    TrackToPlay,
    TrackView,
    Viewer,
)
from cadenza.domain.collection import TrackFacts
from cadenza.domain.devices import DeviceType, PlaybackDevice, PlayerEvent, SpeakerGroup
from cadenza.domain.entitlements import Listener
from cadenza.domain.errors import CadenzaError
from cadenza.domain.listening import ListeningEvent, PlaySummary
from cadenza.domain.mail import Email
from cadenza.domain.offline import Download, DownloadDevice
from cadenza.domain.plans import Period, Plan
from cadenza.domain.playlists import Entry, Follower, Playlist, PlaylistAccess, Shift
from cadenza.domain.ripping import FetchLedger, RipFlag, TrackFetch, TrackKey
from cadenza.domain.search import Candidate, Expansion, Kind, SearchQuery
from cadenza.domain.subscriptions import (
    Invite,
    Invoice,
    InvoiceKind,
    InvoiceStatus,
    Membership,
    PaymentMethod,
    Status,
    StudentStatus,
    Subscription,
)
from cadenza.domain.two_factor import RecoveryCodes


@dataclass(frozen=True)
class AudioInfo:
    """What a decoder found in a file, before any transcoding."""

    container: str
    codec: str
    sample_rate: int
    channels: int
    bits_per_sample: int | None
    duration_s: float
    lossless: bool


@dataclass
class Tags:
    """Tags read from an audio file. Empty fields mean 'not tagged'."""

    title: str | None = None
    artists: list[str] = field(default_factory=list)
    album: str | None = None
    album_artists: list[str] = field(default_factory=list)
    track_number: int | None = None
    disc_number: int | None = None
    isrc: str | None = None
    genres: list[str] = field(default_factory=list)
    date: str | None = None
    label: str | None = None
    copyright: str | None = None
    upc: str | None = None
    explicit: bool | None = None
    cover: bytes | None = None


@dataclass(frozen=True)
class EncodedFile:
    quality: Quality
    path: Path
    bitrate_kbps: int | None


@dataclass(frozen=True)
class TranscodeResult:
    files: tuple[EncodedFile, ...]
    loudness: Loudness
    duration_s: float


@dataclass(frozen=True)
class CoverImages:
    """A cover as stored: the original's size, and a JPEG per square size in pixels."""

    width: int
    height: int
    sizes: dict[int, bytes]


class AudioProbe(Protocol):
    def probe(self, path: Path) -> AudioInfo:
        """Decode the whole file once; raise InvalidDelivery naming the reason if it is not audio."""
        ...


class TagReader(Protocol):
    def read(self, path: Path) -> Tags: ...


class Transcoder(Protocol):
    def transcode(
        self, source: Path, qualities: Sequence[Quality], out_dir: Path
    ) -> TranscodeResult:
        """Decode once, measure loudness, encode every quality; bounded memory."""
        ...


class CoverArt(Protocol):
    def prepare(self, image: bytes, *, min_px: int) -> CoverImages: ...

    def placeholder(self, title: str, artist: str) -> bytes: ...


@dataclass(frozen=True)
class StoredBlob:
    digest: str  # sha256, hex
    size: int
    created: bool  # False when the store already held these bytes


class BlobStore(Protocol):
    def put_file(self, path: Path) -> StoredBlob:
        """Store a file by its sha256. Idempotent: storing the same bytes again creates nothing."""
        ...

    def put_bytes(self, data: bytes) -> StoredBlob: ...

    def path_of(self, digest: str) -> Path: ...

    def relative_path(self, digest: str) -> str:
        """The blob's path under the store's root, with '/' separators."""
        ...

    def exists(self, digest: str) -> bool: ...

    def delete(self, digest: str) -> None: ...

    def digests(self) -> Iterator[str]: ...


class Clock(Protocol):
    def now(self) -> datetime: ...


class CatalogRepository(Protocol):
    def distributor_id(self, name: str) -> int:
        """The distributor's id, created on first use."""
        ...

    def distributor_of_account(self, account_id: int, name: str) -> int:
        """The distributor an account delivers as, created and linked on first use."""
        ...

    def artist(self, artist_id: int) -> ArtistView | None: ...

    def release(self, release_id: int) -> ReleaseView | None:
        """The release with its tracks."""
        ...

    def track(self, track_id: int) -> TrackView | None: ...

    def tracks(self, track_ids: list[int]) -> list[TrackView]: ...

    def tracks_to_play(self, track_ids: list[int]) -> list[TrackToPlay]:
        """Each track with its files and its release's visibility, in one statement."""
        ...

    def release_tracks_to_play(self, release_id: int) -> list[TrackToPlay]:
        """A release's tracks in order, as `tracks_to_play`; none for no such release."""
        ...

    def releases(self, release_ids: list[int]) -> list[ReleaseView]:
        """These releases without their tracks, in no particular order."""
        ...

    def new_releases(self, viewer: Viewer, limit: int, offset: int) -> list[ReleaseView]: ...

    def distributor_releases(
        self, distributor_id: int, limit: int, offset: int
    ) -> list[ReleaseView]: ...

    def release_by_source(self, distributor_id: int, source_key: str) -> ReleaseView | None: ...

    def track_sources(self, release_id: int) -> dict[int, str]:
        """Track id -> sha256 of the file it was encoded from."""
        ...

    def release_id_of_isrc(self, isrc: str) -> int | None: ...

    def release_id_of_upc(self, upc: str) -> int | None: ...

    def save_release(
        self,
        distributor_id: int,
        source_key: str,
        spec: ReleaseSpec,
        covers: dict[int, str],
        loudness: Loudness | None,
    ) -> int: ...

    def save_track(self, release_id: int, track: PublishedTrack, taken: set[int]) -> int:
        """Update the matching track not in `taken`, or add it; return its id."""
        ...

    def remove_tracks_except(self, release_id: int, keep: set[int]) -> None: ...

    def set_taken_down(self, release_id: int, at: datetime | None) -> None:
        """Take a release down (at: when), or put it back (None)."""
        ...

    def record_takedown(self, event: TakedownEvent) -> None: ...

    def takedown_history(self, release_id: int) -> list[TakedownEvent]:
        """Newest first."""
        ...

    def blobs_in_use(self, digests: list[str]) -> set[str]:
        """Which of these blobs a published track or cover refers to."""
        ...


@dataclass(frozen=True)
class KnownFile:
    size: int
    mtime_ns: int
    track_id: int | None
    error_code: str | None
    album_key: str | None


class LibraryRepository(Protocol):
    def known_files(self, under: str) -> dict[str, KnownFile]: ...

    def record_file(
        self,
        path: str,
        size: int,
        mtime_ns: int,
        track_id: int | None,
        error: CadenzaError | None,
        album_key: str | None = None,
    ) -> None: ...


@dataclass
class Delivery:
    id: str
    distributor_id: int
    status: str
    stage: str | None = None
    progress: float = 0.0
    release_id: int | None = None
    track_ids: list[int] = field(default_factory=list)
    error_code: str | None = None
    error_message: str | None = None
    error_file: str | None = None


class DeliveryRepository(Protocol):
    def add(self, delivery: Delivery) -> None: ...

    def get(self, delivery_id: str) -> Delivery | None: ...

    def update(self, delivery: Delivery) -> None: ...

    def unfinished(self) -> list[Delivery]: ...


class SearchIndex(Protocol):
    """Entries for tracks, releases and artists in folded words; candidates for a query."""

    def index_release(self, release_id: int) -> None:
        """(Re)index a release, its tracks and artists, in the current transaction; entries of
        tracks it no longer has go."""
        ...

    def rebuild(self, progress: Callable[[int], None] | None = None) -> int:
        """Index the whole catalog again; progress is told of releases and artists done."""
        ...

    def size(self) -> tuple[int, int]:
        """(Releases plus artists the catalog holds, entries the index holds.)"""
        ...

    def roll_up_popularity(self, now: datetime) -> int:
        """Count each entry's streams of the 28 days before now again (per listeners'
        country and everywhere), and rank each kind's most played entries, searched first;
        returns the rows written. Ranking reads only these."""
        ...

    def tidy(self) -> None:
        """The engine's upkeep after a rollup (statistics, merged index lists), apart."""
        ...

    def is_known(self, word: str, *, prefix: bool) -> bool: ...

    def similar_words(self, word: str, limit: int = 120) -> list[str]:
        """Indexed words that share letter trigrams with this one."""
        ...

    def candidates(
        self,
        kinds: list[Kind],
        expansion: Expansion,
        query: SearchQuery,
        viewer: Viewer,
        limit: int,
    ) -> dict[Kind, list[Candidate]]:
        """Entries of each kind the viewer may see that match, best by text first, with their
        streams."""
        ...

    def page(
        self, track_ids: list[int], release_ids: list[int]
    ) -> tuple[dict[int, TrackView], dict[int, ReleaseView]]:
        """A page of hits read back from the catalog: these tracks, these releases and the
        tracks' releases, by id."""
        ...


class OfflineRepository(Protocol):
    """Download devices with their licences and tracks; rip-detection flags."""

    def lock_account(self, user_id: int) -> None: ...

    def add_device(
        self, user_id: int, name: str, subscription_id: int | None, now: datetime, expires: datetime
    ) -> int: ...

    def devices(self, user_id: int) -> list[DownloadDevice]: ...

    def registrations(self, user_id: int, since: datetime) -> list[datetime]:
        """When the account registered devices since then, removed ones included (add_device
        records each)."""
        ...

    def forget_registrations(self, user_id: int, before: datetime) -> None: ...

    def device(self, user_id: int, device_id: int) -> DownloadDevice | None: ...

    def remove_device(self, user_id: int, device_id: int) -> bool: ...

    def renew(
        self, device_id: int, subscription_id: int | None, now: datetime, expires: datetime
    ) -> None: ...

    def revoke(self, device_ids: Iterable[int], now: datetime) -> None: ...

    def add_downloads(
        self, device_id: int, items: Iterable[tuple[int, str]], now: datetime
    ) -> None: ...

    def downloads(
        self, device_id: int, limit: int | None = None, offset: int = 0
    ) -> list[Download]: ...

    def download(self, device_id: int, track_id: int) -> Download | None: ...

    def remove_downloads(self, device_id: int, track_ids: Iterable[int]) -> int: ...

    def add_rip_flag(
        self,
        user_id: int,
        now: datetime,
        audio_seconds: float,
        allowed_seconds: float,
        window_seconds: float,
        evidence: dict[str, object],
    ) -> int: ...

    def rip_flags(self, status: str | None, limit: int, offset: int) -> list[RipFlag]: ...

    def rip_flag(self, flag_id: int) -> RipFlag | None: ...

    def open_rip_flag_accounts(self) -> set[int]: ...

    def review_rip_flag(self, flag_id: int, status: str, by: int | None, now: datetime) -> bool: ...


class UnitOfWork(Protocol):
    @property
    def catalog(self) -> CatalogRepository: ...

    @property
    def library(self) -> LibraryRepository: ...

    @property
    def deliveries(self) -> DeliveryRepository: ...

    @property
    def accounts(self) -> AccountRepository: ...

    @property
    def billing(self) -> BillingRepository: ...

    @property
    def listening(self) -> ListeningRepository: ...

    @property
    def ads(self) -> AdsRepository: ...

    @property
    def mail(self) -> MailQueue: ...

    @property
    def search(self) -> SearchIndex: ...

    @property
    def collection(self) -> CollectionRepository: ...

    @property
    def playlists(self) -> PlaylistRepository: ...

    @property
    def offline(self) -> OfflineRepository: ...

    @property
    def devices(self) -> DeviceRepository: ...

    def __enter__(self) -> UnitOfWork: ...

    def __exit__(self, *exc: object) -> None: ...

    def commit(self) -> None: ...

    def rollback(self) -> None: ...


@dataclass(frozen=True)
class Credentials:
    """What the accounts repository keeps to check a login, never shown to anyone."""

    account_id: int
    password_hash: str
    totp_secret: str | None
    totp_last_step: int | None
    disabled: bool
    locked: bool
    version: int  # raised whenever the password changes or the account is locked or disabled


class AccountRepository(Protocol):
    def add(
        self, email: str, password_hash: str, display_name: str, country: str, birth_date: date
    ) -> int | None:
        """The new account's id; None when the address already has one (even one added by a
        request running at the same moment)."""
        ...

    def search(self, query: str | None, limit: int, offset: int) -> list[Account]:
        """Accounts whose e-mail or display name contains `query`, by id."""
        ...

    def bump_credentials(self, account_id: int, keep_session: int | None = None) -> None:
        """End every session signed in with the credentials as they were (but `keep_session`),
        including sessions whose login is still under way."""
        ...

    def link_artist(self, account_id: int, artist_id: int, now: datetime) -> bool:
        """False when they were linked already."""
        ...

    def unlink_artist(self, account_id: int, artist_id: int) -> bool: ...

    def unlink_all_artists(self, account_id: int) -> None: ...

    def linked_artists(self, account_id: int) -> list[ArtistRef]: ...

    def get(self, account_id: int) -> Account | None: ...

    def as_listener(self, account_id: int) -> Listener | None:
        """The account as the entitlements see it (plan, country, explicit filter), in one
        statement; None for no such account."""
        ...

    def id_by_email(self, email: str) -> int | None: ...

    def all(self, limit: int, offset: int) -> list[Account]: ...

    def credentials(self, account_id: int) -> Credentials | None: ...

    def delete(self, account_id: int) -> None: ...

    def devices(self, account_id: int) -> list[Device]: ...

    def set_password_hash(
        self, account_id: int, password_hash: str, if_version: int | None = None
    ) -> None:
        """With `if_version`: only while the credentials are still at that version."""
        ...

    def mark_verified(self, account_id: int, at: datetime) -> None: ...

    def set_disabled(self, account_id: int, at: datetime | None) -> None: ...

    def set_roles(self, account_id: int, roles: list[str]) -> None: ...

    def set_plan(self, account_id: int, plan: str) -> None: ...

    def set_totp_step(self, account_id: int, step: int) -> None: ...

    def advance_totp_step(self, account_id: int, step: int) -> bool:
        """Store a newer accepted TOTP step; False if the step is not newer (a replay)."""
        ...

    def revoke_api_keys(self, account_id: int, now: datetime) -> None: ...

    def api_key_known(self, key_hash: str) -> bool: ...

    def drop_tokens(self, account_id: int, purpose: str) -> None: ...

    def set_locked(self, account_id: int, at: datetime | None) -> None: ...

    def pending_totp(self, account_id: int) -> str | None: ...

    def set_pending_totp(self, account_id: int, secret: str | None) -> None: ...

    def set_two_factor(
        self, account_id: int, secret: str | None, codes: RecoveryCodes | None
    ) -> None: ...

    def recovery_codes(self, account_id: int) -> RecoveryCodes | None: ...

    def add_api_key(
        self,
        account_id: int,
        name: str,
        prefix: str,
        key_hash: str,
        scopes: list[str],
        now: datetime,
    ) -> int: ...

    def api_keys(self, account_id: int) -> list[ApiKey]: ...

    def use_api_key(self, key_hash: str, now: datetime) -> tuple[int, ApiKey] | None:
        """The account a live key belongs to, and the key; records its use."""
        ...

    def revoke_api_key(self, account_id: int, key_id: int, now: datetime) -> bool: ...

    def set_recovery_codes(self, account_id: int, codes: RecoveryCodes) -> None: ...

    def add_token(
        self,
        account_id: int,
        purpose: str,
        token_hash: str,
        expires_at: datetime,
        data: dict[str, str],
    ) -> None: ...

    def use_token(
        self, purpose: str, token_hash: str, now: datetime
    ) -> tuple[int, dict[str, str]] | None:
        """Spend a one-time token: the account and data, or None if unknown, used or expired."""
        ...

    def device(self, account_id: int, device_key: str) -> Device | None: ...

    def save_device(
        self, account_id: int, device_key: str, name: str, country: str | None, now: datetime
    ) -> int: ...

    def start_session(
        self,
        account_id: int,
        device_id: int,
        refresh_hash: str,
        now: datetime,
        expires_at: datetime,
        credentials_version: int,
    ) -> int: ...

    def rotate(self, refresh_hash: str, new_hash: str, now: datetime) -> tuple[int, int] | None:
        """Replace a live refresh token; (session id, account id), or None if not live."""
        ...

    def session_of_spent_token(self, refresh_hash: str) -> int | None:
        """The session that was given this refresh token before its live one: a replay."""
        ...

    def session_rotated_at(self, session_id: int) -> datetime | None:
        """When the session's refresh token was last swapped for a new one."""
        ...

    def session_live(self, session_id: int, account_id: int, now: datetime) -> bool: ...

    def session_owner(self, session_id: int) -> int | None: ...

    def revoke_sessions(
        self, account_id: int, now: datetime, session_id: int | None = None
    ) -> int: ...

    def sessions(self, account_id: int, now: datetime) -> list[SessionView]: ...

    def prune_sessions(self, now: datetime) -> tuple[int, int]:
        """Delete the sessions past their expiry, ended or not, with every refresh token
        they were given: (sessions, refresh tokens) deleted."""
        ...

    def prune_one_time_tokens(self, now: datetime) -> int:
        """Delete the e-mailed links and codes past their expiry, used or not."""
        ...

    def record_failure(self, keys: list[str], now: datetime) -> list[int]: ...

    def forget_failure_ids(self, ids: list[int]) -> None: ...

    def forget_failures(self, before: datetime) -> None: ...

    def failures(self, key: str, since: datetime) -> tuple[int, datetime | None]:
        """How many failed logins counted against `key` since then, and the last one's time."""
        ...

    def spend_challenge(self, digest: str, now: datetime, forget_before: datetime) -> bool:
        """Record a proof-of-work challenge as used; False if it was (even at the same instant)."""
        ...

    def spend_stream_ticket(self, ticket_id: str, expires_at: datetime, now: datetime) -> bool:
        """True for the first use of this ticket, in any process; False for any later one."""
        ...

    def forget_stream_tickets(self, now: datetime) -> int:
        """Forget the spent tickets that have expired (they cannot open a stream anyway)."""
        ...

    def audit(self, account_id: int, event: AuditEvent) -> None: ...

    def audit_log(self, account_id: int, limit: int) -> list[AuditEvent]: ...


@dataclass(frozen=True)
class QueuedMail:
    id: int
    email: Email
    attempts: int


class MailQueue(Protocol):
    def add(self, email: Email, now: datetime) -> None:
        """Queue a message; it goes out after the transaction commits."""
        ...

    def due(self, now: datetime, limit: int) -> list[QueuedMail]: ...

    def claim(self, mail_id: int, now: datetime, until: datetime) -> bool:
        """Take a due message for delivery; False if another worker has it."""
        ...

    def sent(self, mail_id: int) -> None: ...

    def retry(self, mail_id: int, at: datetime, error: str) -> None: ...

    def give_up(self, mail_id: int, now: datetime, error: str) -> None: ...

    def waiting(self) -> int:
        """Messages not yet sent and not given up on."""
        ...


class PasswordHasher(Protocol):
    def hash(self, password: str) -> str: ...

    def verify(self, password_hash: str, password: str) -> bool: ...

    def needs_rehash(self, password_hash: str) -> bool: ...

    def dummy_verify(self) -> None:
        """As slow as a real verify: for logins to addresses that have no account."""
        ...


class Mailer(Protocol):
    def send(self, email: Email) -> None: ...


class Totp(Protocol):
    def new_secret(self) -> str: ...

    def provisioning_uri(self, secret: str, account_name: str) -> str: ...

    def verify(self, secret: str, code: str, *, at: datetime, last_step: int | None) -> int | None:
        """The accepted time-step (store it as the new last step), or None."""
        ...


# -- plans and payments ----------------------------------------------------------------------


@dataclass(frozen=True)
class CardDetails:
    number: str
    exp_month: int
    exp_year: int
    cvc: str


@dataclass(frozen=True)
class AttachedCard:
    token: str
    brand: str
    last4: str
    exp_month: int
    exp_year: int
    fingerprint: str  # the same card always gives the same fingerprint


@dataclass(frozen=True)
class Charge:
    id: str
    status: str  # "succeeded", "declined" or "requires_confirmation"
    decline_code: str | None = None
    confirm_url: str | None = None


@dataclass(frozen=True)
class PaymentEvent:
    """A provider's webhook, verified: what happened to which charge."""

    id: str
    kind: str  # "charge.succeeded" or "charge.failed"
    charge_id: str
    reference: str  # what we asked the charge for: our invoice's number


class PaymentProvider(Protocol):
    name: str

    def attach(self, card: CardDetails) -> AttachedCard:
        """Check a card and keep it; raise PaymentDeclined when the card is refused."""
        ...

    def charge(
        self, token: str, cents: int, currency: str, *, idempotency_key: str, reference: str
    ) -> Charge:
        """Charge once per idempotency key: the same key returns the same charge."""
        ...

    def find(self, idempotency_key: str) -> Charge | None:
        """The charge made under this key, if the provider ever received it."""
        ...

    def cancel(self, charge_id: str) -> str:
        """Withdraw a charge still waiting for the payer's confirmation. Returns its final
        status: "canceled", or "succeeded"/"declined" when it was settled first."""
        ...

    def verify_event(self, body: bytes, signature: str) -> PaymentEvent:
        """Check a webhook's signature and freshness; raise Unauthorized if it fails."""
        ...


class BillingRepository(Protocol):
    def add_payment_method(
        self, user_id: int, provider: str, card: AttachedCard, now: datetime
    ) -> PaymentMethod: ...

    def payment_method(self, user_id: int) -> PaymentMethod | None: ...

    def remove_payment_method(self, user_id: int, now: datetime) -> None: ...

    def claim_trial(self, user_id: int, fingerprint: str, now: datetime) -> bool: ...

    def add_subscription(
        self,
        *,
        payer_id: int,
        plan: Plan,
        period: Period,
        status: Status,
        start: datetime,
        end: datetime,
        currency: str,
        price_cents: int,
        payment_method_id: int | None,
        complimentary: bool = False,
    ) -> int: ...

    def subscription(self, subscription_id: int) -> Subscription | None: ...

    def lock_subscription(self, subscription_id: int) -> Subscription | None: ...

    def update_subscription(self, subscription_id: int, **values: object) -> None: ...

    def payment_token(self, subscription_id: int) -> tuple[str, str] | None: ...

    def due(self, now: datetime, limit: int = 500) -> list[Subscription]: ...

    def membership(self, user_id: int) -> Membership | None: ...

    def members(self, subscription_id: int) -> list[Membership]: ...

    def join(
        self, subscription_id: int, user_id: int, limit: int, plan: Plan, now: datetime
    ) -> bool: ...

    def leave(self, subscription_id: int, user_id: int) -> bool: ...

    def joins(self, user_id: int, plan: Plan) -> list[tuple[int, datetime]]: ...

    def set_explicit(self, subscription_id: int, user_id: int, allow: bool) -> bool: ...

    def set_plans(self, subscription_id: int, plan: Plan) -> None: ...

    def end_memberships(self, subscription_id: int) -> list[int]: ...

    def home_address(self, subscription_id: int) -> str | None: ...

    def add_invite(
        self,
        subscription_id: int,
        token_hash: str,
        email: str | None,
        now: datetime,
        expires: datetime,
    ) -> int: ...

    def invite(self, token_hash: str) -> Invite | None: ...

    def open_invites(self, subscription_id: int, now: datetime) -> int: ...

    def accept_invite(self, invite_id: int, user_id: int) -> bool: ...

    def invoice_for(
        self,
        sub: Subscription,
        kind: InvoiceKind,
        plan: Plan,
        start: datetime,
        end: datetime,
        cents: int,
        description: str,
        now: datetime,
    ) -> Invoice: ...

    def invoice(self, invoice_id: int) -> Invoice | None: ...

    def invoice_by_number(self, number: str) -> Invoice | None: ...

    def open_invoices(self, subscription_id: int) -> list[Invoice]: ...

    def mark_invoice(
        self, invoice_id: int, status: InvoiceStatus, *, only_from: InvoiceStatus, **values: object
    ) -> bool: ...

    def claim_attempt(
        self, invoice_id: int, attempts: int, key: str, now: datetime, until: datetime
    ) -> bool: ...

    def set_charge(self, invoice_id: int, charge_id: str) -> None: ...

    def invoices(self, user_id: int) -> list[Invoice]: ...

    def event_seen(self, provider: str, event_id: str) -> bool: ...

    def record_event(
        self, provider: str, event_id: str, kind: str, outcome: str, now: datetime
    ) -> bool: ...

    def add_student_request(self, user_id: int, school: str, now: datetime) -> int: ...

    def student_requests(self, status: str | None = None) -> list[StudentStatus]: ...

    def student_status(self, user_id: int) -> StudentStatus | None: ...

    def student_approval(self, user_id: int) -> StudentStatus | None: ...

    def student_request(self, request_id: int) -> StudentStatus | None: ...

    def decide_student(
        self, request_id: int, status: str, now: datetime, valid_until: datetime | None
    ) -> None: ...


class StudentVerifier(Protocol):
    """Who confirms that a listener studies. The default is an admin approval queue; a school
    directory or a verification service can stand in its place."""

    def submit(self, account_id: int, school: str) -> StudentStatus: ...

    def status(self, account_id: int) -> StudentStatus | None: ...


class ListeningRepository(Protocol):
    def add_event(self, user_id: int, event: ListeningEvent, now: datetime) -> bool: ...

    def known_tracks(self, track_ids: set[int]) -> set[int]: ...

    def lock_play(
        self, user_id: int, play_id: str, track_id: int, device: str, at: datetime
    ) -> None: ...

    def play_events(self, user_id: int, play_id: str) -> list[ListeningEvent]: ...

    def save_play(self, user_id: int, play_id: str, summary: PlaySummary) -> tuple[bool, bool]: ...

    def recently_played(
        self, user_id: int, limit: int, offset: int, before: datetime | None = None
    ) -> list[tuple[int, datetime, int]]:
        """Counted plays, newest first (those started before `before` when given)."""
        ...

    def streams(self, track_id: int) -> int: ...

    def streams_of(self, track_ids: list[int]) -> dict[int, int]:
        """Track id -> its counted streams, for those that have any."""
        ...

    def player_state(self, user_id: int) -> tuple[dict[str, object], int] | None: ...

    def save_player_state(
        self, user_id: int, state: dict[str, object], version: int, now: datetime
    ) -> bool: ...


class ListeningRules(Protocol):
    """What the player asks besides the plan's table: skips counted against the limit, ad
    breaks that hold the next track, songs counted towards the next break."""

    def track_skipped(self, account_id: int, who: Listener | None = None) -> None:
        """Count a skip, or refuse it (skip_limit_reached, ad_not_skippable)."""
        ...

    def hold_for_ads(self, account_id: int, who: Listener | None = None) -> None:
        """Refuse the next track (ad_break_due) while an ad break is due or playing. `who`:
        the listener as the command has just read them (a plan without ads needs no read)."""
        ...

    def song_played(self, account_id: int, seconds: float, genres: Iterable[str] = ()) -> None: ...


@dataclass(frozen=True)
class RevenueShare:
    """Ad revenue earned in one country over a period: what royalties divide."""

    country: str
    impressions: int
    millicents: int


class AdsRepository(Protocol):
    def add_campaign(
        self, advertiser_id: int, terms: CampaignTerms, creative: Creative, now: datetime
    ) -> int: ...

    def campaign(self, campaign_id: int) -> Campaign | None: ...

    def campaigns(self, advertiser_id: int | None) -> list[Campaign]:
        """An advertiser's campaigns, or every campaign (None), newest first."""
        ...

    def servable(self, today: date) -> list[Campaign]:
        """Active campaigns in flight with budget left."""
        ...

    def update_terms(self, campaign_id: int, terms: CampaignTerms, now: datetime) -> None: ...

    def set_status(self, campaign_id: int, status: CampaignStatus, now: datetime) -> None: ...

    def set_creative(self, campaign_id: int, creative: Creative, now: datetime) -> None: ...

    def blobs_in_use(self, digests: list[str]) -> set[str]: ...

    def listening(self, account_id: int) -> ListeningState | None:
        """The listener's progress to the next break; None if they never played anything."""
        ...

    def listening_to_change(self, account_id: int, now: datetime) -> ListeningState:
        """The same, made if missing and locked until this transaction ends (save it after)."""
        ...

    def save_listening(self, account_id: int, state: ListeningState, now: datetime) -> None: ...

    def open_break(self, account_id: int, campaign_ids: list[int], now: datetime) -> int: ...

    def ad_break(self, break_id: int) -> AdBreak | None: ...

    def close_break(self, break_id: int, now: datetime) -> None: ...

    def ads_served_since(self, account_id: int, since: datetime) -> dict[int, int]:
        """Campaign id -> ads of it put in this listener's breaks since then."""
        ...

    def ads_heard(self, account_id: int) -> list[tuple[str, datetime]]:
        """The listener's completed ads, newest first: (campaign name, when)."""
        ...

    def lock_campaigns(self, campaign_ids: list[int]) -> list[Campaign]:
        """These campaigns, read again and locked until this transaction ends (so two breaks
        opened at once see each other's promises)."""
        ...

    def promised_ads(self, since: datetime) -> dict[int, int]:
        """Campaign id -> its ads not yet completed in breaks still open, opened since then."""
        ...

    def complete_ad(self, break_id: int, campaign_id: int, now: datetime) -> bool:
        """Mark the ad played; False if it already was (a repeated completion)."""
        ...

    def record_impression(
        self, campaign_id: int, account_id: int, break_id: int, country: str, now: datetime
    ) -> int:
        """Count one impression and spend its price from the budget; the price in millicents."""
        ...

    def revenue(self, start: datetime, end: datetime) -> list[RevenueShare]: ...


@dataclass(frozen=True)
class Saved:
    """One liked track, saved release or followed artist, by its catalog id."""

    id: int
    added_at: datetime


class CollectionRepository(Protocol):
    """Liked songs ("track"), saved releases ("release") and followed artists ("artist")."""

    def lock_listener(self, user_id: int) -> None:
        """Hold the listener's row until commit (limits are counted under it)."""
        ...

    def save(self, kind: str, user_id: int, ids: list[int], now: datetime) -> None: ...

    def unsave(self, kind: str, user_id: int, ids: list[int]) -> None: ...

    def saved(self, kind: str, user_id: int, limit: int, offset: int) -> list[Saved]:
        """Newest first."""
        ...

    def count(self, kind: str, user_id: int) -> int: ...

    def contains(self, kind: str, user_id: int, ids: list[int]) -> set[int]: ...

    def track_facts(self, track_ids: list[int]) -> dict[int, TrackFacts]: ...

    def playlist_track_facts(self, playlist_id: int) -> list[tuple[int, TrackFacts | None]]:
        """(track id, facts) of each entry, in playlist order, in one statement."""
        ...

    def artist_names(self, artist_ids: list[int]) -> dict[int, str]: ...


class PlaylistRepository(Protocol):
    def add(
        self,
        owner_id: int,
        name: str,
        description: str,
        public: bool,
        collaborative: bool,
        now: datetime,
    ) -> int: ...

    def get(self, playlist_id: int) -> Playlist | None: ...

    def editorial(self, limit: int, offset: int) -> list[Playlist]:
        """Public playlists with tracks made by the service's own editors (admin accounts),
        most recently changed first."""
        ...

    def lock_owner(self, owner_id: int) -> None:
        """Hold the listener's row until commit (the playlist limit is counted under it)."""
        ...

    def owned_count(self, owner_id: int) -> int: ...

    def membership(self, playlist_id: int, user_id: int) -> PlaylistAccess: ...

    def followers(self, playlist_id: int, limit: int, offset: int) -> tuple[list[Follower], int]:
        """A page of followers, first to follow first, and how many there are."""
        ...

    def lock(self, playlist_id: int) -> Playlist | None:
        """The playlist read afresh, its row held until commit (edits and access changes
        queue behind each other)."""
        ...

    def drop_uninvited(self, playlist_id: int) -> None:
        """Remove the followers who did not come through an invite."""
        ...

    def end_collaboration(self, playlist_id: int) -> None: ...

    def insert_entries(self, playlist_id: int, at: int, entries: list[Entry]) -> None:
        """Insert new entries before position `at`, shifting the rest in one statement."""
        ...

    def bump(self, playlist_id: int, version: int, now: datetime) -> bool:
        """Raise the version if it is still `version` (and lock the row): False when another
        edit came first."""
        ...

    def set_details(
        self, playlist_id: int, name: str, description: str, public: bool, collaborative: bool
    ) -> None: ...

    def delete(self, playlist_id: int) -> None: ...

    def entries(self, playlist_id: int, limit: int | None = None, offset: int = 0) -> list[Entry]:
        """In playlist order; with who added each."""
        ...

    def track_ids(self, playlist_id: int) -> list[int]: ...

    def tracks_at(
        self, playlist_id: int, positions: list[int], track_ids: list[int]
    ) -> dict[int, int]:
        """Position -> track id, for these positions and every place of these tracks."""
        ...

    def remove_positions(self, playlist_id: int, positions: set[int]) -> None:
        """Delete the entries at these positions and close the gaps (set-based)."""
        ...

    def shift_positions(self, playlist_id: int, shift: Shift) -> None:
        """Apply a reorder in one statement."""
        ...

    def follow(
        self, playlist_id: int, user_id: int, collaborator: bool, invited: bool, now: datetime
    ) -> None: ...

    def unfollow(self, playlist_id: int, user_id: int) -> None: ...

    def of_listener(self, user_id: int) -> list[tuple[Playlist, datetime]]:
        """Owned and followed playlists, each with when it came into the library."""
        ...

    def page_of_listener(
        self, user_id: int, limit: int, offset: int
    ) -> tuple[list[tuple[Playlist, PlaylistAccess]], int]:
        """A page of owned and followed playlists (most recently added first), with how the
        listener stands with each, and how many there are."""
        ...

    def add_invite(
        self, token_hash: str, playlist_id: int, collaborate: bool, now: datetime
    ) -> None: ...

    def invite(self, token_hash: str) -> tuple[int, bool, datetime] | None:
        """(playlist id, collaborate, made at) of a share link."""
        ...

    def revoke_invites(self, playlist_id: int) -> int: ...


class DeviceRepository(Protocol):
    """The listener's playback devices and speaker groups."""

    def add(
        self,
        account_id: int,
        session_id: int | None,
        name: str,
        type: DeviceType,
        supports_volume: bool,
        now: datetime,
    ) -> PlaybackDevice: ...

    def get(self, account_id: int, device_id: str) -> PlaybackDevice | None: ...

    def of_account(self, account_id: int) -> list[PlaybackDevice]: ...

    def by_session_name(
        self, account_id: int, session_id: int, name: str
    ) -> PlaybackDevice | None: ...

    def count(self, account_id: int) -> int: ...

    def update(self, device: PlaybackDevice) -> None: ...

    def seen(self, account_id: int, device_id: str, now: datetime) -> None: ...

    def left(self, account_id: int, device_id: str, now: datetime) -> None:
        """Its feed closed: out of the list until it is seen again."""
        ...

    def forget_left(self, account_id: int, before: datetime) -> list[str]:
        """Forget the devices that left before `before`; their ids."""
        ...

    def forget(self, account_id: int, device_id: str) -> bool: ...

    def add_group(self, account_id: int, name: str, device_ids: list[str]) -> SpeakerGroup: ...

    def group(self, account_id: int, group_id: int) -> SpeakerGroup | None: ...

    def groups(self, account_id: int) -> list[SpeakerGroup]: ...

    def group_count(self, account_id: int) -> int: ...

    def change_group(
        self, account_id: int, group_id: int, name: str | None, device_ids: list[str] | None
    ) -> SpeakerGroup | None: ...

    def remove_group(self, account_id: int, group_id: int) -> bool: ...


class EventSubscription(Protocol):
    """One device's open stream: the events meant for it, in the order they were published."""

    device_id: str

    async def next(self, timeout: float) -> PlayerEvent | None:
        """The next event, None after `timeout` seconds of quiet; EOFError once it has ended."""
        ...

    def close(self) -> None: ...


class PlayerEvents(Protocol):
    """Pub/sub of player events per account. In process by default; Redis or NATS can back it
    when several server processes share the listeners."""

    def publish(self, account_id: int, event: PlayerEvent) -> None: ...

    def subscribe(self, account_id: int, device_id: str) -> EventSubscription: ...

    def disconnect(self, account_id: int, device_id: str) -> None: ...

    def connected(self, account_id: int) -> set[str]: ...


class Broadcast(Protocol):
    """Messages to every server process of the deployment, the sender's own included."""

    def publish(self, topic: str, message: dict[str, object]) -> None: ...

    def listen(self, topic: str, handler: Callable[[dict[str, object]], None]) -> None: ...


class FetchTally(Protocol):
    """Audio each account fetched lately, added up over every server process (rip detection)."""

    def record(
        self, batch: dict[int, dict[TrackKey, TrackFetch]], now: datetime
    ) -> dict[int, FetchLedger]:
        """Add what some responses sent (per account, per file); each account's whole ledger."""
        ...

    def record_download(self, account_id: int, sent: int, size: int, duration_s: float) -> None: ...

    def ledger(self, account_id: int) -> FetchLedger: ...

    def first_to_flag(self, account_id: int) -> bool:
        """True for the one process that gets to flag the account (until it is forgotten)."""
        ...

    def forget(self, account_id: int) -> None:
        """Its ledger and its flag claim: a dismissed account starts afresh."""
        ...
