"""The listener's own: stars (likes, saved albums, followed artists), ratings, starred lists,
scrobbles (history through the listening service), what plays now, the play queue (the
server-side player), and playlists."""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from cadenza.api.subsonic import shapes
from cadenza.api.subsonic.call import Call
from cadenza.api.subsonic.params import item_id
from cadenza.api.subsonic.render import Node, SubsonicError
from cadenza.domain.entitlements import Context
from cadenza.domain.listening import EventKind, ListeningEvent, PlaySource
from cadenza.domain.playlists import Playlist
from cadenza.services.collection import SavedKind
from cadenza.services.playlists import Details

MAX_STARRED = 500
NOW_PLAYING_FOR = timedelta(minutes=30)


def _kinds(call: Call) -> dict[SavedKind, list[int]]:
    """star/unstar's ids: `id` (songs, or any kind by its prefix), `albumId`, `artistId`."""
    picked: dict[SavedKind, list[int]] = {k: [] for k in SavedKind}
    for raw in call.params.all("id"):
        if raw.startswith(shapes.ALBUM):
            picked[SavedKind.RELEASE].append(item_id(raw, shapes.ALBUM))
        elif raw.startswith(shapes.ARTIST):
            picked[SavedKind.ARTIST].append(item_id(raw, shapes.ARTIST))
        else:
            picked[SavedKind.TRACK].append(item_id(raw, shapes.SONG))
    picked[SavedKind.RELEASE] += [item_id(r, shapes.ALBUM) for r in call.params.all("albumId")]
    picked[SavedKind.ARTIST] += [item_id(r, shapes.ARTIST) for r in call.params.all("artistId")]
    if not any(picked.values()):
        raise SubsonicError(10, "required parameter is missing: id, albumId or artistId")
    return picked


def star(call: Call) -> Node:
    for kind, ids in _kinds(call).items():
        if ids:
            call.app.collection.save(kind, call.account_id, ids)
    return {}


def unstar(call: Call) -> Node:
    for kind, ids in _kinds(call).items():
        if ids:
            call.app.collection.unsave(kind, call.account_id, ids)
    return {}


def set_rating(call: Call) -> Node:
    raw = call.params.required("id")
    rating = call.params.int("rating")
    if not 0 <= rating <= 5:
        raise SubsonicError(0, "rating must be 0 (none) to 5")
    if raw.startswith(shapes.ALBUM):
        kind, found = "release", item_id(raw, shapes.ALBUM)
        call.app.catalog.release(found, call.viewer)
    elif raw.startswith(shapes.ARTIST):
        kind, found = "artist", item_id(raw, shapes.ARTIST)
        call.app.catalog.artist(found, call.viewer)
    else:
        kind, found = "track", item_id(raw, shapes.SONG)
        call.app.catalog.track(found, call.viewer)
    call.app.shelf.rate(call.account_id, kind, found, rating)
    return {}


def starred2(call: Call) -> Node:
    collection = call.app.collection
    followed, _ = collection.artists(call.account_id, MAX_STARRED, 0)
    saved, _ = collection.releases(call.account_id, MAX_STARRED, 0)
    liked, _ = collection.liked(call.account_id, MAX_STARRED, 0)
    marks = call.marks(
        tracks=[s.id for s, _ in liked],
        releases=[s.release_id for s in saved],
        artists=[a.artist_id for a in followed],
    )
    return {
        "starred2": {
            "artist": [
                shapes.artist(a.artist_id, a.name or "", 0, marks) for a in followed if a.name
            ],
            "album": call.albums([s.release for s in saved if s.release is not None]),
            "song": [
                shapes.song(c.track, c.release, marks, call.listed_quality)
                for _, c in liked
                if c.playable and c.track is not None and c.release is not None
            ],
        }
    }


# -- scrobbles and what plays now --------------------------------------------------------
@dataclass(frozen=True)
class Playing:
    track_id: int
    play_id: str
    started_at: datetime
    client: str
    reported: bool = False  # its app reports playback (reportPlayback): its events are in
    state: str = "playing"
    position_ms: int = 0


class NowPlaying:
    """What each listener's Subsonic app said it plays (`scrobble` with submission=false), in
    this process (several server processes each know their own apps')."""

    def __init__(self) -> None:
        self._by_account: dict[int, Playing] = {}
        self._lock = threading.Lock()

    def start(self, account_id: int, playing: Playing) -> None:
        with self._lock:
            self._by_account[account_id] = playing

    def of(self, account_id: int, now: datetime) -> Playing | None:
        found = self._by_account.get(account_id)
        return found if found is not None and now - found.started_at < NOW_PLAYING_FOR else None

    def end(self, account_id: int, play_id: str) -> None:
        with self._lock:
            found = self._by_account.get(account_id)
            if found is not None and found.play_id == play_id:
                del self._by_account[account_id]


