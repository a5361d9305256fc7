"""Audio and covers: `stream` within the listener's plan (maxBitRate and format pick the
quality; the plan caps it), `download` (Premium, where the operator allows plain files),
`getCoverArt` at the size asked."""

from __future__ import annotations

from fastapi.responses import Response

from cadenza.api.granted_audio import audio_answer, blob_size, redirect_seconds
from cadenza.api.stored_blob import stored_blob_response
from cadenza.api.subsonic import shapes
from cadenza.api.subsonic.call import Call
from cadenza.api.subsonic.params import item_id
from cadenza.api.subsonic.render import SubsonicError
from cadenza.domain.audio import LOSSY_LADDER, Quality
from cadenza.domain.errors import NotFound
from cadenza.services.stream_grants import StreamGrant

LOSSLESS_FORMATS = ("flac", "raw")
SESSIONLESS = 0  # a Subsonic app has no session of Cadenza's: refused while a device plays


def qualities(allowed: tuple[Quality, ...], max_kbps: int, fmt: str) -> list[Quality]:
    """The files to try, best first: lossless where the app asks for FLAC or the original and
    the plan allows it; then the plan's Opus tiers under the bit rate asked (0: no limit); then
    the lower ones (a track may lack a tier)."""
    lossy = [q for q in reversed(LOSSY_LADDER) if q in allowed]
    fitting = [q for q in lossy if max_kbps == 0 or (q.bitrate_kbps or 0) <= max_kbps]
    wanted = fitting or lossy[-1:]
    if (
        fmt in LOSSLESS_FORMATS
        and Quality.LOSSLESS in allowed
        and (max_kbps == 0 or max_kbps >= 1000)
    ):
        wanted = [Quality.LOSSLESS, *wanted]
    return wanted + [q for q in lossy if q not in wanted]


def granted(call: Call, track_id: int, wanted: list[Quality], *, stream: bool) -> StreamGrant:
    """The first of the qualities the track has, as the plan's rules grant it (one stream per
    account, ad breaks, explicit filter, territory...)."""
    for quality in wanted:
        try:
            if stream:
                access = call.app.stream_access
                return access.direct(
                    call.account_id, SESSIONLESS, track_id, quality, None, call.listener
                )
            return call.app.stream_grants.grant(call.account_id, track_id, quality, call.listener)
        except NotFound as missing:
            if missing.code != "quality_unavailable":
                raise
    raise SubsonicError(70, "this song has no audio here")


def stream(call: Call, if_none_match: str | None) -> Response:
    track_id = item_id(call.params.required("id"), shapes.SONG)
    allowed = call.listener.plan.features.qualities
    fmt = (call.params.get("format") or "").lower()
    wanted = qualities(allowed, call.params.int("maxBitRate", 0, 0, 100_000), fmt)
    grant = granted(call, track_id, wanted, stream=True)
    quality = grant.quality
    blobs = call.app.blobs
    size = blob_size(blobs, grant.blob)
    counted = call.app.rip_watch.counter(
        call.account_id, track_id, quality, size, grant.duration_ms
    )
    name = f"{track_id}-{quality.value}.{quality.extension}"
    offset = call.params.int("timeOffset", 0, 0, 24 * 3600)
    if 0 < offset * 1000 < grant.duration_ms:  # transcodeOffset: the rest of the song from there
        with blobs.open(grant.blob) as source:
            rest = call.app.audio_from_offset.from_offset(source, float(offset))
        counted(len(rest))
        headers = {"content-disposition": f'inline; filename="{name}"', "cache-control": "private"}
        return Response(rest, media_type=grant.media_type, headers=headers)
    return audio_answer(
        blobs,
        grant.blob,
        grant.media_type,
        name,
        if_none_match,
        on_sent=counted,
        redirect_seconds=redirect_seconds(call.app.settings),
    )


def download(call: Call, if_none_match: str | None) -> Response:
    features = call.listener.plan.features
    if not call.app.settings.subsonic_downloads:
        raise SubsonicError(50, "Downloads of plain files are turned off on this server.")
    if features.offline_devices == 0:
        raise SubsonicError(50, "Downloads are part of Premium.")
    track_id = item_id(call.params.required("id"), shapes.SONG)
    grant = granted(call, track_id, qualities(features.qualities, 0, "raw"), stream=False)
    name = f"{track_id}.{grant.quality.extension}"
    return audio_answer(
        call.app.blobs,
        grant.blob,
        grant.media_type,
        name,
        if_none_match,
        on_sent=lambda _: None,
        redirect_seconds=redirect_seconds(call.app.settings),
    )


def cover_art(call: Call) -> Response:
    raw = call.params.required("id")
    size = call.params.int("size", 0, 0, 10_000)
    if raw.startswith(shapes.ARTIST):
        found = call.app.catalog.artist(item_id(raw, shapes.ARTIST), call.viewer)
        releases = [r for r in found.all_releases if r.covers]
        if not releases:
            raise NotFound("no cover art")
        covers = releases[0].covers
    elif raw.startswith(shapes.SONG):
        _, release = call.app.catalog.track(item_id(raw, shapes.SONG), call.viewer)
        covers = release.covers
    else:
        covers = call.app.catalog.release(item_id(raw, shapes.ALBUM), call.viewer).covers
    if not covers:
        raise NotFound("no cover art")
    fitting = [s for s in sorted(covers) if s >= size] if size else []
    chosen = fitting[0] if fitting else max(covers)
    blob = covers[chosen]
    return stored_blob_response(
        call.app.blobs,
        blob,
        "image/jpeg",
        {"cache-control": "public, max-age=86400", "etag": f'"{blob}"'},
    )
