"""Settings, from CADENZA_* environment variables."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CADENZA_", extra="ignore")

    data_dir: Path = Path("./var")
    database_url: str | None = None
    # Until accounts exist: the key a distributor sends as `X-Distributor-Key`, and its name.
    distributor_key: str | None = None
    distributor_name: str = "Local distributor"
    # Stands in for the listener's country until accounts exist.
    default_country: str | None = None
    max_track_seconds: float = 3 * 3600.0
    max_upload_bytes: int = 2 * 1024**3
    max_files_per_delivery: int = 500
    max_tag_chars: int = 1000
    transcode_workers: int = 0  # 0: one per core
    opus_complexity: int = 10
    # The synthesised demo is encoded faster (about 1.5x) so it builds in a few minutes.
    demo_opus_complexity: int = 5
    # JSON of DemoSize fields, e.g. '{"tracks": 20}', for a smaller demo (tests, quick looks).
    demo_size: str | None = None

    # Free and Plus: an ad break comes due after this many songs or minutes of listening.
    ad_break_songs: int = 3
    ad_break_minutes: float = 15.0

    # Rip detection: audio fetched over a sliding window may run this far ahead of real time,
    # plus the track playing and one prefetched; each track's opening is free (skipping).
    rip_window_s: float = 1800.0
    rip_realtime_tolerance: float = 1.25
    rip_prefetch_allowance_s: float = 900.0
    rip_free_opening_s: float = 30.0

    # A header a trusted front proxy sets to the client's ISO country (e.g. CF-IPCountry): a
    # login from another country than the account's then needs the e-mailed code. Unset: unused.
    country_header: str | None = None
    # Where links in e-mails point, and who e-mails come from.
    public_url: str = "http://127.0.0.1:8000"
    # Sign-in with OpenID providers beside e-mail, as JSON: '[{"name": "google", "display_name":
    # "Google", "issuer": "https://accounts.google.com", "client_id": "...", "client_secret":
    # "..."}]' (README: "Sign-in with an OpenID provider").
    oidc_providers: SecretStr | None = None
    smtp_url: str | None = None  # smtp://, smtp+starttls:// or smtps://user:password@host:port
    mail_from: str = "Cadenza <no-reply@cadenza.localhost>"

    # Plans: prices per market as JSON, overriding the defaults (EUR, the table in the README), e.g.
    # '{"US": {"currency": "USD", "month": {"premium_individual": 1199}, "year": {}}}'.
    plan_prices: str | None = None
    # How often the server's billing clock renews, retries and ends subscriptions (0: never;
    # then run `cadenza billing run` from cron).
    billing_interval_s: float = 60.0
    # How often the server rolls up search popularity (streams of the last 28 days per entry);
    # also once at start. 0: never (then run `cadenza search popularity` from cron).
    search_popularity_interval_s: float = 86400.0
    # How often the server rebuilds the charts (Top 50, Viral 50) from counted streams; also
    # once at start. 0: never (then run `cadenza job run charts` from cron).
    charts_interval_s: float = 86400.0
    # How often the server scores counted streams for artificial ones (the `fraud` job), and
    # how many days back each run looks. 0: never (then run `cadenza job run fraud` from cron).
    fraud_interval_s: float = 86400.0
    fraud_window_days: int = 30
    # Artists' statistics: how often the server rolls counted streams up into the artists'
    # figures (the dashboard is at most this stale; 0: never, then run
    # `cadenza job run artist-stats` from cron), the per-stream rate the dashboard's
    # *estimated* earnings use until royalties are closed (cents, decimals allowed), and the
    # fewest listeners an audience bucket (country, city, age range, gender) needs to be shown.
    artist_stats_interval_s: float = 600.0
    estimated_per_stream_cents: Decimal = Field(default=Decimal("0.4"), ge=0)
    stats_min_listeners: int = Field(default=5, ge=1)
    # How often the server trains the recommendation model, in hours, in a process of its own
    # (also at start while there is none). 0: never; then run `cadenza recs train` from cron.
    recs_train_hours: float = 24.0
    # Counted streams a model must have learned from before recommendations come from it; with
    # fewer (a new server), they come from popularity per country and genre ("basis": "popular").
    recs_min_plays: int = 50
    # How often the server forgets expired sessions, their refresh tokens and expired e-mailed
    # links (0: never; then run `cadenza sessions prune` from cron).
    session_prune_interval_s: float = 3600.0
    # Audio, covers and creatives written but never committed (an ingest or upload killed
    # midway) are removed once no row refers to them and they are older than this many hours
    # (an ingest running meanwhile keeps its files); the server sweeps every
    # `blob_sweep_interval_s` (0: never; then run `cadenza job run blobs-sweep` from cron).
    blob_sweep_grace_hours: float = Field(default=24.0, ge=0)
    blob_sweep_interval_s: float = 86400.0
    # A device's event stream sends a keepalive after this many quiet seconds (proxies and
    # browsers close an idle connection after a minute or so).
    player_stream_keepalive_s: float = 15.0
    # A live audio room nobody is in for this long ends (and keeps its recording).
    rooms_empty_grace_s: float = 120.0

    # Behind nginx: GET /api/v1/audio/{grant} checks the grant, then answers with
    # `X-Accel-Redirect: <this prefix><blob path>` and no body, so nginx sends the bytes from an
    # `internal` location aliasing the blob dir (docs/nginx-accel.conf). Unset: Cadenza sends them.
    accel_redirect: str | None = None
    # A front server (nginx checking grants with secure_link and sending the blobs or its cache,
    # a CDN with signed URLs) sends the audio: Cadenza sees no bytes of most plays, so a play
    # counts on its grant alone, as behind CADENZA_ACCEL_REDIRECT (README "Streams that count").
    front_sends_audio: bool = False
    # Object storage (README "Object storage"): blobs (audio, covers, ad creatives, artist
    # images) in an S3-compatible bucket, `s3://bucket/prefix`, instead of the data dir's
    # blobs/. The endpoint of a non-AWS store (MinIO, Ceph RGW); the keys (else boto3's own
    # lookup: environment, ~/.aws, instance role); `redirect` answers a stream with a
    # presigned URL valid `s3_presign_seconds`, `proxy` sends the bytes through Cadenza;
    # `s3_public_endpoint_url`, where listeners reach the store if not at the endpoint.
    blob_url: str | None = Field(default=None, pattern=r"^s3://[a-z0-9][a-z0-9.\-]{1,62}(/.*)?$")
    s3_endpoint_url: str | None = None
    s3_public_endpoint_url: str | None = None
    s3_region: str = "us-east-1"
    s3_access_key_id: str | None = None
    s3_secret_access_key: SecretStr | None = None
    s3_delivery: str = Field(default="redirect", pattern="^(redirect|proxy)$")
    s3_presign_seconds: int = Field(default=300, ge=10, le=7 * 86400)
    s3_part_mb: int = Field(default=16, ge=5, le=5000)  # multipart upload part size
    # Operations (README "Metrics and logs"): GET /metrics answers a loopback client, or the
    # bearer of this token (for a Prometheus elsewhere); logs as one JSON object a line, with
    # each request's id, when `json`.
    metrics_token: SecretStr | None = None
    log_format: str = Field(default="text", pattern="^(text|json)$")
    # The key stream grants are signed with (nginx's secure_link_md5 needs the same one):
    # unset, a random one is made in the data dir (stream-link.key). Printable, no spaces.
    stream_link_secret: SecretStr | None = None

    # Peer-assisted delivery (docs/peer-delivery.md): the server signs chunk manifests and is
    # the tracker listeners' clients ask for peers holding a file. Off: the tracker's routes
    # answer 404 `peer_delivery_off` and clients fetch everything from the server.
    peer_delivery: bool = True
    peer_announce_ttl_s: float = Field(default=120.0, gt=0)  # a peer that stops announcing drops
    peer_token_ttl_s: float = Field(default=300.0, gt=0)  # a peer token's life
    peer_report_window_s: float = Field(default=3600.0, gt=0)  # reported peers avoided this long
    peer_chunk_kib: int = Field(default=64, ge=4, le=1024)  # chunk size of new manifests

    # `cadenza serve` runs this many HTTP processes on one port (more than one needs redis_url).
    workers: int = 1
    # `cadenza serve` logs a line per request (uvicorn's access log); behind nginx, which keeps
    # its own, or to spare the CPU (a line costs about as much as answering a range), turn off.
    access_log: bool = True
    # Run the background work here: the mail queue, the billing and popularity clocks, session
    # pruning, resuming deliveries. Exactly one process of a deployment does it: set false on extra HTTP nodes and
    # run `cadenza worker` (or one node with it on). `serve --workers N` sets it for its workers.
    background: bool = True
    # Redis shared by every process of a deployment: the listener's live player events reach
    # devices connected to other processes, and rip detection counts across them. Unset: one
    # process holds it all in memory (today's single-process setup).
    redis_url: str | None = None
    redis_prefix: str = "cadenza"  # keys and channels start with it: deployments may share a Redis
    # NATS with JetStream shared by every process (e.g. nats://127.0.0.1:4222): listening events
    # are stored in JetStream before the answer and counted by a durable consumer; domain
    # events go to JetStream too (counted plays reach search popularity and the artists'
    # statistics through consumers of their own), and player events between processes through
    # NATS (before Redis). Unset: today's path (counted in the request, in-process or Redis
    # events, popularity and statistics by their jobs alone).
    nats_url: str | None = None
    nats_prefix: str = "cadenza"  # subjects and stream names start with it
    # How long an answer waits for JetStream to confirm storing an event before it refuses
    # with 503 event_stream_unavailable (the client sends the same events again).
    nats_ack_timeout_s: float = 5.0
    # A batch a consumer took and did not acknowledge by then (its process died) is delivered
    # again, to it once restarted or to another consumer process.
    nats_redeliver_after_s: float = 60.0
    # Run the stream's consumers (`counting`, `search-popularity`, `artist-stats`) in the
    # process that does the background work (true), or only in `cadenza events consume`
    # processes (false).
    nats_count_in_background: bool = True
    # Archive each whole day of listening events as Parquet on the blob store this often (the
    # `events-archive` job, in a child process). 0: off; `cadenza events archive --day` by hand.
    events_archive_interval_s: float = 0.0
    # PostgreSQL connections each process keeps (as many again at a peak): N processes on all
    # nodes may open 2 x N x this, which must stay under the server's max_connections (100).
    db_pool_size: int = 10
    # `pgbouncer`: database_url (and database_replica_url) is a PgBouncer in transaction
    # pooling mode, so no connection keeps server-side state between transactions: psycopg's
    # prepared statements are turned off (docs/deploy.md "Behind PgBouncer"). `none`: direct.
    database_pooler: str = Field(default="none", pattern="^(none|pgbouncer)$")
    # A PostgreSQL streaming replica of database_url for the read-mostly queries (catalog pages,
    # search, artists' statistics), never for what must read its own writes. Unset: all on
    # database_url.
    database_replica_url: str | None = None

    # Royalties (`cadenza royalties`): the recording rights' share of revenue; VAT per market as
    # JSON ('{"FR": 0.2}', default 0); the streams a track needs in 12 months to earn; months
    # after the listening month until payment (3 or 4); the model that pays (pro_rata,
    # user_centric, artist_centric); the artist-centric thresholds (Deezer 2023).
    royalty_recording_share: float = Field(default=0.52, gt=0, le=1)
    royalty_vat: str | None = None
    royalty_min_yearly_streams: int = Field(default=1000, ge=0)

    # Bring your history (README "Bring your history"): an upload's size, what a zip's history
    # files may expand to (zip bombs are refused past it), and plays in one import.
    history_upload_max_bytes: int = Field(default=256 * 1024**2, ge=1024)
    history_expanded_max_bytes: int = Field(default=1024**3, ge=1024)
    history_max_plays: int = Field(default=2_000_000, ge=1)
    # Forwarding a listener's plays: the remote services' base URLs (a stand-in in tests), and
    # the operator's Last.fm API account (https://www.last.fm/api/account/create), needed for
    # Last.fm forwarding. The secret never reaches a log.
    listenbrainz_url: str = "https://api.listenbrainz.org"
    lastfm_url: str = "https://ws.audioscrobbler.com/2.0/"
    lastfm_auth_url: str = "https://www.last.fm/api/auth/"  # where a listener allows Cadenza
    lastfm_api_key: str | None = None
    lastfm_api_secret: str | None = None
    scrobble_timeout_s: float = Field(default=10.0, gt=0)
    royalty_payable_after_months: int = Field(default=3, ge=3, le=4)
    royalty_model: str = Field(
        default="pro_rata", pattern="^(pro_rata|user_centric|artist_centric)$"
    )
    royalty_artist_min_streams: int = Field(default=1000, ge=0)
    royalty_artist_min_listeners: int = Field(default=500, ge=0)
    royalty_listener_cap: int = Field(default=1000, ge=1)
    # The background work closes the previous month on this day of each month (00:00 UTC,
    # checked every `royalty_clock_interval_s`); 0: never (then `cadenza royalties close`).
    royalty_close_day: int = Field(default=5, ge=0, le=28)
    royalty_clock_interval_s: float = 3600.0
    # How often the server opens and closes DDEX releases' territories on their deals' start
    # and end dates (also once at start; 0: never).
    deal_clock_interval_s: float = 300.0

    # Podcasts (services/podcasts.py): how often the server looks for feeds due (0: never; then
    # `cadenza podcasts refresh`), how often each feed is asked again, the largest feed and
    # episode fetched, and whether feeds on private or loopback addresses are fetched (a home
    # server's own network; off by default: a feed could point the server at its neighbours).
    podcast_clock_interval_s: float = 300.0
    podcast_feed_every_s: float = Field(default=3600.0, gt=0)
    feeds_max_bytes: int = Field(default=16 << 20, ge=1024)
    podcast_audio_max_bytes: int = Field(default=1 << 30, ge=1024)
    feeds_allow_private: bool = False

    # OpenSubsonic under /rest (api/subsonic/): accept a plain app password in `p=` (sent in
    # the clear on every request: only behind HTTPS); and let Premium listeners `download` the
    # plain files (off: offline music stays encrypted in Cadenza's own apps).
    subsonic_plain_passwords: bool = False
    subsonic_downloads: bool = False

    @field_validator("accel_redirect")
    @classmethod
    def _accel_prefix(cls, value: str | None) -> str | None:
        if not value:
            return None
        if not (value.startswith("/") and value.endswith("/")):
            raise ValueError("CADENZA_ACCEL_REDIRECT must start and end with '/'")
        return value

    @model_validator(mode="after")
    def _accel_needs_local_blobs(self) -> Settings:
        if self.blob_url and self.accel_redirect:
            raise ValueError(
                "CADENZA_ACCEL_REDIRECT sends files of the local blob dir; with an s3:// "
                "CADENZA_BLOB_URL, choose CADENZA_S3_DELIVERY=redirect or proxy instead"
            )
        return self

    @field_validator("stream_link_secret")
    @classmethod
    def _printable_secret(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value():
            return None
        text = value.get_secret_value()
        if not text.isprintable() or " " in text or "$" in text or '"' in text:
            raise ValueError("CADENZA_STREAM_LINK_SECRET: printable, no spaces, '$' or quotes")
        return value

    @field_validator("workers")
    @classmethod
    def _workers(cls, value: int) -> int:
        if value < 1:
            raise ValueError("CADENZA_WORKERS must be 1 or more")
        return value

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.data_dir / 'cadenza.db').resolve()}"

    @property
    def transaction_pooler(self) -> bool:
        return self.database_pooler == "pgbouncer"

    @property
    def blob_dir(self) -> Path:
        return self.data_dir / "blobs"

    @property
    def work_dir(self) -> Path:
        return self.data_dir / "work"
