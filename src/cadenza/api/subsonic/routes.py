"""The /rest router: every endpoint at `/rest/NAME` and `/rest/NAME.view`, by GET or POST
(form-encoded parameters too, OpenSubsonic's formPost), answered in XML or JSON (`f=json`).
Handlers are listed once, by name, in HANDLERS; refusals of the services become the
protocol's error codes."""

from __future__ import annotations

import math
from collections.abc import Callable

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from cadenza.api.subsonic import browse, folders, library, media, playback, system
from cadenza.api.subsonic.auth import identify
from cadenza.api.subsonic.call import Call
from cadenza.api.subsonic.params import Params
from cadenza.api.subsonic.render import Node, SubsonicError, answer, failure
from cadenza.bootstrap import App
from cadenza.domain.errors import (
    CadenzaError,
    Forbidden,
    InvalidRequest,
    NotFound,
    TooManyAttempts,
    Unauthorized,
)

router = APIRouter(prefix="/rest", tags=["opensubsonic"])

HANDLERS: dict[str, Callable[[Call], Node]] = {
    "ping": system.ping,
    "getLicense": system.license_info,
    "getUser": system.user,
    "tokenInfo": system.token_info,
    "getMusicFolders": browse.music_folders,
    "getIndexes": browse.indexes,
    "getArtists": browse.artists,
    "getArtist": browse.artist,
    "getArtistInfo2": browse.artist_info2,
    "getAlbum": browse.album,
    "getAlbumInfo2": browse.album_info2,
    "getSong": browse.song,
    "getGenres": browse.genres,
    "getAlbumList2": browse.album_list2,
    "getRandomSongs": browse.random_songs,
    "getSongsByGenre": browse.songs_by_genre,
    "getSimilarSongs2": browse.similar_songs2,
    "getTopSongs": browse.top_songs,
    "getLyricsBySongId": browse.lyrics_by_song_id,
    "search3": browse.search3,
    "star": library.star,
    "unstar": library.unstar,
    "setRating": library.set_rating,
    "getStarred2": library.starred2,
    "scrobble": library.scrobble,
    "reportPlayback": playback.report_playback,
    "getNowPlaying": library.now_playing,
    "getPlayQueue": library.play_queue,
    "savePlayQueue": library.save_play_queue,
    "getPlaylists": library.playlists,
    "getPlaylist": library.playlist,
    "createPlaylist": library.create_playlist,
    "updatePlaylist": library.update_playlist,
    "deletePlaylist": library.delete_playlist,
    "getMusicDirectory": folders.music_directory,
    "getAlbumList": folders.album_list,
    "getStarred": folders.starred,
    "search2": folders.search2,
    "getArtistInfo": folders.artist_info,
    "getAlbumInfo": folders.album_info,
    "getSimilarSongs": folders.similar_songs,
}
# Endpoints that answer with bytes (audio, images); their refusals are Subsonic answers.
MEDIA: dict[str, Callable[[Call, str | None], Response]] = {
    "stream": media.stream,
    "download": media.download,
    "getCoverArt": lambda call, _: media.cover_art(call),
}
PUBLIC: dict[str, Callable[[], Node]] = {"getOpenSubsonicExtensions": system.extensions}
ENDPOINTS = sorted([*HANDLERS, *MEDIA, *PUBLIC])
FORM = "application/x-www-form-urlencoded"


@router.get(
    "/{endpoint}",
    response_class=Response,
    operation_id="subsonic_get",
    summary="OpenSubsonic: every endpoint, its parameters in the query (the README's table)",
)
@router.head("/{endpoint}", response_class=Response, include_in_schema=False)
@router.post(
    "/{endpoint}",
    response_class=Response,
    operation_id="subsonic_post",
    summary="OpenSubsonic: every endpoint, its parameters in the query or a form (formPost)",
)
async def subsonic(endpoint: str, request: Request) -> Response:
    pairs = list(request.query_params.multi_items())
    if request.method == "POST" and request.headers.get("content-type", "").startswith(FORM):
        form = await request.form()
        pairs += [(k, v) for k, v in form.multi_items() if isinstance(v, str)]
    app: App = request.app.state.cadenza
    ip = request.client.host if request.client else None
    headers = {"if-none-match": request.headers.get("if-none-match")}
    return await run_in_threadpool(_answer, app, endpoint, Params(pairs), ip, headers)


def _answer(
    app: App, endpoint: str, params: Params, ip: str | None, headers: dict[str, str | None]
) -> Response:
    fmt = "json" if (params.get("f") or "").lower() in ("json", "jsonp") else "xml"
    name = endpoint.removesuffix(".view")
    extra: dict[str, str] = {}
    try:
        if name in PUBLIC:
            return answer(PUBLIC[name](), fmt)
        if name not in HANDLERS and name not in MEDIA:
            raise SubsonicError(70, f"no such endpoint: {name[:60]}")
        who = identify(params, app.app_access, ip, app.settings.subsonic_plain_passwords)
        call = Call(app, who, params, (params.get("c") or "app")[:40], ip)
        if name in MEDIA:
            return MEDIA[name](call, headers.get("if-none-match"))
        return answer(HANDLERS[name](call), fmt)
    except SubsonicError as refused:
        return failure(refused, fmt, extra)
    except CadenzaError as refused:
        if isinstance(refused, TooManyAttempts):
            extra["Retry-After"] = str(math.ceil(refused.retry_after))
        return failure(_translated(refused), fmt, extra)


def _translated(refused: CadenzaError) -> SubsonicError:
    if isinstance(refused, NotFound):
        return SubsonicError(70, refused.message)
    if isinstance(refused, Forbidden):
        return SubsonicError(50, f"{refused.message} ({refused.code})")
    if isinstance(refused, Unauthorized):
        return SubsonicError(40, refused.message)
    if isinstance(refused, InvalidRequest) and refused.code == "missing_parameter":
        return SubsonicError(10, refused.message)
    return SubsonicError(0, f"{refused.message} ({refused.code})")
