"""Listeners among themselves: follows, blocks, shared activity and private sessions."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from cadenza.domain.social import LastPlay, ListenerProfile, Sharing


class SocialRepository(Protocol):
    def profile(self, user_id: int) -> ListenerProfile | None:
        """A listener's public face (an enabled account), or None."""
        ...

    def follow(self, follower_id: int, followed_id: int, now: datetime) -> None:
        """Follow (nothing changes when already following)."""
        ...

    def unfollow(self, follower_id: int, followed_id: int) -> None: ...

    def is_following(self, follower_id: int, followed_id: int) -> bool: ...

    def following_count(self, user_id: int) -> int: ...

    def following(self, user_id: int, limit: int, offset: int) -> tuple[list[ListenerProfile], int]:
        """A page of the listeners this one follows (latest first), and how many."""
        ...

    def block(self, blocker_id: int, blocked_id: int, now: datetime) -> None:
        """Block, and end the follows between the two either way."""
        ...

    def unblock(self, blocker_id: int, blocked_id: int) -> None: ...

    def blocked_between(self, a: int, b: int) -> bool:
        """Either of the two blocked the other."""
        ...

    def blocked(self, blocker_id: int) -> list[ListenerProfile]: ...

    def sharing(self, user_id: int) -> Sharing: ...

    def set_sharing(self, user_id: int, sharing: Sharing) -> None: ...

    def end_private_session(self, user_id: int, started_at: datetime, now: datetime) -> None:
        """Keep a finished private session: its plays are never shown."""
        ...

    def friend_plays(self, user_id: int, since: datetime, limit: int) -> list[LastPlay]:
        """The latest play (started since then) of each listener this one follows who shares
        their activity, is in no private session and has not blocked (nor been blocked by)
        them; plays from a private session left out. At most `limit` listeners, most recently
        active first."""
        ...
