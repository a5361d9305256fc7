"""The 12-month and all-time dashboards read whole months from monthly roll-ups (kept by the
same job, in the same transactions as the daily ones): their figures are the daily figures'
exactly, the all-time view still answers with the past months' daily rows gone, and an upgraded
database gets its months from the days it has."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import delete, func, select, text

from cadenza.adapters.db.engine import make_engine
from cadenza.adapters.db.models_creators import StatsFacetMonthRow, StatsTrackMonthRow
from cadenza.adapters.db.models_stats import StatsFacetDayRow, StatsRecencyRow, StatsTrackDayRow
from cadenza.bootstrap import App
from cadenza.services.artist_stats import whole_months_from
from tests.integration.test_artist_stats import (
    NOW,
    TODAY,
    World,
    add_play,
    admin,
    figures,
    roll,
    world,  # noqa: F401  (the fixture)
)
from tests.integration.test_migrations import upgrade


def _both_ways(app: App, artist: int, since: date | None) -> tuple[object, object]:
    """The top tracks, facet streams and facet listeners from `since`: read with whole months
    from the monthly roll-ups (as the dashboard does), and from the days alone."""
    months = whole_months_from(since)
    with app.uow() as uow:
        r = uow.artist_stats
        return (
            (
                r.top_tracks(artist, since, 10, months),
                sorted(r.facet_streams(artist, since, months)),
                sorted(r.facet_listeners(artist, since, months)),
            ),
            (
                r.top_tracks(artist, since, 10),
                sorted(r.facet_streams(artist, since)),
                sorted(r.facet_listeners(artist, since)),
            ),
        )


def test_twelve_months_and_all_time_come_from_months_and_match_the_days(
    app: App,
    world: World,  # noqa: F811
) -> None:
    for days_ago, user, track in ((45, world.fr[0], world.one), (100, world.de[0], world.two)):
        add_play(app, user, track, NOW - timedelta(days=days_ago), source="search")
    add_play(app, world.us, world.one, NOW - timedelta(days=400), country="US")  # over a year
    roll(app)
    who = admin(app)
    year, everything = (
        figures(app, who, world.artist, "12m"),
        figures(app, who, world.artist, "all"),
    )
    assert (year.streams, everything.streams) == (23, 24)
    for d in (year, everything):
        by_months, by_days = _both_ways(app, world.artist, d.first_day)
        assert by_months == by_days
        assert [(t.track_id, t.title, t.streams) for t in d.top_tracks] == by_days[0]
        assert d.listeners == dict(((f, v), n) for f, v, n in by_days[2])[("all", "")]
    assert year.first_day is not None and year.first_day.day != 1  # a partial first month

    # The all-time view reads no daily row of past months: with them gone, it is unchanged.
    first_of_month = TODAY.replace(day=1)
    with app.db_sessions() as s:
        for table, column in (
            (StatsTrackDayRow, StatsTrackDayRow.day),
            (StatsFacetDayRow, StatsFacetDayRow.day),
            (StatsRecencyRow, StatsRecencyRow.last_day),
        ):
            s.execute(delete(table).where(column < first_of_month))
        s.commit()
    again = figures(app, who, world.artist, "all")
    assert replace(again, rolled_at=None) == replace(everything, rolled_at=None)


def test_an_upgraded_database_gets_its_months_from_its_days(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    upgrade(url, "0039")
    engine = make_engine(url)
    days = [date(2026, 10, 30), date(2026, 10, 31), date(2026, 11, 1)]
    with engine.begin() as db:
        for n, day in enumerate(days):
            db.execute(
                text("INSERT INTO stats_track_days VALUES (7, :d, 70, :n)"), {"d": day, "n": n + 1}
            )
            db.execute(
                text("INSERT INTO stats_facet_days VALUES (7, :d, 'country', 'FR', :n)"),
                {"d": day, "n": 10 * (n + 1)},
            )
    engine.dispose()
    upgrade(url, "head")
    engine = make_engine(url)
    with engine.connect() as db:
        tracks = db.execute(
            select(StatsTrackMonthRow.month, StatsTrackMonthRow.streams).order_by(
                StatsTrackMonthRow.month
            )
        ).all()
        facets = db.execute(select(func.sum(StatsFacetMonthRow.streams))).scalar()
    engine.dispose()
    assert [(str(m)[:10], n) for m, n in tracks] == [("2026-10-01", 3), ("2026-11-01", 3)]
    assert facets == 60
