"""The listener's player: state and commands, each through the plan's entitlements."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Path, Query
from pydantic import BaseModel, Field

from cadenza.api.deps import (
    ClockDep,
    CurrentSession,
    PlayerDep,
    RemoteDep,
    StreamAccessDep,
)
from cadenza.api.request_body import RequestBody
from cadenza.api.routes.stream import GrantOut
from cadenza.domain.audio import Quality
from cadenza.domain.entitlements import Context
from cadenza.domain.player import Repeat
from cadenza.ports.clock import Clock
from cadenza.services.access_tokens import AccessClaims
from cadenza.services.player import PlayerView
from cadenza.services.stream_access import StreamAccess

router = APIRouter(prefix="/api/v1/me/player", tags=["playback"])

DeviceName = Annotated[str, Field(min_length=1, max_length=100)]
QualityQuery = Annotated[Quality | None, Query(description="The stream grant's quality")]


class ContextIn(RequestBody):
    kind: Context
    id: int | None = Field(None, ge=1, le=2_147_483_647)


class PlayIn(RequestBody):
    context: ContextIn | None = None
    track_ids: list[Annotated[int, Field(ge=1, le=2_147_483_647)]] | None = Field(
        None, max_length=100
    )
    offset: int | None = Field(None, ge=0, le=10_000, description="Start from this track")
    device: DeviceName | None = None
    quality: Quality | None = None


class SeekIn(RequestBody):
    position_ms: int = Field(ge=0, le=10**9)


class ShuffleIn(RequestBody):
    state: bool


class RepeatIn(RequestBody):
    state: Repeat


class VolumeIn(RequestBody):
    percent: int = Field(ge=0, le=100)


class QueueIn(RequestBody):
    track_id: int = Field(ge=1, le=2_147_483_647)


class TransferIn(RequestBody):
    device_id: str | None = Field(None, min_length=1, max_length=32, description="A device's id")
    group_id: int | None = Field(None, ge=1, le=2_147_483_647, description="A speaker group")
    device: DeviceName | None = Field(None, description="An unregistered device's name")
    play: bool = True


class ContextOut(BaseModel):
    kind: Context
    id: int | None


class PlayerOut(BaseModel):
    device: str | None
    playing: bool
    context: ContextOut | None
    track_id: int | None
    from_queue: bool
    progress_ms: int
    updated_at: datetime | None
    shuffle: bool
    repeat: Repeat
    volume: int
    up_next: list[int]
    queue: list[int] = Field(description="What the listener queued: plays first, in this order")
    next_from: list[int] = Field(description="Then the context's own order (50 at most)")
    stream: GrantOut | None

    @classmethod
    def of(cls, view: PlayerView, now: datetime) -> PlayerOut:
        s = view.state
        return cls(
            device=s.device,
            playing=s.playing,
            context=ContextOut(kind=s.context, id=s.context_id) if s.context else None,
            track_id=s.current,
            from_queue=s.from_queue,
            progress_ms=s.progress_at(now),
            updated_at=s.updated_at,
            shuffle=s.shuffle,
            repeat=s.repeat,
            volume=s.volume,
            up_next=view.up_next,
            queue=view.queue,
            next_from=view.next_from,
            stream=GrantOut.of(view.grant) if view.grant else None,
        )


DeviceHeader = Annotated[
    str | None,
    Header(
        alias="X-Cadenza-Device",
        min_length=1,
        max_length=32,
        description="The asking device's id: the answer carries a stream grant only for the "
        "device that plays",
    ),
]


@dataclass(frozen=True)
class Answer:
    """A player answer as the asking device hears it: one person, one stream, so only the
    device that plays gets the current track's grant (others would listen along)."""

    session: AccessClaims
    device: str | None
    access: StreamAccess
    clock: Clock

    def __call__(self, view: PlayerView, device: str | None = None) -> PlayerOut:
        asking = self.device or device
        heard = self.access.heard_by(self.session.account_id, self.session.session_id, view, asking)
        return PlayerOut.of(heard, self.clock.now())


def answer_for(
    session: CurrentSession,
    clock: ClockDep,
    access: StreamAccessDep,
    x_cadenza_device: DeviceHeader = None,
) -> Answer:
    return Answer(session, x_cadenza_device, access, clock)


AnswerDep = Annotated[Answer, Depends(answer_for)]


@router.get("", response_model=PlayerOut)
def state(
    session: CurrentSession, answer: AnswerDep, player: PlayerDep, quality: QualityQuery = None
) -> PlayerOut:
    """What plays, where, from what, and what comes next; with the current track's grant."""
    return answer(player.view(session.account_id, quality))


