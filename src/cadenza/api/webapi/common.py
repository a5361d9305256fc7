"""What every /v1 route shares: the caller's catalog viewer, links on this server, and the
shaping of catalog views into Web API objects (with each album's real track count)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, Query, Request

from cadenza.api.app_caller import AppCaller, CatalogCaller, needs
from cadenza.api.deps import CatalogDep, ClockDep, ListeningDep, SettingsDep, SubscriptionsDep
from cadenza.api.webapi import shapes
from cadenza.domain.catalog import ArtistRef, ReleaseView, TrackView, Viewer
from cadenza.domain.errors import CadenzaError, InvalidRequest
from cadenza.domain.territories import ISO_COUNTRIES
from cadenza.services.catalog import CatalogService

TAG = "web-api"


Caller = Annotated[AppCaller, Depends(needs())]  # any listener's token: no scope needed
# Catalog reads also serve an app's own client-credentials token (None), as Spotify's do.
Reader = CatalogCaller


def market(
    market: Annotated[
        str | None,
        Query(
            max_length=11,
            description="ISO 3166-1 alpha-2 or `from_token`; the listener's own country applies",
        ),
    ] = None,
) -> str | None:
    if market is None or market == "from_token":
        return market
    if market.upper() not in ISO_COUNTRIES:
        raise InvalidRequest(f"invalid market code {market[:11]!r}", code="invalid_market")
    return market.upper()


Market = Annotated[str | None, Depends(market)]


def web_viewer(
    caller: CatalogCaller,
    subscriptions: SubscriptionsDep,
    clock: ClockDep,
    settings: SettingsDep,
    market: Market = None,
) -> Viewer:
    """The listener as the catalog sees them: their own country (a `market` parameter can
    never widen it), their explicit filter, their private playlists (the playlist routes ask
    playlist-read-private of an app). An app's own token sees the catalog of `market` (else the
    server's default country) as nobody in particular."""
    if caller is None:
        country = market if market not in (None, "from_token") else settings.default_country
        return Viewer(country=country, now=clock.now())
    listener = subscriptions.listener(caller.account_id)
    return Viewer(
        country=listener.country,
        now=clock.now(),
        allow_explicit=listener.allow_explicit,
        listener_id=caller.account_id,
    )


WebViewer = Annotated[Viewer, Depends(web_viewer)]


def links(request: Request) -> shapes.Links:
    return shapes.Links(str(request.base_url).rstrip("/"))


LinksDep = Annotated[shapes.Links, Depends(links)]


Limit = Annotated[int, Query(ge=1, le=50, description="How many, 1 to 50")]
Offset = Annotated[int, Query(ge=0, le=100_000, description="Skip this many")]


@dataclass
class Shaper:
    """Catalog views into Web API objects, for one request."""

    links: shapes.Links
    catalog: CatalogService
    viewer: Viewer
    streams: Callable[[int], int]  # a track's counted streams, all time
    _totals: dict[int, int] = field(default_factory=dict)

    def total_tracks(self, release: ReleaseView) -> int:
        """The album's tracks as this listener sees them (read once per album a request)."""
        if release.tracks:
            return len(release.tracks)
        if release.id not in self._totals:
            try:
                self._totals[release.id] = len(self.catalog.release(release.id, self.viewer).tracks)
            except CadenzaError:
                self._totals[release.id] = 0
        return self._totals[release.id]

    def album(self, release: ReleaseView, group: str | None = None) -> shapes.SimpleAlbumOut:
        return shapes.simple_album(self.links, release, self.total_tracks(release), group)

    def track(self, track: TrackView, release: ReleaseView) -> shapes.TrackOut:
        popularity = shapes.popularity(self.streams(track.id))
        return shapes.track(self.links, track, self.album(release), popularity)

    def artist(self, ref: ArtistRef, genres: tuple[str, ...] = ()) -> shapes.ArtistOut:
        return shapes.artist(self.links, ref, genres)


def shaper(
    links: LinksDep, catalog: CatalogDep, viewer: WebViewer, listening: ListeningDep
) -> Shaper:
    return Shaper(links, catalog, viewer, listening.streams)


ShaperDep = Annotated[Shaper, Depends(shaper)]
