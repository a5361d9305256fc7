"""Listeners among themselves: public profiles, following and blocking listeners, sharing what
one plays (off by default) and the friend activity of those one follows."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, status
from pydantic import BaseModel

from cadenza.api.deps import CurrentSession, Id, OptionalSession, SocialDep
from cadenza.api.library_schemas import CountedPage, ListedTrackOut, PlaylistHitOut, page_of
from cadenza.api.request_body import RequestBody
from cadenza.domain.social import ListenerProfile, Sharing
from cadenza.services.social import FriendActivity

router = APIRouter(prefix="/api/v1", tags=["social"])


class ListenerOut(BaseModel):
    id: int
    display_name: str
    followers: int
    following: int
    url: str  # the web player's profile page

    @classmethod
    def of(cls, p: ListenerProfile) -> ListenerOut:
        return cls(
            id=p.id,
            display_name=p.display_name,
            followers=p.followers,
            following=p.following,
            url=f"/user/{p.id}",
        )


class ProfileOut(ListenerOut):
    playlists: list[PlaylistHitOut]  # public ones only
    followed_by_you: bool
    you: bool  # the viewer's own profile


class SharingOut(BaseModel):
    share_activity: bool
    private_session: bool
    private_since: datetime | None

    @classmethod
    def of(cls, s: Sharing) -> SharingOut:
        return cls(
            share_activity=s.share_activity,
            private_session=s.private,
            private_since=s.private_since,
        )


class SharingIn(RequestBody):
    share_activity: bool | None = None
    private_session: bool | None = None


class ListenerRefOut(BaseModel):
    id: int
    display_name: str


class ActivityOut(BaseModel):
    listener: ListenerRefOut
    track: ListedTrackOut
    playing_now: bool
    at: datetime  # when the track started

    @classmethod
    def of(cls, found: FriendActivity) -> ActivityOut:
        a = found.activity
        return cls(
            listener=ListenerRefOut(id=a.user_id, display_name=a.display_name),
            track=ListedTrackOut.of(found.card),
            playing_now=a.playing_now,
            at=a.at,
        )


@router.get("/users/{user_id}", response_model=ProfileOut)
def profile(user_id: Id, social: SocialDep, session: OptionalSession) -> ProfileOut:
    """A listener's public profile: display name, followers, and public playlists (never an
    e-mail address or anything private). 404 `listener_not_found` for no such listener."""
    found = social.profile(session.account_id if session else None, user_id)
    return ProfileOut(
        **ListenerOut.of(found.listener).model_dump(),
        playlists=[PlaylistHitOut.of(p) for p in found.playlists],
        followed_by_you=found.following,
        you=found.itself,
    )


@router.get("/me/following/listeners", response_model=CountedPage[ListenerOut])
def following(
    session: CurrentSession,
    social: SocialDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000)] = 0,
) -> CountedPage[ListenerOut]:
    found, total = social.following(session.account_id, limit, offset)
    items = [ListenerOut.of(p) for p in found]
    return page_of(items, limit, offset, total, "/api/v1/me/following/listeners")


@router.put("/me/following/listeners/{user_id}", response_model=ListenerOut)
def follow(user_id: Id, session: CurrentSession, social: SocialDep) -> ListenerOut:
    """Follow a listener (again: no change). 404 for no such listener or a blocked one."""
    return ListenerOut.of(social.follow(session.account_id, user_id))


@router.delete("/me/following/listeners/{user_id}", status_code=status.HTTP_204_NO_CONTENT)
def unfollow(user_id: Id, session: CurrentSession, social: SocialDep) -> None:
    social.unfollow(session.account_id, user_id)


@router.get("/me/blocked/listeners", response_model=list[ListenerOut])
def blocked(session: CurrentSession, social: SocialDep) -> list[ListenerOut]:
    return [ListenerOut.of(p) for p in social.blocked(session.account_id)]


@router.put("/me/blocked/listeners/{user_id}", status_code=status.HTTP_204_NO_CONTENT)
def block(user_id: Id, session: CurrentSession, social: SocialDep) -> None:
    """Block a listener: follows end both ways, neither sees the other's profile or activity."""
    social.block(session.account_id, user_id)


@router.delete("/me/blocked/listeners/{user_id}", status_code=status.HTTP_204_NO_CONTENT)
def unblock(user_id: Id, session: CurrentSession, social: SocialDep) -> None:
    social.unblock(session.account_id, user_id)


@router.get("/me/sharing", response_model=SharingOut)
def sharing(session: CurrentSession, social: SocialDep) -> SharingOut:
    """Whether the listener shows what they play to their followers (off until turned on)."""
    return SharingOut.of(social.sharing(session.account_id))


@router.put("/me/sharing", response_model=SharingOut)
def set_sharing(body: SharingIn, session: CurrentSession, social: SocialDep) -> SharingOut:
    """`share_activity` on or off; `private_session` on hides everything played until it is
    turned off (and those plays stay hidden after)."""
    changed = social.set_sharing(session.account_id, body.share_activity, body.private_session)
    return SharingOut.of(changed)


@router.get("/me/friend-activity", response_model=list[ActivityOut])
def friend_activity(session: CurrentSession, social: SocialDep) -> list[ActivityOut]:
    """Each followed listener who shares their activity: the track playing now, or the last
    one played and when (the last 14 days), playing now first."""
    return [ActivityOut.of(a) for a in social.friend_activity(session.account_id)]
