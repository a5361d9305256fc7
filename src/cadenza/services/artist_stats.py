"""Statistics for artists: the roll-up of counted streams into each artist's daily figures
(a job, every few minutes), and the dashboard an artist, its distributors and admins read."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from cadenza.domain.accounts import Role
from cadenza.domain.artist_stats import (
    AGE_RANGES,
    GENDERS,
    NOT_GIVEN,
    ArtistDashboard,
    Bucket,
    DayFigures,
    MonthEarnings,
    TopTrack,
    age_range,
    by_month,
    estimated_cents,
    filled,
    first_day,
    shown,
    source_of,
)
from cadenza.domain.catalog import ArtistRef
from cadenza.domain.errors import Forbidden, NotFound
from cadenza.ports.artist_stats import Audience, DayKey, FacetKey, StreamToRoll
from cadenza.ports.clock import Clock
from cadenza.ports.unit_of_work import UnitOfWork

BATCH_PLAYS = 20_000  # counted streams per roll-up transaction
LISTENER_DAYS_KEPT = 45  # days of "who listened that day" kept: later plays arrive within 30
TOP_TRACKS = 10


@dataclass(frozen=True)
class RollupReport:
    streams: int  # counted streams rolled up by this run
    batches: int
    taken_out: int  # streams flagged artificial since they were rolled up, taken out
    engagement_days: int  # artist-days whose saves, adds and follows were counted again


def _facets(s: StreamToRoll) -> tuple[date, Audience, list[tuple[str, str]]]:
    """A stream's day, its listener's audience that day, and the facets its stream counts in."""
    day = s.started_at.date()
    country = s.country or "ZZ"
    city = f"{s.city.strip()}, {country}"[:120] if s.city and s.city.strip() else ""
    gender = s.gender if s.gender in GENDERS else NOT_GIVEN
    age = age_range(s.birth_date, day)
    facets = [
        (facet, value)
        for facet, value in (
            ("country", country),
            ("city", city),
            ("source", source_of(s.source)),
            ("age", age),
            ("gender", gender),
        )
        if value != NOT_GIVEN
    ]
    return day, Audience(day, country, city, age, gender), facets


def _audience_facets(a: Audience) -> list[tuple[str, str]]:
    found = [("all", ""), ("country", a.country), ("age", a.age)]
    if a.city != NOT_GIVEN:
        found.append(("city", a.city))
    if a.gender != NOT_GIVEN:
        found.append(("gender", a.gender))
    return found


class ArtistStats:
    def __init__(
        self,
        uow: Callable[[], UnitOfWork],
        clock: Clock,
        per_stream_cents: Decimal,
        min_listeners: int,
        batch_plays: int = BATCH_PLAYS,
        reads: Callable[[], UnitOfWork] | None = None,
    ) -> None:
        self.uow, self.clock = uow, clock
        self.reads = reads or uow  # the dashboard's queries: a replica may answer them
        self.per_stream_cents, self.min_listeners = per_stream_cents, min_listeners
        self.batch_plays = batch_plays

    # -- the roll-up -------------------------------------------------------------------
    def pending(self) -> int:
        """Counted streams not rolled up yet, and rolled-up ones flagged artificial since (for
        a progress bar)."""
        with self.uow() as uow:
            return uow.stats_rollup.count_to_roll() + uow.stats_rollup.unroll.count_to_unroll()

    def roll_up(
        self, advance: Callable[[int], None] | None = None, *, streams_only: bool = False
    ) -> RollupReport:
        """Add every counted stream not rolled up yet to the figures, a batch a transaction
        (the figures and the streams' marks commit together: a rerun or a crash adds nothing
        twice), then count the recent days' saves, playlist adds and follows again. Streams
        flagged artificial since they were rolled up are taken out first, the same way; a
        flag an admin clears makes its streams not rolled up again.

        `streams_only` (the `artist-stats` consumer, for each batch of counted plays): the
        streams alone; the saves, adds and follows and the run's time are left to the job."""
        now = self.clock.now()
        today = now.date()
        with self.uow() as uow:
            previous = uow.artist_stats.rolled_at()
        streams = batches = taken_out = 0
        while True:
            with self.uow() as uow:
                uow.stats_rollup.begin_run()
                flagged = uow.stats_rollup.unroll.streams_to_unroll(self.batch_plays)
                if flagged:
                    self._unroll(uow, flagged)
                    uow.commit()
                    done = len({s.play_row for s in flagged})
                    taken_out, batches = taken_out + done, batches + 1
                    if advance is not None:
                        advance(done)
                    continue
                todo = uow.stats_rollup.streams_to_roll(self.batch_plays)
                if todo:
                    self._roll(uow, todo)
                    uow.commit()
                    done = len({s.play_row for s in todo})
                    streams, batches = streams + done, batches + 1
                    if advance is not None:
                        advance(done)
                    continue
                if streams_only:
                    uow.commit()
                    return RollupReport(streams, batches, taken_out, 0)
                since = (
                    date(1970, 1, 1)
                    if previous is None
                    else max(previous.date(), today - timedelta(days=LISTENER_DAYS_KEPT))
                    - timedelta(days=1)
                )
                engagement = uow.stats_rollup.recount_engagement(since, today)
                uow.stats_rollup.forget_listener_days(today - timedelta(days=LISTENER_DAYS_KEPT))
                uow.stats_rollup.finish_run(now)
                uow.commit()
                return RollupReport(streams, batches, taken_out, engagement)

    def rebuild(self, streams: Iterable[StreamToRoll], until: datetime) -> RollupReport:
        """The figures made again from `streams` (every counted stream started before `until`,
        counted elsewhere: a batch engine over the archive), replacing what was stored, in
        one transaction (the dashboard never reads half of it). The plays before `until` are
        marked as rolled up, so the next roll-up goes on from the plays after."""
        now = self.clock.now()
        today = now.date()
        total = batches = 0
        with self.uow() as uow:
            rollup = uow.stats_rollup
            rollup.begin_run()
            rollup.rebuild.forget_figures()
            batch: list[StreamToRoll] = []
            for stream in streams:
                batch.append(stream)
                if len(batch) >= self.batch_plays:
                    self._roll(uow, batch, mark=False)
                    total, batches, batch = total + len(batch), batches + 1, []
            if batch:
                self._roll(uow, batch, mark=False)
                total, batches = total + len(batch), batches + 1
            rollup.rebuild.mark_all_rolled(until)
            engagement = rollup.recount_engagement(date(1970, 1, 1), today)
            rollup.forget_listener_days(today - timedelta(days=LISTENER_DAYS_KEPT))
            rollup.finish_run(now)
            uow.commit()
        return RollupReport(total, batches, 0, engagement)

    def _roll(self, uow: UnitOfWork, todo: list[StreamToRoll], mark: bool = True) -> None:
        days: Counter[DayKey] = Counter()
        tracks: Counter[tuple[int, date, int]] = Counter()
        facets: Counter[FacetKey] = Counter()
        seen: set[tuple[int, date, int]] = set()
        latest: dict[tuple[int, int], Audience] = {}
        for s in todo:
            if s.artist_id < 0:  # its track left the catalog: nobody's figures
                continue
            a = s.artist_id
            day, audience, found = _facets(s)
            days[(a, day)] += 1
            tracks[(a, day, s.track_id)] += 1
            for facet, value in found:
                facets[(a, day, facet, value)] += 1
            seen.add((a, day, s.user_id))
            known = latest.get((a, s.user_id))
            if known is None or day >= known.last_day:
                latest[(a, s.user_id)] = audience
        rollup = uow.stats_rollup
        first = rollup.first_listens(seen)
        rollup.add_streams(
            {key: (n, first.get(key, 0)) for key, n in days.items()}, dict(tracks), dict(facets)
        )
        stored = rollup.audiences(set(latest))
        deltas: Counter[FacetKey] = Counter()
        changed: dict[tuple[int, int], Audience] = {}
        for (a, user), now in latest.items():
            before = stored.get((a, user))
            if before is not None and (now.last_day < before.last_day or now == before):
                continue  # a late play: the listener has listened since
            if before is not None:
                for facet, value in _audience_facets(before):
                    deltas[(a, before.last_day, facet, value)] -= 1
            for facet, value in _audience_facets(now):
                deltas[(a, now.last_day, facet, value)] += 1
            changed[(a, user)] = now
        rollup.save_audiences(changed)
        rollup.add_recency(dict(deltas))
        if mark:
            rollup.mark_rolled([s.play_row for s in todo])

    def _unroll(self, uow: UnitOfWork, flagged: list[StreamToRoll]) -> None:
        """Take streams flagged artificial out of the figures they were added to: streams per
        day, track and facet exactly (facets under the listener's city and gender as they are
        now); a listener leaves a day's count when no stream of theirs is left that day, and
        the audience figures follow their latest stream left, or leave them."""
        days: Counter[DayKey] = Counter()
        tracks: Counter[tuple[int, date, int]] = Counter()
        facets: Counter[FacetKey] = Counter()
        seen: set[tuple[int, date, int]] = set()
        for s in flagged:
            if s.artist_id < 0:
                continue
            a = s.artist_id
            day, _, found = _facets(s)
            days[(a, day)] -= 1
            tracks[(a, day, s.track_id)] -= 1
            for facet, value in found:
                facets[(a, day, facet, value)] -= 1
            seen.add((a, day, s.user_id))
        rollup = uow.stats_rollup
        unroll = rollup.unroll
        unroll.mark_unrolled([s.play_row for s in flagged])  # the reads below: what is left
        gone = seen - unroll.still_listened(seen)
        lost = Counter((a, d) for a, d, _ in gone)
        rollup.add_streams(
            {key: (n, -lost.get(key, 0)) for key, n in days.items()}, dict(tracks), dict(facets)
        )
        unroll.drop_listener_days(gone)
        unroll.drop_empty(set(days))
        stored = rollup.audiences({(a, u) for a, _, u in seen})
        moved = {pair for pair, x in stored.items() if (pair[0], x.last_day, pair[1]) in gone}
        left = unroll.latest_streams(moved)
        deltas: Counter[FacetKey] = Counter()
        changed: dict[tuple[int, int], Audience] = {}
        for a, user in moved:
            before = stored[(a, user)]
            for facet, value in _audience_facets(before):
                deltas[(a, before.last_day, facet, value)] -= 1
            stream = left.get((a, user))
            if stream is not None:
                now = _facets(stream)[1]
                for facet, value in _audience_facets(now):
                    deltas[(a, now.last_day, facet, value)] += 1
                changed[(a, user)] = now
        rollup.save_audiences(changed)
        unroll.drop_audiences(moved - set(changed))
        rollup.add_recency(dict(deltas))

    # -- who may see what -------------------------------------------------------------
    def artists_for(self, account_id: int) -> list[ArtistRef]:
        """The artists whose statistics this account may open, besides an admin's any: those
        it is linked to, and those its distributor delivers."""
        with self.reads() as uow:
            account = uow.accounts.get(account_id)
            if account is None:
                return []
            found: dict[int, ArtistRef] = {}
            if Role.ARTIST in account.roles:
                found.update((r.id, r) for r in uow.artist_links.linked_artists(account_id))
            if Role.DISTRIBUTOR in account.roles:
                found.update((r.id, r) for r in uow.artist_stats.delivered_artists(account_id))
        return sorted(found.values(), key=lambda r: (r.name.casefold(), r.id))

    def _may_see(self, uow: UnitOfWork, account_id: int, artist_id: int) -> bool:
        account = uow.accounts.get(account_id)
        if account is None or account.disabled:
            return False
        if Role.ADMIN in account.roles:
            return True
        if Role.ARTIST in account.roles and artist_id in {
            r.id for r in uow.artist_links.linked_artists(account_id)
        }:
            return True
        return Role.DISTRIBUTOR in account.roles and uow.artist_stats.delivers(
            account_id, artist_id
        )

    # -- the dashboard ----------------------------------------------------------------
    def dashboard(self, account_id: int, artist_id: int, range_name: str) -> ArtistDashboard:
        """One artist's figures over `range_name` (7d, 28d, 12m, all) for its linked accounts,
        the distributors of its releases and admins; anybody else is refused the same way
        whether the artist exists or not (403 `not_your_artist`)."""
        today = self.clock.now().date()
        since, monthly = first_day(range_name, today)
        with self.reads() as uow:
            if not self._may_see(uow, account_id, artist_id):
                raise Forbidden(
                    "these statistics are for the artist's own accounts, its distributors and "
                    "admins",
                    code="not_your_artist",
                )
            artist = uow.artist_stats.artist(artist_id)
            if artist is None:
                raise NotFound(f"no artist {artist_id}", code="artist_not_found")
            reads = uow.artist_stats
            # 12 months and all time: whole months from the monthly roll-ups, so they read
            # about as many rows as 28 days do (the days before the first whole month too).
            months = whole_months_from(since) if monthly else None
            days = reads.days(artist_id, since)
            top = reads.top_tracks(artist_id, since, TOP_TRACKS, months)
            streams_by = reads.facet_streams(artist_id, since, months)
            listeners_by = reads.facet_listeners(artist_id, since, months)
            rolled_at = reads.rolled_at()
        return self._assemble(
            artist,
            range_name,
            since,
            monthly,
            today,
            days,
            top,
            streams_by,
            listeners_by,
            rolled_at,
        )

    def _assemble(
        self,
        artist: ArtistRef,
        range_name: str,
        since: date | None,
        monthly: bool,
        today: date,
        days: list[DayFigures],
        top: list[tuple[int, str, int]],
        streams_by: list[tuple[str, str, int]],
        listeners_by: list[tuple[str, str, int]],
        rolled_at: datetime | None,
    ) -> ArtistDashboard:
        buckets: dict[str, dict[str, list[int]]] = {}
        for name, value, n in streams_by:
            buckets.setdefault(name, {}).setdefault(value, [0, 0])[0] += n
        for name, value, n in listeners_by:
            buckets.setdefault(name, {}).setdefault(value, [0, 0])[1] += n

        def facet(name: str, private: bool = True) -> list[Bucket]:
            found = [Bucket(v, s, li) for v, (s, li) in buckets.get(name, {}).items()]
            if private:
                return shown(found, self.min_listeners)
            return sorted(found, key=lambda b: (-b.streams, b.value))

        start = since if since is not None else (days[0].day if days else today)
        series = filled(days, start, today)
        if monthly:
            series = [
                DayFigures(
                    m.day,
                    m.streams,
                    round(m.listeners / _days_in(m.day, start, today)),
                    m.saves,
                    m.playlist_adds,
                    m.follows,
                )
                for m in by_month(series)
            ]
        months: Counter[str] = Counter()
        for d in days:
            months[d.day.strftime("%Y-%m")] += d.streams
        earnings = [
            MonthEarnings(month, n, estimated_cents(n, self.per_stream_cents))
            for month, n in sorted(months.items())
        ]
        return ArtistDashboard(
            artist_id=artist.id,
            artist_name=artist.name,
            range=range_name,
            first_day=since,
            last_day=today,
            monthly=monthly,
            rolled_at=rolled_at,
            streams=sum(d.streams for d in days),
            listeners=buckets.get("all", {}).get("", [0, 0])[1],
            saves=sum(d.saves for d in days),
            playlist_adds=sum(d.playlist_adds for d in days),
            follows=sum(d.follows for d in days),
            series=series,
            top_tracks=[TopTrack(t, title, n) for t, title, n in top],
            countries=facet("country"),
            cities=facet("city"),
            ages=sorted(facet("age"), key=lambda b: AGE_RANGES.index(b.value)),
            genders=facet("gender"),
            sources=facet("source", private=False),
            earnings=earnings,
            per_stream_cents=self.per_stream_cents,
            min_listeners=self.min_listeners,
        )


def _days_in(month: date, start: date, today: date) -> int:
    """The days of `month` within the series (the first and last month may be partial)."""
    following = (month.replace(day=28) + timedelta(days=4)).replace(day=1)
    first = max(month, start)
    last = min(following - timedelta(days=1), today)
    return max(1, (last - first).days + 1)


def whole_months_from(since: date | None) -> date:
    """The first day of the first whole month from `since` on (all time: any month)."""
    if since is None:
        return date(1, 1, 1)
    if since.day == 1:
        return since
    return (since.replace(day=28) + timedelta(days=4)).replace(day=1)
