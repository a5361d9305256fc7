"""Blends: two listeners (by an invite link) share a playlist that balances their tastes and
says whose taste each track comes from, with a match score; made again daily. The Duo and
Family Mixes use the same method for their 2 to 6 members (`group_order`).

A member's taste is `TasteScores`: today `CountedTaste`, from what the server counts (plays,
likes, follows, genres, popularity); a learned model can take its place in bootstrap."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from cadenza.domain import blends as rules
from cadenza.domain.blends import Blend, BlendTrack, TasteSignals
from cadenza.domain.catalog import Viewer
from cadenza.domain.errors import Conflict, InvalidRequest, NotFound
from cadenza.ports.clock import Clock
from cadenza.ports.unit_of_work import UnitOfWork
from cadenza.recs.blend import balance
from cadenza.services.access_tokens import new_secret_token, token_hash
from cadenza.services.track_cards import TrackCard, playable_ids, track_cards

POPULAR = 100  # the most streamed tracks, a listener with no history's taste


class TasteScores(Protocol):
    """Track -> how much one listener would like it, among the tracks they may play."""

    def scores(self, user_id: int, viewer: Viewer) -> dict[int, float]: ...

    def signals(self, user_id: int) -> TasteSignals: ...


class CountedTaste:
    """Taste from counted plays and likes (by track and artist), followed artists, genres and
    popularity: no model needed."""

    def __init__(self, uow: Callable[[], UnitOfWork]) -> None:
        self.uow = uow

    def signals(self, user_id: int) -> TasteSignals:
        with self.uow() as uow:
            plays, liked, followed = uow.blends.listening_of(user_id)
            own = list({*plays, *liked})
            facts = uow.blends.track_facts(own)
            known = TasteSignals(
                plays,
                frozenset(liked),
                frozenset(followed),
                {t: f[0] for t, f in facts.items()},
            )
            affinity = rules.artist_affinity(known)
            top = sorted(affinity, key=lambda a: (-affinity[a], a))[: rules.TOP_ARTISTS]
            candidates = uow.blends.tracks_by_artists(top, rules.ARTIST_TRACKS)
            candidates += uow.blends.popular_tracks(POPULAR)
            facts |= uow.blends.track_facts([t for t in candidates if t not in facts])
        return TasteSignals(
            plays,
            frozenset(liked),
            frozenset(followed),
            {t: f[0] for t, f in facts.items()},
            {t: f[1] for t, f in facts.items()},
            {t: f[2] for t, f in facts.items()},
        )

    def scores(self, user_id: int, viewer: Viewer) -> dict[int, float]:
        scored = rules.counted_taste(self.signals(user_id))
        with self.uow() as uow:
            ids = list(scored)
            playable = {t for t in playable_ids(uow, ids, viewer) if t is not None}
        return {t: s for t, s in scored.items() if t in playable}


@dataclass(frozen=True)
class BlendItem:
    track: BlendTrack
    card: TrackCard
    member_name: str | None


class Blends:
    def __init__(
        self,
        uow: Callable[[], UnitOfWork],
        clock: Clock,
        viewer: Callable[[int], Viewer],
        taste: TasteScores,
    ) -> None:
        self.uow, self.clock, self.viewer, self.taste = uow, clock, viewer, taste

    # -- invites -------------------------------------------------------------------------
    def invite(self, account_id: int) -> str:
        """An invite link's token, good once, for INVITE_DAYS, for another signed-in listener."""
        token = new_secret_token()
        with self.uow() as uow:
            if len(uow.blends.of_member(account_id)) >= rules.MAX_BLENDS:
                raise InvalidRequest(
                    f"at most {rules.MAX_BLENDS} Blends each", code="too_many_blends"
                )
            uow.blends.add_invite(token_hash(token), account_id, self.clock.now())
            uow.commit()
        return token

    def invitation(self, account_id: int, token: str) -> str:
        """Who invites (their display name), for the page that asks to accept."""
        with self.uow() as uow:
            inviter_id = self._usable_invite(uow, account_id, token_hash(token))
            found = uow.social.profile(inviter_id)
        assert found is not None  # checked above
        return found.display_name

    def accept(self, account_id: int, token: str) -> Blend:
        """Make the Blend of the inviter and this listener; the link then stops working."""
        hashed, now = token_hash(token), self.clock.now()
        with self.uow() as uow:
            # The write first, so that of two listeners accepting at once one wins (and SQLite
            # takes its write lock before reading); a refusal below rolls it back.
            if not uow.blends.use_invite(hashed, now):
                self._usable_invite(uow, account_id, hashed)  # says why
                raise NotFound("this invite link was used already", code="invite_used")
            found = uow.blends.invite(hashed)
            assert found is not None
            inviter_id = self._check_invite(uow, account_id, found[0], found[1], None)
            blend_id = uow.blends.create([inviter_id, account_id], 0, now)
            uow.commit()
        self._refresh(blend_id)
        return self._get(blend_id)

    def _usable_invite(self, uow: UnitOfWork, account_id: int, hashed: str) -> int:
        found = uow.blends.invite(hashed)
        if found is None:
            raise NotFound("this invite link is not valid", code="invite_not_found")
        return self._check_invite(uow, account_id, *found)

    def _check_invite(
        self,
        uow: UnitOfWork,
        account_id: int,
        inviter_id: int,
        made_at: datetime,
        used_at: datetime | None,
    ) -> int:
        """The inviter, when this listener may accept: unused, not expired, someone else's,
        from an enabled account, and no block between the two."""
        if not rules.invite_usable(made_at, used_at, self.clock.now()):
            raise NotFound("this invite link was used already or has expired", code="invite_used")
        if inviter_id == account_id:
            raise Conflict(
                "send this link to someone else: a Blend is made with another listener",
                code="own_blend_invite",
            )
        hidden = uow.social.blocked_between(inviter_id, account_id)
        if hidden or uow.social.profile(inviter_id) is None:
            raise NotFound("this invite link is not valid", code="invite_not_found")
        return inviter_id

    # -- reading -------------------------------------------------------------------------
    def of_listener(self, account_id: int) -> list[Blend]:
        with self.uow() as uow:
            return uow.blends.of_member(account_id)

    def get(self, account_id: int, blend_id: int) -> tuple[Blend, list[BlendItem]]:
        """A Blend and its tracks, for its members only (404 for anyone else); made again
        first when it was last made before today."""
        with self.uow() as uow:
            if not uow.blends.is_member(blend_id, account_id):
                raise NotFound(f"no Blend {blend_id}", code="blend_not_found")
            blend = uow.blends.get(blend_id)
        if blend is not None and rules.is_stale(blend.refreshed_at, self.clock.now()):
            self._refresh(blend_id)
        blend = self._get(blend_id)
        viewer = self.viewer(account_id)
        names = {m.user_id: m.display_name for m in blend.members}
        with self.uow() as uow:
            tracks = uow.blends.tracks(blend_id)
            cards = track_cards(uow, [t.track_id for t in tracks], viewer)
        items = [
            BlendItem(t, c, names.get(t.member_id) if t.member_id is not None else None)
            for t, c in zip(tracks, cards, strict=True)
        ]
        return blend, items

    def leave(self, account_id: int, blend_id: int) -> None:
        """The member leaves; a Blend left with one member is gone."""
        with self.uow() as uow:
            if not uow.blends.is_member(blend_id, account_id):
                raise NotFound(f"no Blend {blend_id}", code="blend_not_found")
            if uow.blends.leave(blend_id, account_id) < 2:
                uow.blends.delete(blend_id)
            uow.commit()

    def refresh_stale(self) -> int:
        """Every Blend made before today, made again (the daily job); returns how many."""
        done = 0
        now = self.clock.now()
        with self.uow() as uow:
            stale = uow.blends.stale(now)
        for blend_id in stale:
            self._refresh(blend_id)
            done += 1
        return done

    # -- making --------------------------------------------------------------------------
    def group_order(self, member_ids: list[int], length: int) -> list[tuple[int, int]]:
        """(track, member id) for a group of listeners, each member's taste in its turn."""
        scores = [self.taste.scores(m, self.viewer(m)) for m in member_ids]
        return [(track, member_ids[m]) for track, m in balance(scores, length)]

    def _refresh(self, blend_id: int) -> None:
        blend = self._get(blend_id)
        member_ids = [m.user_id for m in blend.members]
        picked = self.group_order(member_ids, rules.BLEND_LENGTH)
        score = rules.match_score([self.taste.signals(m) for m in member_ids])
        with self.uow() as uow:
            tracks = [BlendTrack(t, m) for t, m in picked]
            uow.blends.replace_tracks(blend_id, tracks, score, self.clock.now())
            uow.commit()

    def _get(self, blend_id: int) -> Blend:
        with self.uow() as uow:
            found = uow.blends.get(blend_id)
        if found is None:
            raise NotFound(f"no Blend {blend_id}", code="blend_not_found")
        return found
