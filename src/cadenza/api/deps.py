"""Request dependencies: the services a route uses, one narrow dependency each (`PlayerDep`,
`CatalogDep`...), who is looking, and distributor authentication.

Only this module reaches the wired App (`request.app.state.cadenza`): a route names the services
it needs, never the locator. The providers do no I/O, so they run on the event loop (no thread
hop); a service is made on its first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

from fastapi import Depends, Header, Path, Query, Request
from starlette.requests import HTTPConnection

from cadenza.api.granted_audio import AudioFiles, audio_files_of
from cadenza.api.operations import RequestTally
from cadenza.bootstrap import App
from cadenza.config import Settings
from cadenza.domain.accounts import Scope
from cadenza.domain.catalog import Viewer
from cadenza.domain.entitlements import Entitlements
from cadenza.domain.errors import Forbidden, InvalidRequest, Unauthorized
from cadenza.domain.plans import PriceList
from cadenza.domain.territories import ISO_COUNTRIES
from cadenza.ports.blobs import BlobStore
from cadenza.ports.clock import Clock
from cadenza.ports.devices import PlayerEvents
from cadenza.ports.oauth import OAuthProtocol
from cadenza.services.access_tokens import AccessClaims

if TYPE_CHECKING:
    from cadenza.services.accounts import AccountService
    from cadenza.services.ad_campaigns import AdCampaigns
    from cadenza.services.admin import AccountAdmin
    from cadenza.services.ads import AdBreaks
    from cadenza.services.app_access import AppAccess
    from cadenza.services.artist_claims import ArtistClaims
    from cadenza.services.artist_pages import ArtistPages
    from cadenza.services.artist_stats import ArtistStats
    from cadenza.services.artists import ArtistProfiles
    from cadenza.services.blends import Blends
    from cadenza.services.catalog import CatalogService
    from cadenza.services.charts import Charts
    from cadenza.services.collection import Collection
    from cadenza.services.ddex_deliveries import DdexDeliveries
    from cadenza.services.deliveries import DeliveryService
    from cadenza.services.devices import DeviceRegistry
    from cadenza.services.distributors import DistributorAccess
    from cadenza.services.download_grants import DownloadGrants
    from cadenza.services.episode_remote import EpisodeRemote
    from cadenza.services.external_sign_in import ExternalSignIn
    from cadenza.services.fraud import FraudWatch
    from cadenza.services.history_import import HistoryImports
    from cadenza.services.listening import ListeningService
    from cadenza.services.memberships import PlanMembers
    from cadenza.services.mixes import Mixes
    from cadenza.services.oauth_apps import OAuthApps
    from cadenza.services.offline import OfflineDownloads
    from cadenza.services.offline_keys import OfflineKeys
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

# Ids in paths fit the database's 32-bit integers; anything else is a clear 422, never a 500.
Id = Annotated[int, Path(ge=1, le=2_147_483_647)]


def _app(connection: HTTPConnection) -> App:
    app: App = connection.app.state.cadenza
    return app


async def audio_files(connection: HTTPConnection) -> AudioFiles:
    return audio_files_of(_app(connection))


AudioFilesDep = Annotated[AudioFiles, Depends(audio_files)]


async def blend_service(connection: HTTPConnection) -> Blends:
    return _app(connection).blends


if TYPE_CHECKING:
    BlendsDep = Annotated[Blends, Depends(blend_service)]
else:  # the service's module is imported by the App when first used
    BlendsDep = Annotated[object, Depends(blend_service)]


async def social_service(connection: HTTPConnection) -> Social:
    return _app(connection).social


if TYPE_CHECKING:
    SocialDep = Annotated[Social, Depends(social_service)]
else:  # the service's module is imported by the App when first used
    SocialDep = Annotated[object, Depends(social_service)]


async def room_service(connection: HTTPConnection) -> Rooms:
    return _app(connection).rooms


async def live_room_service(connection: HTTPConnection) -> LiveRooms:
    return _app(connection).live_rooms


async def room_episode_service(connection: HTTPConnection) -> RoomEpisodes:
    return _app(connection).room_episodes


if TYPE_CHECKING:
    RoomsDep = Annotated[Rooms, Depends(room_service)]
    LiveRoomsDep = Annotated[LiveRooms, Depends(live_room_service)]
    RoomEpisodesDep = Annotated[RoomEpisodes, Depends(room_episode_service)]
else:  # the service's module is imported by the App when first used
    RoomsDep = Annotated[object, Depends(room_service)]
    LiveRoomsDep = Annotated[object, Depends(live_room_service)]
    RoomEpisodesDep = Annotated[object, Depends(room_episode_service)]


async def app_access(connection: HTTPConnection) -> AppAccess:
    return _app(connection).app_access


if TYPE_CHECKING:
    AppAccessDep = Annotated[AppAccess, Depends(app_access)]
else:  # the service's module is imported by the App when first used
    AppAccessDep = Annotated[object, Depends(app_access)]


async def account_service(connection: HTTPConnection) -> AccountService:
    return _app(connection).accounts


if TYPE_CHECKING:
    AccountsDep = Annotated[AccountService, Depends(account_service)]
else:  # the service's module is imported by the App when first used
    AccountsDep = Annotated[object, Depends(account_service)]


async def ad_campaign_service(connection: HTTPConnection) -> AdCampaigns:
    return _app(connection).ad_campaigns


if TYPE_CHECKING:
    AdCampaignsDep = Annotated[AdCampaigns, Depends(ad_campaign_service)]
else:  # the service's module is imported by the App when first used
    AdCampaignsDep = Annotated[object, Depends(ad_campaign_service)]


async def ad_break_service(connection: HTTPConnection) -> AdBreaks:
    return _app(connection).ads


if TYPE_CHECKING:
    AdBreaksDep = Annotated[AdBreaks, Depends(ad_break_service)]
else:  # the service's module is imported by the App when first used
    AdBreaksDep = Annotated[object, Depends(ad_break_service)]


async def account_admin(connection: HTTPConnection) -> AccountAdmin:
    return _app(connection).admin


if TYPE_CHECKING:
    AccountAdminDep = Annotated[AccountAdmin, Depends(account_admin)]
else:  # the service's module is imported by the App when first used
    AccountAdminDep = Annotated[object, Depends(account_admin)]


async def plan_grants(connection: HTTPConnection) -> PlanGrants:
    return _app(connection).plan_grants


if TYPE_CHECKING:
    PlanGrantsDep = Annotated[PlanGrants, Depends(plan_grants)]
else:  # the service's module is imported by the App when first used
    PlanGrantsDep = Annotated[object, Depends(plan_grants)]


async def royalty_service(connection: HTTPConnection) -> Royalties:
    return _app(connection).royalties


if TYPE_CHECKING:
    RoyaltiesDep = Annotated[Royalties, Depends(royalty_service)]
else:  # the service's module is imported by the App when first used
    RoyaltiesDep = Annotated[object, Depends(royalty_service)]


async def royalty_clock(connection: HTTPConnection) -> RoyaltyClock:
    return _app(connection).royalty_clock


if TYPE_CHECKING:
    RoyaltyClockDep = Annotated[RoyaltyClock, Depends(royalty_clock)]
else:  # the service's module is imported by the App when first used
    RoyaltyClockDep = Annotated[object, Depends(royalty_clock)]


async def artist_profiles(connection: HTTPConnection) -> ArtistProfiles:
    return _app(connection).artist_profiles


if TYPE_CHECKING:
    ArtistProfilesDep = Annotated[ArtistProfiles, Depends(artist_profiles)]
else:  # the service's module is imported by the App when first used
    ArtistProfilesDep = Annotated[object, Depends(artist_profiles)]


async def artist_claims(connection: HTTPConnection) -> ArtistClaims:
    return _app(connection).artist_claims


if TYPE_CHECKING:
    ArtistClaimsDep = Annotated[ArtistClaims, Depends(artist_claims)]
else:  # the service's module is imported by the App when first used
    ArtistClaimsDep = Annotated[object, Depends(artist_claims)]


async def artist_pages(connection: HTTPConnection) -> ArtistPages:
    return _app(connection).artist_pages


if TYPE_CHECKING:
    ArtistPagesDep = Annotated[ArtistPages, Depends(artist_pages)]
else:  # the service's module is imported by the App when first used
    ArtistPagesDep = Annotated[object, Depends(artist_pages)]


async def pitch_service(connection: HTTPConnection) -> Pitches:
    return _app(connection).pitches


if TYPE_CHECKING:
    PitchesDep = Annotated[Pitches, Depends(pitch_service)]
else:  # the service's module is imported by the App when first used
    PitchesDep = Annotated[object, Depends(pitch_service)]


async def artist_stats(connection: HTTPConnection) -> ArtistStats:
    return _app(connection).artist_stats


if TYPE_CHECKING:
    ArtistStatsDep = Annotated[ArtistStats, Depends(artist_stats)]
else:  # the service's module is imported by the App when first used
    ArtistStatsDep = Annotated[object, Depends(artist_stats)]


async def request_tally(connection: HTTPConnection) -> RequestTally:
    """What GET /metrics reports (api/operations.py), for a route that counts something."""
    tally: RequestTally = connection.app.state.tally
    return tally


TallyDep = Annotated[RequestTally, Depends(request_tally)]


async def blob_store(connection: HTTPConnection) -> BlobStore:
    return _app(connection).blobs


BlobsDep = Annotated[BlobStore, Depends(blob_store)]


async def share_previews(connection: HTTPConnection) -> SharePreviews:
    return _app(connection).share_previews


if TYPE_CHECKING:
    SharePreviewsDep = Annotated[SharePreviews, Depends(share_previews)]
else:  # the service's module is imported by the App when first used
    SharePreviewsDep = Annotated[object, Depends(share_previews)]


async def catalog_service(connection: HTTPConnection) -> CatalogService:
    return _app(connection).catalog


if TYPE_CHECKING:
    CatalogDep = Annotated[CatalogService, Depends(catalog_service)]
else:  # the service's module is imported by the App when first used
    CatalogDep = Annotated[object, Depends(catalog_service)]


async def chart_service(connection: HTTPConnection) -> Charts:
    return _app(connection).charts


if TYPE_CHECKING:
    ChartsDep = Annotated[Charts, Depends(chart_service)]
else:  # the service's module is imported by the App when first used
    ChartsDep = Annotated[object, Depends(chart_service)]


async def release_radar(connection: HTTPConnection) -> ReleaseRadar:
    return _app(connection).release_radar


if TYPE_CHECKING:
    ReleaseRadarDep = Annotated[ReleaseRadar, Depends(release_radar)]
else:  # the service's module is imported by the App when first used
    ReleaseRadarDep = Annotated[object, Depends(release_radar)]


async def taste_picks(connection: HTTPConnection) -> TastePicks:
    return _app(connection).taste_picks


if TYPE_CHECKING:
    TastePicksDep = Annotated[TastePicks, Depends(taste_picks)]
else:  # the service's module is imported by the App when first used
    TastePicksDep = Annotated[object, Depends(taste_picks)]


async def clock(connection: HTTPConnection) -> Clock:
    return _app(connection).clock


ClockDep = Annotated[Clock, Depends(clock)]


async def collection_service(connection: HTTPConnection) -> Collection:
    return _app(connection).collection


if TYPE_CHECKING:
    CollectionDep = Annotated[Collection, Depends(collection_service)]
else:  # the service's module is imported by the App when first used
    CollectionDep = Annotated[object, Depends(collection_service)]


async def delivery_service(connection: HTTPConnection) -> DeliveryService:
    return _app(connection).deliveries


if TYPE_CHECKING:
    DeliveriesDep = Annotated[DeliveryService, Depends(delivery_service)]
else:  # the service's module is imported by the App when first used
    DeliveriesDep = Annotated[object, Depends(delivery_service)]


async def ddex_deliveries(connection: HTTPConnection) -> DdexDeliveries:
    return _app(connection).ddex


if TYPE_CHECKING:
    DdexDep = Annotated[DdexDeliveries, Depends(ddex_deliveries)]
else:  # the service's module is imported by the App when first used
    DdexDep = Annotated[object, Depends(ddex_deliveries)]


async def device_registry(connection: HTTPConnection) -> DeviceRegistry:
    return _app(connection).devices


if TYPE_CHECKING:
    DevicesDep = Annotated[DeviceRegistry, Depends(device_registry)]
else:  # the service's module is imported by the App when first used
    DevicesDep = Annotated[object, Depends(device_registry)]


async def distributor_access(connection: HTTPConnection) -> DistributorAccess:
    return _app(connection).distributors


if TYPE_CHECKING:
    DistributorsDep = Annotated[DistributorAccess, Depends(distributor_access)]
else:  # the service's module is imported by the App when first used
    DistributorsDep = Annotated[object, Depends(distributor_access)]


async def download_grants(connection: HTTPConnection) -> DownloadGrants:
    return _app(connection).download_grants


if TYPE_CHECKING:
    DownloadGrantsDep = Annotated[DownloadGrants, Depends(download_grants)]
else:  # the service's module is imported by the App when first used
    DownloadGrantsDep = Annotated[object, Depends(download_grants)]


async def entitlements(connection: HTTPConnection) -> Entitlements:
    return _app(connection).entitlements


EntitlementsDep = Annotated[Entitlements, Depends(entitlements)]


async def listening_service(connection: HTTPConnection) -> ListeningService:
    return _app(connection).listening


if TYPE_CHECKING:
    ListeningDep = Annotated[ListeningService, Depends(listening_service)]
else:  # the service's module is imported by the App when first used
    ListeningDep = Annotated[object, Depends(listening_service)]


async def mixes_service(connection: HTTPConnection) -> Mixes:
    return _app(connection).mixes


if TYPE_CHECKING:
    MixesDep = Annotated[Mixes, Depends(mixes_service)]
else:  # the service's module is imported by the App when first used
    MixesDep = Annotated[object, Depends(mixes_service)]


async def taste_service(connection: HTTPConnection) -> TasteService:
    return _app(connection).taste


if TYPE_CHECKING:
    TasteDep = Annotated[TasteService, Depends(taste_service)]
else:  # the service's module is imported by the App when first used
    TasteDep = Annotated[object, Depends(taste_service)]


async def history_imports(connection: HTTPConnection) -> HistoryImports:
    return _app(connection).history_imports


async def scrobbling(connection: HTTPConnection) -> Scrobbling:
    return _app(connection).scrobbling


async def scrobble_forwarding(connection: HTTPConnection) -> ScrobbleForwarding:
    return _app(connection).scrobble_forwarding


if TYPE_CHECKING:
    HistoryImportsDep = Annotated[HistoryImports, Depends(history_imports)]
else:  # the service's module is imported by the App when first used
    HistoryImportsDep = Annotated[object, Depends(history_imports)]
if TYPE_CHECKING:
    ScrobblingDep = Annotated[Scrobbling, Depends(scrobbling)]
else:  # the service's module is imported by the App when first used
    ScrobblingDep = Annotated[object, Depends(scrobbling)]
if TYPE_CHECKING:
    ScrobbleForwardingDep = Annotated[ScrobbleForwarding, Depends(scrobble_forwarding)]
else:  # the service's module is imported by the App when first used
    ScrobbleForwardingDep = Annotated[object, Depends(scrobble_forwarding)]


async def recommendation_service(connection: HTTPConnection) -> Recommendations:
    return _app(connection).recommendations


if TYPE_CHECKING:
    RecommendationsDep = Annotated[Recommendations, Depends(recommendation_service)]
else:  # the service's module is imported by the App when first used
    RecommendationsDep = Annotated[object, Depends(recommendation_service)]


async def offline_downloads(connection: HTTPConnection) -> OfflineDownloads:
    return _app(connection).offline


if TYPE_CHECKING:
    OfflineDep = Annotated[OfflineDownloads, Depends(offline_downloads)]
else:  # the service's module is imported by the App when first used
    OfflineDep = Annotated[object, Depends(offline_downloads)]


async def offline_keys(connection: HTTPConnection) -> OfflineKeys:
    return _app(connection).offline_keys


if TYPE_CHECKING:
    OfflineKeysDep = Annotated[OfflineKeys, Depends(offline_keys)]
else:  # the service's module is imported by the App when first used
    OfflineKeysDep = Annotated[object, Depends(offline_keys)]


async def peer_delivery(connection: HTTPConnection) -> PeerDelivery:
    return _app(connection).peer_delivery


if TYPE_CHECKING:
    PeerDeliveryDep = Annotated[PeerDelivery, Depends(peer_delivery)]
else:  # the service's module is imported by the App when first used
    PeerDeliveryDep = Annotated[object, Depends(peer_delivery)]


async def password_service(connection: HTTPConnection) -> PasswordService:
    return _app(connection).passwords


if TYPE_CHECKING:
    PasswordsDep = Annotated[PasswordService, Depends(password_service)]
else:  # the service's module is imported by the App when first used
    PasswordsDep = Annotated[object, Depends(password_service)]


async def plan_members(connection: HTTPConnection) -> PlanMembers:
    return _app(connection).plan_members


if TYPE_CHECKING:
    PlanMembersDep = Annotated[PlanMembers, Depends(plan_members)]
else:  # the service's module is imported by the App when first used
    PlanMembersDep = Annotated[object, Depends(plan_members)]


async def player_events(connection: HTTPConnection) -> PlayerEvents:
    return _app(connection).player_events


PlayerEventsDep = Annotated[PlayerEvents, Depends(player_events)]


async def player_service(connection: HTTPConnection) -> Player:
    return _app(connection).player


if TYPE_CHECKING:
    PlayerDep = Annotated[Player, Depends(player_service)]
else:  # the service's module is imported by the App when first used
    PlayerDep = Annotated[object, Depends(player_service)]


async def playlist_service(connection: HTTPConnection) -> Playlists:
    return _app(connection).playlists


if TYPE_CHECKING:
    PlaylistsDep = Annotated[Playlists, Depends(playlist_service)]
else:  # the service's module is imported by the App when first used
    PlaylistsDep = Annotated[object, Depends(playlist_service)]


async def price_list(connection: HTTPConnection) -> PriceList:
    return _app(connection).prices


PricesDep = Annotated[PriceList, Depends(price_list)]


async def remote_control(connection: HTTPConnection) -> RemoteControl:
    return _app(connection).remote


if TYPE_CHECKING:
    RemoteDep = Annotated[RemoteControl, Depends(remote_control)]
else:  # the service's module is imported by the App when first used
    RemoteDep = Annotated[object, Depends(remote_control)]


async def rip_watch(connection: HTTPConnection) -> RipWatch:
    return _app(connection).rip_watch


if TYPE_CHECKING:
    RipWatchDep = Annotated[RipWatch, Depends(rip_watch)]
else:  # the service's module is imported by the App when first used
    RipWatchDep = Annotated[object, Depends(rip_watch)]


async def fraud_watch(connection: HTTPConnection) -> FraudWatch:
    return _app(connection).fraud


if TYPE_CHECKING:
    FraudDep = Annotated[FraudWatch, Depends(fraud_watch)]
else:  # the service's module is imported by the App when first used
    FraudDep = Annotated[object, Depends(fraud_watch)]


async def search_service(connection: HTTPConnection) -> SearchService:
    return _app(connection).search


if TYPE_CHECKING:
    SearchDep = Annotated[SearchService, Depends(search_service)]
else:  # the service's module is imported by the App when first used
    SearchDep = Annotated[object, Depends(search_service)]


async def session_service(connection: HTTPConnection) -> SessionService:
    return _app(connection).sessions


if TYPE_CHECKING:
    SessionsDep = Annotated[SessionService, Depends(session_service)]
else:  # the service's module is imported by the App when first used
    SessionsDep = Annotated[object, Depends(session_service)]


async def settings(connection: HTTPConnection) -> Settings:
    return _app(connection).settings


SettingsDep = Annotated[Settings, Depends(settings)]


async def spoken_commands(connection: HTTPConnection) -> SpokenCommands:
    return _app(connection).spoken


if TYPE_CHECKING:
    SpokenDep = Annotated[SpokenCommands, Depends(spoken_commands)]
else:  # the service's module is imported by the App when first used
    SpokenDep = Annotated[object, Depends(spoken_commands)]


async def stream_access(connection: HTTPConnection) -> StreamAccess:
    return _app(connection).stream_access


if TYPE_CHECKING:
    StreamAccessDep = Annotated[StreamAccess, Depends(stream_access)]
else:  # the service's module is imported by the App when first used
    StreamAccessDep = Annotated[object, Depends(stream_access)]


async def stream_grants(connection: HTTPConnection) -> StreamGrants:
    return _app(connection).stream_grants


if TYPE_CHECKING:
    StreamGrantsDep = Annotated[StreamGrants, Depends(stream_grants)]
else:  # the service's module is imported by the App when first used
    StreamGrantsDep = Annotated[object, Depends(stream_grants)]


async def stream_tickets(connection: HTTPConnection) -> StreamTickets:
    return _app(connection).stream_tickets


if TYPE_CHECKING:
    StreamTicketsDep = Annotated[StreamTickets, Depends(stream_tickets)]
else:  # the service's module is imported by the App when first used
    StreamTicketsDep = Annotated[object, Depends(stream_tickets)]


async def student_queue(connection: HTTPConnection) -> AdminApprovalQueue:
    return _app(connection).students


if TYPE_CHECKING:
    StudentsDep = Annotated[AdminApprovalQueue, Depends(student_queue)]
else:  # the service's module is imported by the App when first used
    StudentsDep = Annotated[object, Depends(student_queue)]


async def subscription_service(connection: HTTPConnection) -> SubscriptionService:
    return _app(connection).subscriptions


if TYPE_CHECKING:
    SubscriptionsDep = Annotated[SubscriptionService, Depends(subscription_service)]
else:  # the service's module is imported by the App when first used
    SubscriptionsDep = Annotated[object, Depends(subscription_service)]


async def takedown_service(connection: HTTPConnection) -> Takedowns:
    return _app(connection).takedowns


if TYPE_CHECKING:
    TakedownsDep = Annotated[Takedowns, Depends(takedown_service)]
else:  # the service's module is imported by the App when first used
    TakedownsDep = Annotated[object, Depends(takedown_service)]


async def oauth_apps(connection: HTTPConnection) -> OAuthApps:
    return _app(connection).oauth_apps


if TYPE_CHECKING:
    OAuthAppsDep = Annotated[OAuthApps, Depends(oauth_apps)]
else:  # the service's module is imported by the App when first used
    OAuthAppsDep = Annotated[object, Depends(oauth_apps)]


async def oauth_server(connection: HTTPConnection) -> OAuthProtocol:
    return _app(connection).oauth_server


OAuthServerDep = Annotated[OAuthProtocol, Depends(oauth_server)]


async def external_sign_in(connection: HTTPConnection) -> ExternalSignIn:
    return _app(connection).external_sign_in


if TYPE_CHECKING:
    ExternalSignInDep = Annotated[ExternalSignIn, Depends(external_sign_in)]
else:  # the service's module is imported by the App when first used
    ExternalSignInDep = Annotated[object, Depends(external_sign_in)]


async def two_factor_service(connection: HTTPConnection) -> TwoFactorService:
    return _app(connection).two_factor


if TYPE_CHECKING:
    TwoFactorDep = Annotated[TwoFactorService, Depends(two_factor_service)]
else:  # the service's module is imported by the App when first used
    TwoFactorDep = Annotated[object, Depends(two_factor_service)]


def _bearer(authorization: str | None) -> str | None:
    scheme, _, token = (authorization or "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def _distributor(
    distributors: DistributorAccess,
    sessions: SessionService,
    key: str | None,
    authorization: str | None,
    scope: Scope,
    *,
    required: bool,
) -> int | None:
    """Who delivers: an API key (X-Distributor-Key), or a distributor account's access token."""
    if key is not None:
        return distributors.by_key(key, scope)
    token = _bearer(authorization)
    if token is None:
        if required:
            raise Unauthorized(
                "send a distributor API key in X-Distributor-Key, or a distributor account's "
                "access token",
                code="distributor_key_required",
            )
        return None
    claims = sessions.authenticate(token)
    try:
        return distributors.by_account(claims.account_id)
    except Forbidden:
        if required:
            raise
        return None


