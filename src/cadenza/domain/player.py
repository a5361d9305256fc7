"""The player's state and how it moves: context, order (shuffled or not), the listener's own
queue, repeat, and which track comes next or before. Pure: the service stores it, the
entitlements decide whether a move is allowed."""

from __future__ import annotations

import random
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum

from cadenza.domain.entitlements import Context
from cadenza.domain.errors import Conflict, InvalidRequest, NotFound

MAX_CONTEXT_TRACKS = 10_000
MAX_QUEUE = 100
# A track's end reported later than this is history (it still counts for statistics) and no
# longer moves the player: a player catching up after a reconnection must not skip or resume.
LATE_END = timedelta(seconds=60)
RESTART_AFTER_MS = 3_000  # "previous" this far into a track restarts it instead


class Repeat(StrEnum):
    OFF = "off"
    CONTEXT = "context"
    TRACK = "track"


@dataclass(frozen=True)
class PlayerState:
    context: Context | None = None
    context_id: int | None = None
    tracks: tuple[int, ...] = ()  # the context's tracks in their own order
    order: tuple[int, ...] = ()  # indexes into `tracks` in playing order (shuffled or not)
    position: int = 0  # index into `order` of the current context track
    queue: tuple[int, ...] = ()  # tracks the listener added: they play before the context goes on
    current: int | None = None  # the track playing now (from the context or the queue)
    from_queue: bool = False
    shuffle: bool = False
    repeat: Repeat = Repeat.OFF
    volume: int = 100
    playing: bool = False
    progress_ms: int = 0  # where the track was at `updated_at`
    updated_at: datetime | None = None
    device: str | None = None
    seed: int = 0
    history: tuple[int, ...] = field(default=())  # tracks played before, most recent last

    def progress_at(self, now: datetime) -> int:
        if not self.playing or self.updated_at is None:
            return self.progress_ms
        return self.progress_ms + int((now - self.updated_at).total_seconds() * 1000)


def shuffled(count: int, seed: int, first: int | None = None) -> tuple[int, ...]:
    """A playing order of `count` tracks; `first` (an index) leads when given. An order that
    comes out as the album's own is turned by one: to a listener that would be no shuffle."""
    order = list(range(count))
    random.Random(seed).shuffle(order)
    if first is not None and first in order:
        order.remove(first)
        order.insert(0, first)
    free = 1 if first is not None and first in order else 0
    if order == sorted(order) and count - free >= 2:
        order[free:] = order[free + 1 :] + order[free : free + 1]
    return tuple(order)


def start(
    state: PlayerState,
    context: Context,
    context_id: int | None,
    tracks: list[int],
    *,
    offset: int | None,
    shuffle: bool,
    seed: int,
    device: str | None,
    now: datetime,
) -> PlayerState:
    """Play a context from a track (`offset`, an index into `tracks`) or from the start."""
    tracks = tracks[:MAX_CONTEXT_TRACKS]
    first = offset if offset is not None and 0 <= offset < len(tracks) else None
    order = shuffled(len(tracks), seed, first) if shuffle else tuple(range(len(tracks)))
    position = order.index(first) if first is not None and not shuffle else 0
    current = tracks[order[position]] if tracks else None
    return replace(
        state,
        context=context,
        context_id=context_id,
        tracks=tuple(tracks),
        order=order,
        position=position,
        current=current,
        from_queue=False,
        shuffle=shuffle,
        playing=current is not None,
        progress_ms=0,
        updated_at=now,
        device=device or state.device,
        seed=seed,
        history=_remember(state),
    )


def advance(state: PlayerState, now: datetime, *, track_ended: bool) -> PlayerState:
    """The next track: the listener's queue first, then the context; repeat applies. When the
    context runs out without repeat, playback stops."""
    if track_ended and state.repeat is Repeat.TRACK and state.current is not None:
        return replace(state, progress_ms=0, updated_at=now, playing=True)
    moved = replace(state, progress_ms=0, updated_at=now, history=_remember(state))
    if state.queue:
        return replace(
            moved, current=state.queue[0], queue=state.queue[1:], from_queue=True, playing=True
        )
    if not state.order:
        return replace(moved, current=None, playing=False, from_queue=False)
    position = state.position + 1  # the queue played in between leaves the context's place
    if position >= len(state.order):
        if state.repeat is Repeat.OFF:
            return replace(
                moved, current=None, playing=False, from_queue=False, position=len(state.order) - 1
            )
        position = 0
    return replace(
        moved,
        position=position,
        current=state.tracks[state.order[position]],
        from_queue=False,
        playing=True,
    )