NOW_PLAYING = NowPlaying()


def scrobble(call: Call) -> Node:
    """submission=false: the song starts now (a start event); true: it was played (an end
    event, its time listened at most the song's length and the time since it started). The
    listening service decides what counts (a stream served for it, 30 s heard...)."""
    ids = [item_id(r, shapes.SONG) for r in call.params.all("id")]
    if not ids:
        raise SubsonicError(10, "required parameter is missing: id")
    times = call.params.all("time")
    submission = call.params.bool("submission", True)
    now = call.app.clock.now()
    device = f"subsonic:{call.client}"[:32]
    events: list[ListeningEvent] = []
    for index, track_id in enumerate(ids[:50]):
        track, _ = call.app.catalog.track(track_id, call.viewer)
        at = _time(times[index]) if index < len(times) else None
        playing = NOW_PLAYING.of(call.account_id, now)
        if not submission:
            play_id = f"ss-{secrets.token_hex(8)}"
            started = min(at or now, now)
            NOW_PLAYING.start(call.account_id, Playing(track_id, play_id, started, call.client))
            events.append(
                listening_event(play_id, "start", EventKind.START, track_id, device, 0, started)
            )
            continue
        if playing is not None and playing.track_id == track_id and playing.reported:
            continue  # its app reported the play as it went: nothing more to add
        if playing is not None and playing.track_id == track_id:
            play_id, started = playing.play_id, playing.started_at
            NOW_PLAYING.end(call.account_id, play_id)
        else:
            play_id = f"ss-{secrets.token_hex(8)}"
            started = min(at or now - timedelta(milliseconds=track.duration_ms), now)
            events.append(
                listening_event(play_id, "start", EventKind.START, track_id, device, 0, started)
            )
        heard = min(track.duration_ms, int((now - started).total_seconds() * 1000))
        events.append(
            listening_event(play_id, "end", EventKind.END, track_id, device, max(0, heard), now)
        )
    call.app.listening.record(call.account_id, events)
    return {}


def _time(raw: str) -> datetime | None:
    try:
        return datetime.fromtimestamp(int(raw) / 1000, UTC)
    except (ValueError, OverflowError, OSError):
        return None


def listening_event(
    play_id: str,
    name: str,
    kind: EventKind,
    track_id: int,
    device: str,
    position: int,
    at: datetime,
) -> ListeningEvent:
    return ListeningEvent(
        client_id=f"{play_id}-{name}",
        play_id=play_id,
        kind=kind,
        track_id=track_id,
        device=device,
        position_ms=position,
        at=at,
        source=PlaySource.OTHER if kind is EventKind.START else None,
    )


