"""Ad breaks for Free and Plus listeners: progress towards the next break, choosing and holding
it, completed ads counted once as impressions, and the monthly ad-revenue pool.

Each finished track (the `TrackFinished` event) brings the next break closer; the player asks
`next_ad_break` before the next track;
the stream endpoint calls `hold_for_ads`, so a client that skips the break gets no music.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, time

from cadenza.domain.accounts import Account, Role
from cadenza.domain.ads import (
    PROMISE_HELD,
    AdAudience,
    AdBreak,
    Campaign,
    ListeningState,
    age_on,
    choose_ads,
)
from cadenza.domain.entitlements import Entitlements, Listener, Refusal, require
from cadenza.domain.errors import Conflict, Forbidden, NotFound
from cadenza.domain.events import TrackFinished
from cadenza.domain.listening import COUNTED_AFTER_MS
from cadenza.domain.plans import Plan, add_months
from cadenza.ports.ads import RevenueShare
from cadenza.ports.clock import Clock
from cadenza.ports.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class BreakToPlay:
    """An open break and its ads in playing order, each with whether it has been played."""

    id: int
    ads: tuple[tuple[Campaign, bool], ...]


@dataclass(frozen=True)
class AdCompletion:
    counted: bool  # False when this ad had already been completed
    break_over: bool


class AdBreaks:
    def __init__(
        self, uow: Callable[[], UnitOfWork], clock: Clock, entitlements: Entitlements
    ) -> None:
        self.uow, self.clock, self.entitlements = uow, clock, entitlements

    def track_finished(self, event: TrackFinished) -> None:
        """A song heard brings the next ad break closer (a quick skip does not count)."""
        if not event.skipped or event.listened_ms >= COUNTED_AFTER_MS:
            self.song_played(event.account_id, event.listened_ms / 1000, event.genres)

    def song_played(self, account_id: int, seconds: float, genres: Iterable[str] = ()) -> None:
        """A track was listened to for `seconds`; `genres` are the track's (for targeting)."""
        with self.uow() as uow:
            if not _plan(_account(uow, account_id)).features.ads:
                return
            now = self.clock.now()
            state = uow.ad_breaks.listening_to_change(account_id, now)
            uow.ad_breaks.save_listening(account_id, state.after_song(seconds, genres), now)
            uow.commit()

    def track_skipped(self, account_id: int, who: Listener | None = None) -> None:
        """Record a skip, or refuse it (`skip_limit_reached`, `ad_not_skippable`). `who`: the
        listener as the command has just read them."""
        now = self.clock.now()
        with self.uow() as uow:
            listener = who or Listener(_plan(_account(uow, account_id)))
            state = uow.ad_breaks.listening_to_change(account_id, now)
            require(self.entitlements.skip(listener, state.listening, now))
            skipped = ListeningState(
                state.listening.after_skip(now), state.open_break_id, state.recent_genres
            )
            uow.ad_breaks.save_listening(account_id, skipped, now)
            uow.commit()

    def hold_for_ads(self, account_id: int, who: Listener | None = None) -> None:
        """Refuse the next track (`ad_break_due`) while a break is due or playing. `who`: the
        listener as the same command has just read them; a plan without ads reads nothing."""
        if who is not None and not who.plan.features.ads:
            return
        with self.uow() as uow:
            account = uow.accounts.get(account_id) if who is None else None
            state = uow.ad_breaks.listening(account_id)
        listener = who or (Listener(_plan(account)) if account is not None else None)
        if listener is None or state is None:
            return
        if self.entitlements.ad_break_due(listener, state.listening):
            raise Refusal("ad_break_due", "an ad break plays before the next track").error()

    def next_ad_break(self, account_id: int) -> BreakToPlay | None:
        """The open break, or a new one when one is due; None when no ad is to play now."""
        now = self.clock.now()
        with self.uow() as uow:
            account = _account(uow, account_id)
            listener = Listener(_plan(account))
            if not listener.plan.features.ads:
                return None
            state = uow.ad_breaks.listening_to_change(account_id, now)
            if state.open_break_id is not None:
                open_break = uow.ad_breaks.ad_break(state.open_break_id)
                if open_break is not None and not open_break.abandoned(now):
                    return _to_play(uow, state.open_break_id)
                # Left unplayed for too long: its ads' budget may have gone to other breaks, so
                # it closes and the ads are chosen again.
                uow.ad_breaks.close_break(state.open_break_id, now)
                state = replace(state, open_break_id=None)
            if not self.entitlements.ad_break_due(listener, state.listening):
                return None
            audience = AdAudience(
                country=account.country,
                age=age_on(account.birth_date, now.date()),
                recent_genres=state.recent_genres,
                ads_today=uow.ad_breaks.ads_served_since(account_id, _day_start(now)),
            )
            since = now - PROMISE_HELD
            chosen = choose_ads(
                uow.ads.servable(now.date()),
                audience,
                now.date(),
                uow.ad_impressions.promised_ads(since),
            )
            if chosen:  # again under the campaigns' locks: a break opened meanwhile counts
                order = {c.id: n for n, c in enumerate(chosen)}
                locked = uow.ad_impressions.lock_campaigns(list(order))
                promised = uow.ad_impressions.promised_ads(since)
                chosen = sorted(
                    (
                        c
                        for c in locked
                        if c.servable(now.date()) and c.can_promise(promised.get(c.id, 0))
                    ),
                    key=lambda c: order[c.id],
                )
            if not chosen:  # nothing to sell this listener now: the music goes on
                uow.ad_breaks.save_listening(account_id, state.after_break(), now)
                uow.commit()
                return None
            break_id = uow.ad_breaks.open_break(account_id, [c.id for c in chosen], now)
            uow.ad_breaks.save_listening(account_id, state.with_break(break_id), now)
            uow.commit()
            return BreakToPlay(break_id, tuple((c, False) for c in chosen))

    def ad_completed(self, account_id: int, break_id: int, campaign_id: int) -> AdCompletion:
        """The ad played to its end: one impression, however often the player says so."""
        now = self.clock.now()
        with self.uow() as uow:
            account = _account(uow, account_id)
            ad_break = _own_break(uow, account_id, break_id)
            ad = ad_break.ad(campaign_id)
            if ad is None:
                raise NotFound(f"ad {campaign_id} is not in this break", code="ad_not_in_break")
            if ad_break.closed and not ad.completed:  # abandoned, and its ads chosen again
                raise Conflict("this ad break is over", code="ad_break_over")
            state = uow.ad_breaks.listening_to_change(account_id, now)  # one completion at a time
            counted = uow.ad_impressions.complete_ad(break_id, campaign_id, now)
            if counted:
                uow.ad_impressions.record_impression(
                    campaign_id, account_id, break_id, account.country, now
                )
            played = uow.ad_breaks.ad_break(break_id)
            assert played is not None
            over = all(a.completed for a in played.ads)
            if over and not played.closed:
                uow.ad_breaks.close_break(break_id, now)
                if state.open_break_id == break_id:
                    uow.ad_breaks.save_listening(account_id, state.after_break(), now)
            uow.commit()
        return AdCompletion(counted, over)

    def skip_ad(self, account_id: int, break_id: int) -> None:
        """Always refused while the break plays: ads cannot be skipped."""
        with self.uow() as uow:
            ad_break = _own_break(uow, account_id, break_id)
            listener = Listener(_plan(_account(uow, account_id)))
            state = uow.ad_breaks.listening(account_id) or ListeningState()
        if ad_break.closed:
            raise Conflict("this ad break is over", code="ad_break_over")
        playing = replace(state.listening, ad_playing=True)  # the break is open: an ad plays
        require(self.entitlements.skip(listener, playing, self.clock.now()))

    def export(self, account_id: int) -> dict[str, object]:
        """The ads this listener heard and what targets them, for "download my data"."""
        with self.uow() as uow:
            heard = uow.ad_impressions.ads_heard(account_id)
            state = uow.ad_breaks.listening(account_id) or ListeningState()
        return {
            "ads": {
                "heard": [{"campaign": name, "at": at.isoformat()} for name, at in heard],
                "recent_genres_for_targeting": list(state.recent_genres),
                "songs_since_last_ad": state.listening.songs_since_ad,
            }
        }

    def revenue(self, account_id: int, year: int, month: int) -> list[RevenueShare]:
        """Ad revenue per listener country in a calendar month (UTC), for admins."""
        with self.uow() as uow:
            if Role.ADMIN not in _account(uow, account_id).roles:
                raise Forbidden("the ad-revenue pool is for admins", code="admin_required")
            start = datetime(year, month, 1, tzinfo=UTC)
            return uow.ad_impressions.revenue(start, add_months(start, 1))


def _account(uow: UnitOfWork, account_id: int) -> Account:
    account = uow.accounts.get(account_id)
    if account is None:
        raise NotFound(f"no account {account_id}")
    return account


def _plan(account: Account) -> Plan:
    try:
        return Plan(account.plan)
    except ValueError:  # a plan this version does not know is treated as the free one
        return Plan.FREE


def _own_break(uow: UnitOfWork, account_id: int, break_id: int) -> AdBreak:
    ad_break = uow.ad_breaks.ad_break(break_id)
    if ad_break is None or ad_break.account_id != account_id:
        raise NotFound(f"no ad break {break_id}", code="ad_break_not_found")
    return ad_break


def _to_play(uow: UnitOfWork, break_id: int) -> BreakToPlay:
    ad_break = uow.ad_breaks.ad_break(break_id)
    assert ad_break is not None
    ads = []
    for ad in ad_break.ads:
        campaign = uow.ads.campaign(ad.campaign_id)
        assert campaign is not None
        ads.append((campaign, ad.completed))
    return BreakToPlay(break_id, tuple(ads))


def _day_start(now: datetime) -> datetime:
    return datetime.combine(now.date(), time(), tzinfo=UTC)
