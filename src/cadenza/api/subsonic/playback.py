"""OpenSubsonic's playbackReport: an app reports each song's timeline as it plays (starting,
playing, paused, stopped, with the position), which become the listening service's events
(start, progress, pause, end): the play is judged as the web player's are, and the listener's
history and what plays now follow it."""

from __future__ import annotations

import secrets
from dataclasses import replace

from cadenza.api.subsonic import shapes
from cadenza.api.subsonic.call import Call
from cadenza.api.subsonic.library import NOW_PLAYING, Playing, listening_event
from cadenza.api.subsonic.params import item_id
from cadenza.api.subsonic.render import Node, SubsonicError
from cadenza.domain.listening import EventKind

STATES = {
    "starting": EventKind.START,
    "playing": EventKind.PROGRESS,
    "paused": EventKind.PAUSE,
    "stopped": EventKind.END,
}


def report_playback(call: Call) -> Node:
    if call.params.required("mediaType") != "song":
        raise SubsonicError(0, "only songs are reported here")
    track_id = item_id(call.params.required("mediaId"), shapes.SONG)
    state = call.params.required("state")
    if state not in STATES:
        raise SubsonicError(0, "state is starting, playing, paused or stopped")
    position = call.params.int("positionMs", None, 0, 24 * 3600 * 1000)
    track, _ = call.app.catalog.track(track_id, call.viewer)
    position = min(position, track.duration_ms)
    now = call.app.clock.now()
    device = f"subsonic:{call.client}"[:32]
    playing = NOW_PLAYING.of(call.account_id, now)
    kind = STATES[state]
    fresh = playing is None or playing.track_id != track_id or not playing.reported
    if fresh and kind is EventKind.END:
        return {}  # a song never reported as started: nothing to end
    if kind is EventKind.START or fresh:
        play_id = f"sr-{secrets.token_hex(8)}"
        playing = Playing(track_id, play_id, now, call.client, True, state, position)
        kind = EventKind.START
    else:
        assert playing is not None
        if kind is EventKind.PROGRESS and playing.state == "paused":
            kind = EventKind.RESUME
        playing = replace(playing, state=state, position_ms=position)
    if state == "stopped":
        NOW_PLAYING.end(call.account_id, playing.play_id)
    else:
        NOW_PLAYING.start(call.account_id, playing)
    if call.params.bool("ignoreScrobble"):
        return {}
    serial = secrets.token_hex(4)
    event = listening_event(
        playing.play_id, f"{state}-{serial}", kind, track_id, device, position, now
    )
    call.app.listening.record(call.account_id, [event])
    return {}