def reading_distributor(
    distributors: DistributorsDep,
    sessions: SessionsDep,
    x_distributor_key: Annotated[str | None, Header(max_length=200)] = None,
    authorization: Annotated[str | None, Header(max_length=4000)] = None,
) -> int | None:
    return _distributor(
        distributors,
        sessions,
        x_distributor_key,
        authorization,
        Scope.RELEASES_READ,
        required=False,
    )


def delivering_distributor(
    distributors: DistributorsDep,
    sessions: SessionsDep,
    x_distributor_key: Annotated[str | None, Header(max_length=200)] = None,
    authorization: Annotated[str | None, Header(max_length=4000)] = None,
) -> int:
    found = _distributor(
        distributors,
        sessions,
        x_distributor_key,
        authorization,
        Scope.RELEASES_WRITE,
        required=True,
    )
    assert found is not None
    return found


def listing_distributor(
    distributors: DistributorsDep,
    sessions: SessionsDep,
    x_distributor_key: Annotated[str | None, Header(max_length=200)] = None,
    authorization: Annotated[str | None, Header(max_length=4000)] = None,
) -> int:
    found = _distributor(
        distributors,
        sessions,
        x_distributor_key,
        authorization,
        Scope.RELEASES_READ,
        required=True,
    )
    assert found is not None
    return found


