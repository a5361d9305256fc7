"""The server-side player: every command goes through the entitlements, so on Free a release
plays shuffled and the server picks the next track, skips are counted, and an ad break holds
the next track when it is due. One device plays per account at a time."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, fields, replace
from datetime import datetime

from cadenza.domain import player as rules
from cadenza.domain.audio import Quality
from cadenza.domain.catalog import TrackToPlay, Viewer
from cadenza.domain.entitlements import Context, Entitlements, Listener, Listening, require
from cadenza.domain.errors import CadenzaError, Conflict, Forbidden, InvalidRequest, NotFound
from cadenza.domain.events import PlayerChanged, TrackFinished
from cadenza.domain.player import PlayerState, Repeat
from cadenza.ports.ads import SkipsAndAdBreaks
from cadenza.ports.clock import Clock
from cadenza.ports.unit_of_work import UnitOfWork
from cadenza.services.catalog import CatalogService, checked_to_play
from cadenza.services.messagebus import Publish, unheard
from cadenza.services.mixes import Mixes
from cadenza.services.stream_grants import StreamGrant, StreamGrants

MAX_TRACK_LIST = 100
# A playlist or liked songs with fewer distinct tracks than this is padded with recommended
# ones on plans that only shuffle, so a one-track list does not become on-demand play.
SHUFFLE_MINIMUM = 15
ARTIST_RELEASES = 20
_SAVE_TRIES = 5
# A listener's own lists (a playlist, liked songs): each track id in order, None where one
# cannot play for this viewer; None for a context that is not such a list.
ListedTracks = Callable[[int, Viewer, Context, int | None], list[int | None] | None]
# Tracks a command has read and checked for the listener, by id.
Seen = dict[int, TrackToPlay]


@dataclass(frozen=True)
class PlayerView:
    state: PlayerState
    grant: StreamGrant | None  # the current track's audio, when something plays
    up_next: list[int]

    @property
    def queue(self) -> list[int]:
        """What the listener queued, in the order it plays."""
        return list(self.state.queue)

    @property
    def next_from(self) -> list[int]:
        """What the context plays after the queue, in its own (or shuffled) order."""
        return rules.next_from_context(self.state)


class Player:
    def __init__(
        self,
        uow: Callable[[], UnitOfWork],
        clock: Clock,
        catalog: CatalogService,
        entitlements: Entitlements,
        listener: Callable[[int], Listener],
        grants: StreamGrants,
        ad_breaks: SkipsAndAdBreaks,
        listed: ListedTracks | None = None,
        mixes: Mixes | None = None,
        publish: Publish = unheard,
    ) -> None:
        self.uow, self.clock, self.catalog = uow, clock, catalog
        self.entitlements, self.listener, self.grants = entitlements, listener, grants
        self.ad_breaks, self.listed = ad_breaks, listed
        self.mixes = mixes  # Radio and the mixes made for the listener
        # Every saved change is published (`PlayerChanged`) with its view, made once for the
        # devices and the answer (with its stream grant).
        self.publish = publish

    # -- reading -------------------------------------------------------------------------
    def view(self, account_id: int, quality: Quality | None = None) -> PlayerView:
        return self._view_of(account_id, self._load(account_id)[0], quality)

    def _view_of(
        self,
        account_id: int,
        state: PlayerState,
        quality: Quality | None,
        who: Listener | None = None,
        seen: Seen | None = None,
    ) -> PlayerView:
        """`who` and `seen`: the listener and the tracks (as checked for them) where the
        command has just read them, so the grant reads neither again."""
        grant = None
        if state.current is not None and state.playing:
            who = who or self.listener(account_id)
            track = (seen or {}).get(state.current)
            try:
                grant = self.grants.grant(
                    account_id, state.current, quality or _best(who), who, track, state.device
                )
            except CadenzaError:  # the state still shows; the refusal comes with the command
                grant = None
        return PlayerView(state, grant, rules.up_next(state))

    def state(self, account_id: int) -> PlayerState:
        return self._load(account_id)[0]

    # -- commands ------------------------------------------------------------------------
    def play(
        self,
        account_id: int,
        *,
        context: Context,
        context_id: int | None,
        track_ids: list[int] | None,
        offset: int | None,
        device: str | None,
        quality: Quality | None = None,
    ) -> PlayerView:
        """Start a context (a release, an artist, a playlist, liked songs, a list of tracks)
        from a track or the top. In a playlist or liked songs, `offset` is the track's
        position there; one that cannot play is refused (`track_unavailable`)."""
        seen: Seen = {}
        listed: list[int | None] | None = None
        if context is Context.TRACK and track_ids:  # the common case: one read for both
            who, tracks, seen = self._track_list(account_id, track_ids)
        else:
            who = self.listener(account_id)
            listed = self._listed(account_id, who, context, context_id)
            if listed is not None:
                tracks, offset = _playable(listed, offset)
            else:
                tracks, seen = self._tracks(account_id, who, context, context_id, track_ids)
        if not tracks:
            raise NotFound("nothing to play there", code="nothing_to_play")
        if offset is not None and not 0 <= offset < len(tracks):
            raise InvalidRequest(f"offset must be 0 to {len(tracks) - 1}", code="invalid_offset")
        plan = require(self.entitlements.play_context(who, context))
        if listed is not None and plan.shuffle:
            tracks = self._shuffle_only(account_id, tracks)
        self.ad_breaks.hold_for_ads(account_id, who)
        chosen = offset is not None or (context is Context.TRACK and len(tracks) == 1)
        if chosen:
            require(self.entitlements.pick(who, Listening(), context))
        now = self.clock.now()

        def change(state: PlayerState) -> PlayerState:
            return rules.start(
                state,
                context,
                context_id,
                tracks,
                offset=offset,
                shuffle=plan.shuffle or state.shuffle,
                seed=secrets.randbelow(2**31),
                device=device,
                now=now,
            )

        return self._change(account_id, change, quality, who, seen)

    def next(self, account_id: int, quality: Quality | None = None) -> PlayerView:
        """Skip to the next track: counted against the plan's skips; an ad break holds it."""
        state, _ = self._load(account_id)
        if state.current is None:
            raise Conflict("nothing is playing", code="nothing_playing")
        who = self.listener(account_id)
        self.ad_breaks.track_skipped(account_id, who)
        self.ad_breaks.hold_for_ads(account_id, who)
        now = self.clock.now()
        return self._change(
            account_id, lambda s: rules.advance(s, now, track_ended=False), quality, who
        )

    def track_finished(self, event: TrackFinished) -> None:
        """A play ended (`TrackFinished`): when it was the current track, the server picks the
        next (not a skip)."""
        self.track_ended(event.account_id, event.track_id, event.ended_at)

    def track_ended(self, account_id: int, track_id: int, ended_at: datetime) -> None:
        """The current track played to its end at `ended_at`: the server picks the next (not a
        skip), unless the player was paused or moved on, or the end is reported late."""
        now = self.clock.now()
        self._change(account_id, lambda state: rules.track_ended(state, track_id, ended_at, now))

    def previous(self, account_id: int, quality: Quality | None = None) -> PlayerView:
        who = self.listener(account_id)
        if not who.plan.features.on_demand:
            require(self.entitlements.pick(who, Listening(), Context.RELEASE))
        now = self.clock.now()
        return self._change(account_id, lambda s: rules.back(s, now), quality, who)

    def pause(self, account_id: int) -> PlayerView:
        now = self.clock.now()
        return self._change(account_id, lambda s: rules.pause(s, now))

    def resume(self, account_id: int, device: str | None = None) -> PlayerView:
        now = self.clock.now()
        self.ad_breaks.hold_for_ads(account_id)

        def change(state: PlayerState) -> PlayerState:
            moved = rules.resume(state, now)
            return replace(moved, device=device or moved.device)

        return self._change(account_id, change)

    def seek(self, account_id: int, position_ms: int) -> PlayerView:
        now = self.clock.now()
        return self._change(account_id, lambda s: rules.seek(s, position_ms, now))

    def shuffle(self, account_id: int, on: bool) -> PlayerView:
        who = self.listener(account_id)
        if not on and not who.plan.features.on_demand:
            state, _ = self._load(account_id)
            if state.context is not None:
                require(self.entitlements.pick(who, Listening(), state.context))
        seed = secrets.randbelow(2**31)
        return self._change(account_id, lambda s: rules.set_shuffle(s, on, seed))

    def repeat(self, account_id: int, mode: Repeat) -> PlayerView:
        return self._change(account_id, lambda s: replace(s, repeat=mode))

    def volume(self, account_id: int, percent: int) -> PlayerView:
        return self._change(account_id, lambda s: replace(s, volume=max(0, min(100, percent))))

    def enqueue(self, account_id: int, track_id: int) -> PlayerView:
        """Add a track to play next: choosing a track, so on demand only."""
        who = self.listener(account_id)
        require(self.entitlements.pick(who, Listening(), Context.TRACK))
        self.catalog.tracks_to_play([track_id], _viewer(who, self.clock.now()))
        return self._change(account_id, lambda s: rules.enqueue(s, track_id), who=who)

    def remove_queued(self, account_id: int, index: int, track_id: int) -> PlayerView:
        """Take a queued track out of the listener's own queue (the context is not touched)."""
        return self._change(account_id, lambda s: rules.remove_queued(s, index, track_id))

    def move_queued(self, account_id: int, index: int, to: int, track_id: int) -> PlayerView:
        """Reorder the listener's own queue."""
        return self._change(account_id, lambda s: rules.move_queued(s, index, to, track_id))

    def transfer(self, account_id: int, device: str, play: bool) -> PlayerView:
        """Move playback to another device; the one that played stops (one at a time)."""
        now = self.clock.now()

        def change(state: PlayerState) -> PlayerState:
            paused = rules.pause(state, now)
            return (
                rules.resume(replace(paused, device=device), now)
                if play
                else replace(paused, device=device)
            )

        return self._change(account_id, change)

    def claim(self, account_id: int, device: str) -> str:
        """Make this device the one that plays, where none does yet; the device that plays."""
        state, _ = self._load(account_id)
        if state.device is not None:
            return state.device
        view = self._change(account_id, lambda s: s if s.device else replace(s, device=device))
        return view.state.device or device

    # -- storage -------------------------------------------------------------------------
    def _load(self, account_id: int) -> tuple[PlayerState, int]:
        with self.uow() as uow:
            return _loaded(uow.listening.player_state(account_id))

    def _change(
        self,
        account_id: int,
        change: Callable[[PlayerState], PlayerState],
        quality: Quality | None = None,
        who: Listener | None = None,
        seen: Seen | None = None,
    ) -> PlayerView:
        """Read, change, write if nobody wrote meanwhile; else read again and redo. The new
        view is published (`PlayerChanged`) and goes back to the caller."""
        for _ in range(_SAVE_TRIES):
            with self.uow() as uow:  # one trip for both: the write checks the version it read
                state, version = _loaded(uow.listening.player_state(account_id))
                changed = change(state)
                saved = uow.listening.save_player_state(
                    account_id, state_to(changed), version, self.clock.now()
                )
                uow.commit()
            if saved:
                view = self._view_of(account_id, changed, quality, who, seen)
                self.publish(PlayerChanged(account_id, view.state, view))
                return view
        raise Conflict("the player is busy; try again", code="player_busy")

    # -- contexts ------------------------------------------------------------------------
    def _shuffle_only(self, account_id: int, tracks: list[int]) -> list[int]:
        """A listener's own list on a plan without on-demand: each track once (duplicates
        would weigh the shuffle), padded with recommended tracks when short. A list that
        cannot be padded into a real shuffle is refused."""
        distinct = list(dict.fromkeys(tracks))
        if len(distinct) >= SHUFFLE_MINIMUM:
            return distinct
        padding = (
            self.mixes.shuffle_fill(account_id, distinct, SHUFFLE_MINIMUM - len(distinct))
            if self.mixes is not None
            else []
        )
        padded = distinct + [t for t in padding if t not in set(distinct)]
        if len(padded) < 2:
            raise Forbidden(
                "on this plan a list plays in shuffle, and there is nothing to shuffle this "
                "track with; Plus or Premium plays it on demand",
                code="shuffle_only",
            )
        return padded

    def _listed(
        self, account_id: int, who: Listener, context: Context, context_id: int | None
    ) -> list[int | None] | None:
        if self.listed is None:
            return None
        return self.listed(account_id, _viewer(who, self.clock.now()), context, context_id)

    def _tracks(
        self,
        account_id: int,
        who: Listener,
        context: Context,
        context_id: int | None,
        track_ids: list[int] | None,
    ) -> tuple[list[int], Seen]:
        """The context's tracks; and, for a release or a list of tracks, each as checked for
        the listener (read once, in one statement, for the grant too)."""
        viewer = _viewer(who, self.clock.now())
        made = self._made_for_you(account_id, context, context_id, track_ids)
        if made is not None:
            return made, {}
        if context is Context.RELEASE and context_id is not None:
            listed = self.catalog.release_tracks_to_play(context_id, viewer)
            return [t.id for t in listed], {t.id: t for t in listed}
        if context is Context.ARTIST and context_id is not None:
            artist = self.catalog.artist(context_id, viewer)
            found: list[int] = []
            for release in artist.all_releases[:ARTIST_RELEASES]:
                found += [t.id for t in self.catalog.release(release.id, viewer).tracks]
            return found, {}
        if track_ids:
            ids = list(dict.fromkeys(track_ids))[:MAX_TRACK_LIST]
            # 404 for the first one the listener may not see
            checked = self.catalog.tracks_to_play(ids, viewer)
            return ids, {t.id: t for t in checked}
        raise InvalidRequest("give a release or artist id, or track ids", code="context_required")

    def _track_list(
        self, account_id: int, track_ids: list[int]
    ) -> tuple[Listener, list[int], Seen]:
        """A list of tracks: the listener and the tracks (checked for them, as `_tracks`
        checks them) read in one unit of work, so a play takes one connection and one
        transaction fewer."""
        ids = list(dict.fromkeys(track_ids))[:MAX_TRACK_LIST]
        with self.uow() as uow:
            who = uow.accounts.as_listener(account_id)
            found = uow.catalog.tracks_to_play(ids) if who is not None else []
        if who is None:
            raise NotFound("no such account", code="account_not_found")
        checked = checked_to_play(found, ids, _viewer(who, self.clock.now()))
        return who, ids, {t.id: t for t in checked}

    def _made_for_you(
        self, account_id: int, context: Context, context_id: int | None, track_ids: list[int] | None
    ) -> list[int] | None:
        """A station from a track (`radio` with the track's id), Daily Mix n, the plan's mix."""
        if self.mixes is None:
            return None
        if context is Context.RADIO and context_id is not None and not track_ids:
            station = self.mixes.radio(account_id, track_id=context_id)
            return [t.id for t, _ in station.tracks]
        if context is Context.DAILY_MIX:  # on demand on Free too, so only the mix's own tracks
            if context_id is None:
                raise InvalidRequest("which Daily Mix? give its number", code="context_required")
            return [t.id for t, _ in self.mixes.daily_mix(account_id, context_id).tracks]
        if context is Context.PLAN_MIX:
            return [t.id for t, _ in self.mixes.plan_mix(account_id).tracks]
        if context is Context.DISCOVER_WEEKLY:  # on demand on Free too: this week's own tracks
            return [t.id for (t, _), _ in self.mixes.recs.discover_weekly(account_id).tracks]
        return None


