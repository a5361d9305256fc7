"""A spoken-style command: words in, the player acting, what it did out."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field

from cadenza.api.deps import CurrentSession, SpokenDep
from cadenza.api.request_body import RequestBody
from cadenza.api.routes.player import AnswerDep, PlayerOut
from cadenza.domain.spoken import MAX_SPOKEN_CHARS

router = APIRouter(prefix="/api/v1/me/player", tags=["playback"])


class SpokenIn(RequestBody):
    text: str = Field(min_length=1, max_length=MAX_SPOKEN_CHARS, examples=["play a little disco"])


class SpokenOut(BaseModel):
    said: str = Field(description="What was done, in words, e.g. 'Playing disco: 12 tracks'")
    action: str = Field(description="play, next, previous, pause, resume, volume, shuffle, repeat")
    player: PlayerOut


@router.post("/command", response_model=SpokenOut)
def spoken(
    body: SpokenIn, session: CurrentSession, spoken: SpokenDep, heard: AnswerDep
) -> SpokenOut:
    """ "play some jazz", "play the album Kind of Blue by Miles Davis", "next", "pause",
    "louder", "volume 40", "shuffle off", "repeat this song"... Words the grammar does not know
    are refused with `not_understood`, names the catalog does not hold with `nothing_found`; the
    plan's rules apply as to any other command."""
    answer = spoken.act(session.account_id, body.text)
    return SpokenOut(
        said=answer.said,
        action=answer.intent.action.value,
        player=heard(answer.view),
    )