DistributorId = Annotated[int, Depends(delivering_distributor)]
ReadingDistributorId = Annotated[int, Depends(listing_distributor)]


def viewer(
    sessions: SessionsDep,
    subscriptions: SubscriptionsDep,
    clock: ClockDep,
    settings: SettingsDep,
    distributor: Annotated[int | None, Depends(reading_distributor)],
    authorization: Annotated[str | None, Header(max_length=4000)] = None,
    country: Annotated[
        str | None,
        Query(
            min_length=2,
            max_length=2,
            description="ISO country of an anonymous listener; a signed-in one's is their own",
        ),
    ] = None,
) -> Viewer:
    token = _bearer(authorization)
    if token is not None and distributor is None:
        account_id = sessions.authenticate(token).account_id
        listener = subscriptions.listener(account_id)
        return Viewer(
            country=listener.country,
            now=clock.now(),
            allow_explicit=listener.allow_explicit,
            listener_id=account_id,
        )
    code = (country or settings.default_country or "").upper() or None
    if code is not None and code not in ISO_COUNTRIES:
        raise InvalidRequest(f"unknown country code {code!r}", code="unknown_country")
    return Viewer(country=code, now=clock.now(), distributor_id=distributor)


ViewerDep = Annotated[Viewer, Depends(viewer)]


