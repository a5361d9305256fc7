"""Listeners among themselves: public profiles, following and blocking, and friend activity
(what the people one follows are playing, only from those who share it, never from a private
session). No route here finds a listener by e-mail: a profile is reached by its id only."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from cadenza.domain import social as rules
from cadenza.domain.catalog import Viewer
from cadenza.domain.errors import NotFound
from cadenza.domain.playlists import Playlist
from cadenza.domain.social import Activity, ListenerProfile, Sharing
from cadenza.ports.clock import Clock
from cadenza.ports.unit_of_work import UnitOfWork
from cadenza.services.track_cards import TrackCard, track_cards

PROFILE_PLAYLISTS = 50
ACTIVITY_FRIENDS = 50


@dataclass(frozen=True)
class Profile:
    listener: ListenerProfile
    playlists: list[Playlist]  # public ones only
    following: bool  # the viewer follows them
    itself: bool  # the viewer's own profile


@dataclass(frozen=True)
class FriendActivity:
    activity: Activity
    card: TrackCard


class Social:
    def __init__(
        self,
        uow: Callable[[], UnitOfWork],
        clock: Clock,
        viewer: Callable[[int], Viewer],
    ) -> None:
        self.uow, self.clock, self.viewer = uow, clock, viewer

    def profile(self, viewer_id: int | None, user_id: int) -> Profile:
        """A listener's name, counts and public playlists; 404 for no such listener, a disabled
        one, or between two listeners one of whom blocked the other."""
        with self.uow() as uow:
            found = self._visible(uow, viewer_id, user_id)
            playlists = uow.playlists.public_of_owner(user_id, PROFILE_PLAYLISTS)
            following = viewer_id is not None and uow.social.is_following(viewer_id, user_id)
        return Profile(found, playlists, following, viewer_id == user_id)

    def follow(self, account_id: int, user_id: int) -> ListenerProfile:
        with self.uow() as uow:
            found = self._visible(uow, account_id, user_id)
            rules.check_follow(account_id, user_id, uow.social.following_count(account_id))
            uow.social.follow(account_id, user_id, self.clock.now())
            uow.commit()
        return found

    def unfollow(self, account_id: int, user_id: int) -> None:
        with self.uow() as uow:
            uow.social.unfollow(account_id, user_id)
            uow.commit()

    def following(
        self, account_id: int, limit: int, offset: int
    ) -> tuple[list[ListenerProfile], int]:
        with self.uow() as uow:
            return uow.social.following(account_id, limit, offset)

    def block(self, account_id: int, user_id: int) -> None:
        """They no longer see each other: follows end both ways, neither can follow again, and
        the blocked listener's profile answers 404 to the blocker (and the other way)."""
        rules.check_block(account_id, user_id)
        with self.uow() as uow:
            if uow.social.profile(user_id) is None:
                raise NotFound(f"no listener {user_id}", code="listener_not_found")
            uow.social.block(account_id, user_id, self.clock.now())
            uow.commit()

    def unblock(self, account_id: int, user_id: int) -> None:
        with self.uow() as uow:
            uow.social.unblock(account_id, user_id)
            uow.commit()

    def blocked(self, account_id: int) -> list[ListenerProfile]:
        with self.uow() as uow:
            return uow.social.blocked(account_id)

    # -- sharing what one plays ------------------------------------------------------------
    def sharing(self, account_id: int) -> Sharing:
        with self.uow() as uow:
            return uow.social.sharing(account_id)

    def set_sharing(
        self, account_id: int, share_activity: bool | None, private_session: bool | None
    ) -> Sharing:
        """Turn sharing on or off; start or end a private session (nothing played in it is
        ever shown, even after it ends)."""
        now = self.clock.now()
        with self.uow() as uow:
            was = uow.social.sharing(account_id)
            share = was.share_activity if share_activity is None else share_activity
            since = was.private_since
            if private_session is True and since is None:
                since = now
            elif private_session is False and since is not None:
                uow.social.end_private_session(account_id, since, now)
                since = None
            changed = Sharing(share, since)
            uow.social.set_sharing(account_id, changed)
            uow.commit()
        return changed

    def friend_activity(self, account_id: int) -> list[FriendActivity]:
        """What each followed listener who shares is playing now, or played last."""
        viewer = self.viewer(account_id)
        now = self.clock.now()
        with self.uow() as uow:
            since = now - timedelta(days=rules.ACTIVITY_DAYS)
            plays = uow.social.friend_plays(account_id, since, ACTIVITY_FRIENDS)
            shown = rules.activity(plays, now)
            cards = track_cards(uow, [a.track_id for a in shown], viewer)
        return [
            FriendActivity(a, c)
            for a, c in zip(shown, cards, strict=True)
            if c.availability.shows_metadata
        ]

    def export(self, account_id: int) -> dict[str, object]:
        """For the data export: whom the listener follows and blocked, what they share, and
        their Blends."""
        with self.uow() as uow:
            following, _ = uow.social.following(account_id, rules.MAX_FOLLOWING, 0)
            blocked = uow.social.blocked(account_id)
            sharing = uow.social.sharing(account_id)
            blends = uow.blends.of_member(account_id)
        return {
            "following_listeners": [
                {"id": p.id, "display_name": p.display_name} for p in following
            ],
            "blocked_listeners": [{"id": p.id, "display_name": p.display_name} for p in blocked],
            "share_activity": sharing.share_activity,
            "private_session": sharing.private,
            "blends": [
                {
                    "id": b.id,
                    "members": [m.display_name for m in b.members],
                    "match_score": b.match_score,
                }
                for b in blends
            ],
        }

    @staticmethod
    def _visible(uow: UnitOfWork, viewer_id: int | None, user_id: int) -> ListenerProfile:
        found = uow.social.profile(user_id)
        hidden = (
            viewer_id is not None
            and viewer_id != user_id
            and uow.social.blocked_between(viewer_id, user_id)
        )
        if found is None or hidden:
            raise NotFound(f"no listener {user_id}", code="listener_not_found")
        return found
