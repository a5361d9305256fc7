"""Blends over HTTP: an invite link, its acceptance, the Blends one is in, one Blend with its
tracks (each with whose taste it comes from) and match score, leaving one."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path, status
from pydantic import BaseModel

from cadenza.api.deps import BlendsDep, CurrentSession, Id
from cadenza.api.library_schemas import ListedTrackOut, OwnerOut
from cadenza.domain.blends import Blend
from cadenza.services.blends import BlendItem

router = APIRouter(prefix="/api/v1", tags=["blends"])

Token = Annotated[str, Path(min_length=20, max_length=100, pattern=r"^[A-Za-z0-9_-]+$")]


class BlendInviteOut(BaseModel):
    token: str
    url: str  # the page to send: the invitee opens it signed in and accepts
    accept: str  # POST here, signed in as another listener, to accept


class InvitationOut(BaseModel):
    invited_by: str  # the inviter's display name


class BlendOut(BaseModel):
    id: int
    name: str
    members: list[OwnerOut]
    match_score: int  # 0 to 100 (percent)
    created_at: datetime
    refreshed_at: datetime
    url: str

    @classmethod
    def of(cls, b: Blend) -> BlendOut:
        return cls(
            id=b.id,
            name=b.name(),
            members=[OwnerOut(id=m.user_id, display_name=m.display_name) for m in b.members],
            match_score=b.match_score,
            created_at=b.created_at,
            refreshed_at=b.refreshed_at,
            url=f"/api/v1/blends/{b.id}",
        )


class BlendItemOut(BaseModel):
    position: int
    track: ListedTrackOut
    from_member: OwnerOut | None  # whose taste put it there (None: they left)

    @classmethod
    def of(cls, position: int, item: BlendItem) -> BlendItemOut:
        member = None
        if item.track.member_id is not None and item.member_name is not None:
            member = OwnerOut(id=item.track.member_id, display_name=item.member_name)
        return cls(position=position, track=ListedTrackOut.of(item.card), from_member=member)


class BlendWithTracksOut(BlendOut):
    tracks: list[BlendItemOut]


@router.post("/blends", status_code=status.HTTP_201_CREATED, response_model=BlendInviteOut)
def invite(session: CurrentSession, blends: BlendsDep) -> BlendInviteOut:
    """An invite link for a new Blend: another signed-in listener opens it and accepts, once,
    within 7 days."""
    token = blends.invite(session.account_id)
    return BlendInviteOut(
        token=token, url=f"/blend/invite/{token}", accept=f"/api/v1/blend-invites/{token}"
    )


@router.get("/blend-invites/{token}", response_model=InvitationOut)
def invitation(token: Token, session: CurrentSession, blends: BlendsDep) -> InvitationOut:
    """Who invites, for the page that asks to accept (404 for a used or expired link, 409
    `own_blend_invite` for one's own)."""
    return InvitationOut(invited_by=blends.invitation(session.account_id, token))


@router.post("/blend-invites/{token}", response_model=BlendOut)
def accept(token: Token, session: CurrentSession, blends: BlendsDep) -> BlendOut:
    """Accept an invite: the Blend of both listeners is made, and the link stops working."""
    return BlendOut.of(blends.accept(session.account_id, token))


@router.get("/blends", response_model=list[BlendOut])
def my_blends(session: CurrentSession, blends: BlendsDep) -> list[BlendOut]:
    return [BlendOut.of(b) for b in blends.of_listener(session.account_id)]


@router.get("/blends/{blend_id}", response_model=BlendWithTracksOut)
def blend(blend_id: Id, session: CurrentSession, blends: BlendsDep) -> BlendWithTracksOut:
    """A Blend's tracks, each marked with whose taste it comes from, for its members only
    (404 `blend_not_found` for anyone else); made again each day."""
    found, items = blends.get(session.account_id, blend_id)
    return BlendWithTracksOut(
        **BlendOut.of(found).model_dump(),
        tracks=[BlendItemOut.of(n, i) for n, i in enumerate(items)],
    )


@router.delete("/blends/{blend_id}", status_code=status.HTTP_204_NO_CONTENT)
def leave(blend_id: Id, session: CurrentSession, blends: BlendsDep) -> None:
    """Leave a Blend; one left with a single member is gone."""
    blends.leave(session.account_id, blend_id)