def current_session(
    sessions: SessionsDep, authorization: Annotated[str | None, Header()] = None
) -> AccessClaims:
    token = _bearer(authorization)
    if token is None:
        raise Unauthorized(
            "send an access token: Authorization: Bearer <token>", code="authentication_required"
        )
    return sessions.authenticate(token)


CurrentSession = Annotated[AccessClaims, Depends(current_session)]


def admin_session(session: CurrentSession, admin: AccountAdminDep) -> AccessClaims:
    """A signed-in admin: 401 without a session, 403 for anyone else."""
    admin.require_admin(session.account_id)
    return session


AdminSession = Annotated[AccessClaims, Depends(admin_session)]


def optional_session(
    sessions: SessionsDep, authorization: Annotated[str | None, Header()] = None
) -> AccessClaims | None:
    """The signed-in account when the request carries a token; None for anonymous requests."""
    return current_session(sessions, authorization) if _bearer(authorization) else None


OptionalSession = Annotated[AccessClaims | None, Depends(optional_session)]


def client_ip(request: Request) -> str | None:
    return request.client.host if request.client else None


ClientIp = Annotated[str | None, Depends(client_ip)]


async def podcasts_service(connection: HTTPConnection) -> Podcasts:
    return _app(connection).podcasts


async def podcast_listening_service(connection: HTTPConnection) -> PodcastListening:
    return _app(connection).podcast_listening


async def podcast_hosting_service(connection: HTTPConnection) -> PodcastHosting:
    return _app(connection).podcast_hosting


async def episode_remote_service(connection: HTTPConnection) -> EpisodeRemote:
    return _app(connection).episode_remote


if TYPE_CHECKING:
    PodcastsDep = Annotated[Podcasts, Depends(podcasts_service)]
    PodcastListeningDep = Annotated[PodcastListening, Depends(podcast_listening_service)]
    PodcastHostingDep = Annotated[PodcastHosting, Depends(podcast_hosting_service)]
    EpisodeRemoteDep = Annotated[EpisodeRemote, Depends(episode_remote_service)]
else:  # the services' modules are imported by the App when first used
    PodcastsDep = Annotated[object, Depends(podcasts_service)]
    PodcastListeningDep = Annotated[object, Depends(podcast_listening_service)]
    PodcastHostingDep = Annotated[object, Depends(podcast_hosting_service)]
    EpisodeRemoteDep = Annotated[object, Depends(episode_remote_service)]