def now_playing(call: Call) -> Node:
    """The listener's own app's song: a listener's listening is theirs alone."""
    now = call.app.clock.now()
    playing = NOW_PLAYING.of(call.account_id, now)
    if playing is None:
        return {"nowPlaying": {"entry": []}}
    picked = call.app.shelf.songs([playing.track_id], call.viewer)
    entries = [
        node
        | {
            "username": call.who.username,
            "minutesAgo": int((now - playing.started_at).total_seconds() // 60),
            "playerId": 1,
            "playerName": playing.client,
            "state": playing.state if playing.reported else None,
            "positionMs": playing.position_ms if playing.reported else None,
        }
        for node in call.songs(picked)
    ]
    return {"nowPlaying": {"entry": entries}}


# -- the play queue: the server-side player --------------------------------------------------
def play_queue(call: Call) -> Node:
    state = call.app.player.state(call.account_id)
    order = [state.tracks[i] for i in state.order] if state.order else list(state.tracks)
    ids = list(dict.fromkeys([*order, *state.queue]))
    if not ids:
        return {}
    now = call.app.clock.now()
    return {
        "playQueue": {
            "current": f"{shapes.SONG}{state.current}" if state.current else None,
            "position": state.progress_at(now),
            "username": call.who.username,
            "changed": state.updated_at or now,
            "changedBy": "cadenza",
            "entry": call.song_ids(ids),
        }
    }


def save_play_queue(call: Call) -> Node:
    ids = list(dict.fromkeys(item_id(r, shapes.SONG) for r in call.params.all("id")))
    player = call.app.player
    if not ids:
        player.pause(call.account_id)
        return {}
    raw = call.params.get("current")
    current = item_id(raw, shapes.SONG) if raw else None
    offset = ids.index(current) if current in ids else None
    player.play(
        call.account_id,
        context=Context.TRACK,
        context_id=None,
        track_ids=ids,
        offset=offset,
        device=None,
    )
    player.pause(call.account_id)
    position = call.params.int("position", 0, 0, 24 * 3600 * 1000)
    if position:
        player.seek(call.account_id, position)
    return {}


# -- playlists -----------------------------------------------------------------------------
def playlists(call: Call) -> Node:
    found = call.app.playlists.of_listener(call.account_id)
    lengths = call.app.shelf.playlist_durations([p.id for p, _ in found])
    return {
        "playlists": {
            "playlist": [shapes.playlist(p, lengths[p.id], _owner(call, p)) for p, _ in found],
        }
    }


def playlist(call: Call) -> Node:
    playlist_id = item_id(call.params.required("id"), shapes.PLAYLIST)
    return {"playlist": _playlist_with_songs(call, playlist_id)}


def _playlist_with_songs(call: Call, playlist_id: int) -> Node:
    found, _ = call.app.playlists.get(playlist_id, call.account_id)
    items = call.app.playlists.items(playlist_id, call.account_id, call.viewer, 10_000, 0)
    picked = [
        (i.card.track, i.card.release)
        for i in items
        if i.card.playable and i.card.track is not None and i.card.release is not None
    ]
    duration = sum(t.duration_ms for t, _ in picked)
    node = shapes.playlist(found, duration, _owner(call, found))
    node["readonly"] = found.owner_id != call.account_id
    return node | {"entry": call.songs(picked)}


def _owner(call: Call, found: Playlist) -> str:
    """The listener's own playlists name them as their app signs in (apps compare the two
    to offer editing); others' show their owner's display name."""
    return call.who.username if found.owner_id == call.account_id else found.owner_name


def create_playlist(call: Call) -> Node:
    songs = [item_id(r, shapes.SONG) for r in call.params.all("songId")]
    service = call.app.playlists
    existing = call.params.get("playlistId")
    if existing:  # replace an existing playlist's songs
        playlist_id = item_id(existing, shapes.PLAYLIST)
        found, _ = service.get(playlist_id, call.account_id)
        if found.total:
            service.remove(
                call.account_id, playlist_id, [(t, None) for t in _track_ids(call, playlist_id)]
            )
        if call.params.get("name"):
            service.change(call.account_id, playlist_id, Details(name=call.params.required("name")))
    else:
        made = service.create(call.account_id, call.params.required("name"), public=False)
        playlist_id = made.id
    if songs:
        service.add(call.account_id, playlist_id, songs)
    return {"playlist": _playlist_with_songs(call, playlist_id)}


def _track_ids(call: Call, playlist_id: int) -> list[int]:
    items = call.app.playlists.items(playlist_id, call.account_id, call.viewer, 10_000, 0)
    return list(dict.fromkeys(i.entry.track_id for i in items))


def update_playlist(call: Call) -> Node:
    playlist_id = item_id(call.params.required("playlistId"), shapes.PLAYLIST)
    service, params = call.app.playlists, call.params
    name, comment = params.get("name"), params.get("comment")
    public = params.bool("public") if params.has("public") else None
    if name is not None or comment is not None or public is not None:
        service.change(
            call.account_id, playlist_id, Details(name=name, description=comment, public=public)
        )
    positions = sorted({_index(r) for r in params.all("songIndexToRemove")})
    if positions:
        items = service.items(playlist_id, call.account_id, call.viewer, 10_000, 0)
        at = {i.position: i.entry.track_id for i in items}
        picks: list[tuple[int, int | None]] = [(at[p], p) for p in positions if p in at]
        if picks:
            service.remove(call.account_id, playlist_id, picks)
    added = [item_id(r, shapes.SONG) for r in params.all("songIdToAdd")]
    if added:
        service.add(call.account_id, playlist_id, added)
    return {}


def _index(raw: str) -> int:
    if not raw.isdigit():
        raise SubsonicError(0, "songIndexToRemove must be a position from 0")
    return int(raw)


def delete_playlist(call: Call) -> Node:
    call.app.playlists.delete(call.account_id, item_id(call.params.required("id"), shapes.PLAYLIST))
    return {}