def _playable(listed: list[int | None], offset: int | None) -> tuple[list[int], int | None]:
    """The tracks that can play, and the offset among them of the chosen position."""
    tracks = [t for t in listed if t is not None]
    if offset is None or not tracks:
        return tracks, offset
    if not 0 <= offset < len(listed):
        raise InvalidRequest(f"offset must be 0 to {len(listed) - 1}", code="invalid_offset")
    if listed[offset] is None:
        raise InvalidRequest("that track cannot play here", code="track_unavailable")
    return tracks, sum(1 for t in listed[:offset] if t is not None)


def _viewer(who: Listener, now: datetime) -> Viewer:
    return Viewer(country=who.country, now=now, allow_explicit=who.allow_explicit)


def _best(who: Listener) -> Quality:
    """The quality a player starts with: the plan's best lossy one."""
    return who.plan.features.default_quality


def _loaded(found: tuple[dict[str, object], int] | None) -> tuple[PlayerState, int]:
    if found is None:
        return PlayerState(), 0
    data, version = found
    return state_from(data), version


def state_to(state: PlayerState) -> dict[str, object]:
    # Flat fields of ints, strings and tuples: no deep copy (dataclasses.asdict) needed.
    data: dict[str, object] = {f.name: getattr(state, f.name) for f in _STATE_FIELDS}
    data["context"] = state.context.value if state.context else None
    data["repeat"] = state.repeat.value
    data["updated_at"] = state.updated_at.isoformat() if state.updated_at else None
    for key in ("tracks", "order", "queue", "history"):
        data[key] = list(getattr(state, key))
    return data