def track_ended(
    state: PlayerState, track_id: int, ended_at: datetime, now: datetime
) -> PlayerState:
    """The next track, when the player is playing `track_id` and its end is news; otherwise the
    state as it is (a paused player stays paused, a late end commands nothing)."""
    if state.current != track_id or not state.playing or now - ended_at > LATE_END:
        return state
    return advance(state, now, track_ended=True)


def back(state: PlayerState, now: datetime) -> PlayerState:
    """Restart the track when it has played a few seconds, else go to the one before."""
    if state.progress_at(now) > RESTART_AFTER_MS or not state.order or state.from_queue:
        return replace(state, progress_ms=0, updated_at=now)
    position = state.position - 1
    if position < 0:
        if state.repeat is Repeat.OFF:
            return replace(state, progress_ms=0, updated_at=now)
        position = len(state.order) - 1
    return replace(
        state,
        position=position,
        current=state.tracks[state.order[position]],
        progress_ms=0,
        updated_at=now,
        playing=True,
    )


def set_shuffle(state: PlayerState, on: bool, seed: int) -> PlayerState:
    """Shuffle the rest of the context, keeping the current track where the listener is."""
    if on == state.shuffle or not state.order:
        return replace(state, shuffle=on)
    current_index = state.order[state.position] if not state.from_queue else None
    order = (
        shuffled(len(state.tracks), seed, current_index) if on else tuple(range(len(state.tracks)))
    )
    # Playing from the queue: the context starts over from the top of the new order.
    position = order.index(current_index) if current_index is not None else -1
    return replace(state, shuffle=on, order=order, position=position, seed=seed)


def pause(state: PlayerState, now: datetime) -> PlayerState:
    return replace(state, playing=False, progress_ms=state.progress_at(now), updated_at=now)


def resume(state: PlayerState, now: datetime) -> PlayerState:
    return replace(state, playing=state.current is not None, updated_at=now)


def seek(state: PlayerState, position_ms: int, now: datetime) -> PlayerState:
    return replace(state, progress_ms=max(0, position_ms), updated_at=now)


def enqueue(state: PlayerState, track_id: int) -> PlayerState:
    return replace(state, queue=(*state.queue, track_id)[:MAX_QUEUE])


def up_next(state: PlayerState, count: int = 10) -> list[int]:
    """What plays next, as the listener sees it."""
    coming = list(state.queue)
    coming += [state.tracks[i] for i in state.order[state.position + 1 :]]
    return coming[:count]


def next_from_context(state: PlayerState, count: int = 50) -> list[int]:
    """What the context plays once the listener's queue is done, in its playing order."""
    return [state.tracks[i] for i in state.order[max(0, state.position + 1) :][:count]]


def remove_queued(state: PlayerState, index: int, track_id: int) -> PlayerState:
    """Take the `index`-th queued track out; `track_id` says which one the listener saw there,
    so a queue changed meanwhile (a track played, another page moved it) is not cut wrong."""
    _check_queued(state, index, track_id)
    return replace(state, queue=state.queue[:index] + state.queue[index + 1 :])


def move_queued(state: PlayerState, index: int, to: int, track_id: int) -> PlayerState:
    """Move the `index`-th queued track to place `to` (0 plays next); checked as removing."""
    _check_queued(state, index, track_id)
    if not 0 <= to < len(state.queue):
        raise InvalidRequest(f"to must be 0 to {len(state.queue) - 1}", code="invalid_position")
    queue = list(state.queue)
    queue.insert(to, queue.pop(index))
    return replace(state, queue=tuple(queue))


def _check_queued(state: PlayerState, index: int, track_id: int) -> None:
    if not 0 <= index < len(state.queue):
        raise NotFound("that song is no longer in your queue", code="queue_entry_not_found")
    if state.queue[index] != track_id:
        raise Conflict("your queue changed meanwhile; look at it again", code="queue_changed")


def _remember(state: PlayerState) -> tuple[int, ...]:
    if state.current is None:
        return state.history
    return (*state.history, state.current)[-50:]
