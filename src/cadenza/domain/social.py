"""Listeners among themselves: following, blocking, and what the people one follows are
playing (shared only by those who chose to, never from a private session)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from cadenza.domain.catalog import as_utc
from cadenza.domain.errors import InvalidRequest

MAX_FOLLOWING = 5_000  # listeners one listener may follow
ACTIVITY_DAYS = 14  # a friend whose last play is older than this is not shown
NOW_PLAYING_SLACK = timedelta(seconds=30)  # a play still counts as now playing this long after


@dataclass(frozen=True)
class Sharing:
    """What a listener shows those who follow them: off unless they turned it on."""

    share_activity: bool = False
    private_since: datetime | None = None  # in a private session since then

    @property
    def private(self) -> bool:
        return self.private_since is not None


@dataclass(frozen=True)
class ListenerProfile:
    """A listener as everyone may see them: their name, never their address."""

    id: int
    display_name: str
    followers: int
    following: int


@dataclass(frozen=True)
class LastPlay:
    """A followed listener's latest play that may be shown."""

    user_id: int
    display_name: str
    track_id: int
    started_at: datetime
    duration_ms: int
    finished: bool


@dataclass(frozen=True)
class Activity:
    user_id: int
    display_name: str
    track_id: int
    at: datetime
    playing_now: bool


def check_follow(follower_id: int, followed_id: int, following: int) -> None:
    if follower_id == followed_id:
        raise InvalidRequest("you cannot follow yourself", code="cannot_follow_yourself")
    if following >= MAX_FOLLOWING:
        raise InvalidRequest(
            f"at most {MAX_FOLLOWING} listeners followed", code="too_many_followed"
        )


def check_block(blocker_id: int, blocked_id: int) -> None:
    if blocker_id == blocked_id:
        raise InvalidRequest("you cannot block yourself", code="cannot_block_yourself")


def activity(plays: list[LastPlay], now: datetime) -> list[Activity]:
    """Each friend's latest shown play, most recent first: playing now while the track has not
    ended (and was not stopped), else when it was played; older than ACTIVITY_DAYS: left out."""
    now = as_utc(now)
    shown = []
    for play in plays:
        started = as_utc(play.started_at)
        if now - started > timedelta(days=ACTIVITY_DAYS):
            continue
        ends = started + timedelta(milliseconds=play.duration_ms) + NOW_PLAYING_SLACK
        playing = not play.finished and started <= now <= ends
        shown.append(Activity(play.user_id, play.display_name, play.track_id, started, playing))
    return sorted(shown, key=lambda a: (not a.playing_now, -a.at.timestamp(), a.user_id))