_STATE_FIELDS = fields(PlayerState)


def state_from(data: dict[str, object]) -> PlayerState:
    raw = dict(data)
    context = raw.get("context")
    updated = raw.get("updated_at")
    return PlayerState(
        context=Context(str(context)) if context else None,
        context_id=_int_or_none(raw.get("context_id")),
        tracks=_ints(raw.get("tracks")),
        order=_ints(raw.get("order")),
        position=int(str(raw.get("position", 0))),
        queue=_ints(raw.get("queue")),
        current=_int_or_none(raw.get("current")),
        from_queue=bool(raw.get("from_queue")),
        shuffle=bool(raw.get("shuffle")),
        repeat=Repeat(str(raw.get("repeat", "off"))),
        volume=int(str(raw.get("volume", 100))),
        playing=bool(raw.get("playing")),
        progress_ms=int(str(raw.get("progress_ms", 0))),
        updated_at=datetime.fromisoformat(str(updated)) if updated else None,
        device=str(raw["device"]) if raw.get("device") else None,
        seed=int(str(raw.get("seed", 0))),
        history=_ints(raw.get("history")),
    )


def _ints(value: object) -> tuple[int, ...]:
    return tuple(int(v) for v in value) if isinstance(value, list) else ()


def _int_or_none(value: object) -> int | None:
    return int(str(value)) if value is not None else None