@router.put("/play", response_model=PlayerOut)
def play(body: PlayIn, session: CurrentSession, answer: AnswerDep, player: PlayerDep) -> PlayerOut:
    """Play a release or an artist (`context`) or a list of tracks (`track_ids`), from the top
    or from `offset`. On Free a release, playlist or artist plays shuffled and choosing a track
    is refused (`shuffle_only`)."""
    context = body.context.kind if body.context else Context.TRACK
    view = player.play(
        session.account_id,
        context=context,
        context_id=body.context.id if body.context else None,
        track_ids=body.track_ids,
        offset=body.offset,
        device=body.device,
        quality=body.quality,
    )
    return answer(view, body.device)  # the device that plays, where no header names one


@router.put("/pause", response_model=PlayerOut)
def pause(session: CurrentSession, answer: AnswerDep, player: PlayerDep) -> PlayerOut:
    return answer(player.pause(session.account_id))


@router.put("/resume", response_model=PlayerOut)
def resume(
    session: CurrentSession, answer: AnswerDep, player: PlayerDep, device: str | None = None
) -> PlayerOut:
    return answer(player.resume(session.account_id, device), device)


@router.put("/seek", response_model=PlayerOut)
def seek(body: SeekIn, session: CurrentSession, answer: AnswerDep, player: PlayerDep) -> PlayerOut:
    return answer(player.seek(session.account_id, body.position_ms))


@router.post("/next", response_model=PlayerOut)
def next_track(
    session: CurrentSession, answer: AnswerDep, player: PlayerDep, quality: QualityQuery = None
) -> PlayerOut:
    """Skip: counted against the plan's skips (6 an hour on Free: `skip_limit_reached`)."""
    return answer(player.next(session.account_id, quality))


@router.post("/previous", response_model=PlayerOut)
def previous(
    session: CurrentSession, answer: AnswerDep, player: PlayerDep, quality: QualityQuery = None
) -> PlayerOut:
    return answer(player.previous(session.account_id, quality))


@router.put("/shuffle", response_model=PlayerOut)
def shuffle(
    body: ShuffleIn, session: CurrentSession, answer: AnswerDep, player: PlayerDep
) -> PlayerOut:
    return answer(player.shuffle(session.account_id, body.state))


@router.put("/repeat", response_model=PlayerOut)
def repeat(
    body: RepeatIn, session: CurrentSession, answer: AnswerDep, player: PlayerDep
) -> PlayerOut:
    return answer(player.repeat(session.account_id, body.state))


@router.put("/volume", response_model=PlayerOut)
def volume(
    body: VolumeIn, session: CurrentSession, answer: AnswerDep, player: PlayerDep
) -> PlayerOut:
    return answer(player.volume(session.account_id, body.percent))


@router.post("/queue", response_model=PlayerOut)
def queue(
    body: QueueIn, session: CurrentSession, answer: AnswerDep, player: PlayerDep
) -> PlayerOut:
    return answer(player.enqueue(session.account_id, body.track_id))


QueueIndex = Annotated[int, Path(ge=0, le=1_000, description="Place in the queue, 0 plays next")]
QUEUE_ANSWERS: dict[int | str, dict[str, object]] = {
    404: {"description": "`queue_entry_not_found`: no song at that place any more"},
    409: {"description": "`queue_changed`: another song is at that place now"},
}


class QueueMoveIn(RequestBody):
    track_id: int = Field(ge=1, le=2_147_483_647, description="The song the listener moves")
    to: int = Field(ge=0, le=1_000, description="Its new place, 0 plays next")


@router.delete("/queue/{index}", response_model=PlayerOut, responses=QUEUE_ANSWERS)
def remove_queued(
    index: QueueIndex,
    track_id: Annotated[int, Query(ge=1, le=2_147_483_647, description="The song seen there")],
    session: CurrentSession,
    answer: AnswerDep,
    player: PlayerDep,
) -> PlayerOut:
    """Take a song out of the listener's queue; the context's own order is not changed."""
    return answer(player.remove_queued(session.account_id, index, track_id))


@router.put("/queue/{index}", response_model=PlayerOut, responses=QUEUE_ANSWERS)
def move_queued(
    index: QueueIndex,
    body: QueueMoveIn,
    session: CurrentSession,
    answer: AnswerDep,
    player: PlayerDep,
) -> PlayerOut:
    """Move a queued song to another place in the listener's queue."""
    return answer(player.move_queued(session.account_id, index, body.to, body.track_id))


@router.put("/transfer", response_model=PlayerOut)
def transfer(
    body: TransferIn,
    session: CurrentSession,
    answer: AnswerDep,
    remote: RemoteDep,
    player: PlayerDep,
) -> PlayerOut:
    """Move playback to a registered device (`device_id`) or a speaker group (`group_id`): the
    one playing is told to pause, the new one to take over. `device`, a bare name, only labels
    the player for clients that did not register."""
    if body.device_id is None and body.group_id is None and body.device is not None:
        return answer(player.transfer(session.account_id, body.device, body.play))
    view = remote.transfer(session.account_id, body.device_id, body.group_id, play=body.play)
    return answer(view)
