"""The batch jobs on Apache Spark over the Parquet archive give what the embedded jobs give on
the database: a month's royalties to the cent (`cadenza royalties close --engine spark
--master local[2]`), the search popularity rollup and its ranks; and on a generated month,
Spark and the embedded engine (DuckDB) count the same streams. One SparkSession for the module
(Spark takes seconds to start); a JRE is needed (the Makefile installs Debian's)."""

from __future__ import annotations

import dataclasses
import json
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from cadenza.adapters.db.models import TrackArtistRow, TrackRow
from cadenza.adapters.db.models_accounts import UserRow
from cadenza.adapters.db.models_collection import LikedTrackRow
from cadenza.adapters.db.models_listening import PlayRow
from cadenza.adapters.db.models_royalties import (
    RoyaltyLineRow,
    RoyaltyMonthRow,
    RoyaltyPayoutRow,
    RoyaltyPoolRow,
)
from cadenza.adapters.db.models_search import SearchEntryRow, SearchPopularityRow
from cadenza.adapters.db.stats_rebuild_repo import FIGURES
from cadenza.batch.engines import EmbeddedEngine, SparkEngine, spark_session, stop_session
from cadenza.batch.month import ArchiveCounts
from cadenza.batch.synthetic import MonthShape, side_tables, write_month
from cadenza.bootstrap import App
from cadenza.config import Settings
from cadenza.domain import royalties as rules_
from cadenza.domain.accounts import Role
from cadenza.domain.artist_stats import ArtistDashboard
from cadenza.domain.royalties import RoyaltyModel
from cadenza.jobs.on_archive import rebuild_artist_stats, roll_up_popularity
from cadenza.jobs.recs_on_archive import train_on_spark
from cadenza.recs.algorithm import TasteVectors
from cadenza.recs.store import current, models_dir
from tests.e2e.conftest import sign_in
from tests.e2e.granted import clock_at, post_events
from tests.e2e.royalty_helpers import subscription
from tests.e2e.test_cli import cadenza
from tests.e2e.test_listening import play
from tests.e2e.test_recommendations import GENRES, Catalog, crowd, listen, taste_catalog

# Spark's side does not depend on the database (it reads the Parquet archive); what the jobs
# store goes through the services the embedded jobs use, which run on both databases. So these
# minutes-long tests run once, on SQLite (`make test-postgres` leaves the `spark` mark out).
pytestmark = [pytest.mark.slow, pytest.mark.spark, pytest.mark.xdist_group("spark")]
MASTER = "local[2]"


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    session = spark_session(MASTER, "cadenza-tests")
    yield session
    stop_session(session)


def last_month() -> tuple[str, datetime, datetime]:
    today = datetime.now(UTC)
    first_of_this = datetime(today.year, today.month, 1, tzinfo=UTC)
    start = (first_of_this - timedelta(days=1)).replace(day=1)
    return f"{start:%Y-%m}", start, first_of_this


def seeking(track: int, play_id: str, start: datetime) -> list[dict[str, Any]]:
    """10 s heard, a seek to 1:00, then 25 s more: 35 s heard, a counted stream."""
    at = [start + timedelta(seconds=s) for s in (0, 10, 35)]
    return [
        {"id": f"{play_id}-0", "play_id": play_id, "kind": "start", "track_id": track,
         "device": "phone", "position_ms": 0, "at": at[0].isoformat()},
        {"id": f"{play_id}-1", "play_id": play_id, "kind": "seek", "track_id": track,
         "device": "phone", "position_ms": 10_000, "seek_to_ms": 60_000,
         "at": at[1].isoformat()},
        {"id": f"{play_id}-2", "play_id": play_id, "kind": "end", "track_id": track,
         "device": "phone", "position_ms": 85_000, "at": at[2].isoformat()},
    ]  # fmt: skip


# where the plays start: sought out (the artist-centric model's boost), programmed, unknown
SOURCES = ("search", "editorial", None, "artist", "algorithmic", "library", "own_playlist")


def started_from(events: list[dict[str, Any]], source: str | None) -> list[dict[str, Any]]:
    if source is not None:
        events[0]["source"] = source
    return events


def listen_through_the_month(client: TestClient, app: App, tracks: list[int]) -> None:
    """Four listeners in three countries, each paying, play through last month from several
    sources: counted streams, short plays, seeks, two plays at once (one counts), one stream
    flagged; then the listener in GB moves to IE (their plays stay in GB's market)."""
    _, start, _ = last_month()
    people = [("US", 999), ("US", 1299), ("DE", 1099), ("GB", 899)]
    for n, (country, cents) in enumerate(people):
        who = sign_in(client, app, f"l{n}@example.org", country=country)
        account = client.get("/api/v1/me", headers=who).json()["id"]
        with app.uow() as uow:
            subscription(uow.session, [account], cents, start, 1)  # type: ignore[attr-defined]
            uow.commit()
        events: list[dict[str, Any]] = []
        for k in range(9):
            day = start + timedelta(days=1 + (3 * k + n) % 26, hours=8 + k, minutes=7 * n)
            track = tracks[(k * (n + 1)) % len(tracks)]
            seconds = (20, 45, 70, 31, 29)[(k + n) % 5]
            end = "skip" if seconds < 30 else "end"
            source = SOURCES[(k + 2 * n) % len(SOURCES)]
            events += started_from(play(track, f"p{n}-{k}", seconds, day, end=end), source)
        late = start + timedelta(days=27, hours=23, minutes=59, seconds=50)  # ends next day
        events += play(tracks[0], f"p{n}-late", 40, late)
        events += seeking(tracks[1], f"p{n}-seek", start + timedelta(days=5, hours=2))
        both = start + timedelta(days=6, hours=20)  # two at once: only one counts
        events += play(tracks[2], f"p{n}-one", 45, both) + play(tracks[1], f"p{n}-two", 45, both)
        assert post_events(client, who, events).json()["rejected"] == []
    with app.uow() as uow:
        s = uow.session  # type: ignore[attr-defined]
        s.execute(update(PlayRow).where(PlayRow.play_id == "p1-2").values(flagged_artificial=True))
        s.execute(update(UserRow).where(UserRow.email == "l3@example.org").values(country="IE"))
        uow.commit()
    # half the month archived on the blob store; the rest the job writes aside for its run
    for day in range(1, 15):
        app.event_archive.archive_day((start + timedelta(days=day)).date())


def stored_close(app: App, month: str) -> dict[str, Any]:
    done = app.royalties.month(month)
    return {
        "streams": done.closed.streams,
        "pools": sorted(dataclasses.astuple(p) for p in done.pools),
        "lines": {
            model.value: [
                dataclasses.astuple(line)
                for line in app.royalties.statement(month, model=model.value)[1]
            ]
            for model in RoyaltyModel
        },
    }


def forget_the_close(app: App) -> None:
    with app.uow() as uow:
        s = uow.session  # type: ignore[attr-defined]
        for table in (RoyaltyPayoutRow, RoyaltyLineRow, RoyaltyPoolRow, RoyaltyMonthRow):
            s.query(table).delete()
        s.execute(update(PlayRow).values(royalty_month=None))
        uow.commit()


def popularity_and_ranks(app: App) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    with app.uow() as uow:
        s = uow.session  # type: ignore[attr-defined]
        p = SearchPopularityRow
        rows = sorted(
            tuple(r) for r in s.execute(select(p.kind, p.entity_id, p.country, p.streams))
        )
        e = SearchEntryRow
        ranked = s.execute(
            select(e.kind, e.entity_id, e.popular_rank)
            .where(e.popular_rank.is_not(None))
            .order_by(e.kind, e.popular_rank)
        )
        return rows, [tuple(r) for r in ranked]


def test_spark_closes_a_month_to_the_cent_and_ranks_popularity_as_the_database_does(
    client: TestClient,
    app: App,
    settings: Settings,
    published: int,
    spark: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with app.uow() as uow:
        tracks = sorted(uow.session.scalars(select(TrackRow.id)))  # type: ignore[attr-defined]
    listen_through_the_month(client, app, tracks)
    month, _, end = last_month()

    # The operator's command: Spark in local mode over the archive, the money split as always.
    monkeypatch.setenv("CADENZA_ROYALTY_MIN_YEARLY_STREAMS", "1")
    closed = cadenza(settings, "royalties", "close", month, "--quiet", "--engine", "spark",
                     "--master", MASTER)  # fmt: skip
    assert closed.returncode == 0, closed.stderr
    assert f"{month} closed" in closed.stdout
    on_spark = stored_close(app, month)

    # The same month closed again by the embedded job on the database's GROUP BYs.
    forget_the_close(app)
    app.royalties.rules = dataclasses.replace(app.royalties.rules, min_yearly_streams=1)
    app.royalties.close(month)
    embedded = stored_close(app, month)
    assert on_spark == embedded
    paying = embedded["lines"]["pro_rata"]
    assert sum(line[7] for line in paying) > 0  # money was split: cents on the lines
    # each listener: the plays of 30 s or more, the late one, the seek, one of the two at
    # once; one stream flagged
    counted = sum(
        sum((20, 45, 70, 31, 29)[(k + n) % 5] >= 30 for k in range(9)) + 3 for n in range(4)
    )
    pro_rata = [p for p in embedded["pools"] if p[1] == "pro_rata"]
    assert sum(p[5] for p in pro_rata) == counted - 1
    # the listener who moved to IE after the month streamed in GB: GB's pool counts them
    assert {p[0] for p in pro_rata if p[5]} == {"US", "DE", "GB"}
    assert sum(p[6] for p in pro_rata) == 1
    assert embedded["streams"] == counted

    # Search popularity: Spark's rollup over the archive, then the database's, a day after
    # the month (its last 28 days): the same rows, the same entries ranked first.
    with clock_at(app, end + timedelta(hours=12)):
        spark_rows = roll_up_popularity(app, SparkEngine(MASTER, spark))
        from_spark = popularity_and_ranks(app)
        database_rows = app.search.roll_up_popularity(app.clock.now())
        from_database = popularity_and_ranks(app)
    assert spark_rows == database_rows > 0
    assert from_spark == from_database
    assert from_database[1]  # some entries are ranked popular


def test_spark_and_the_embedded_engine_count_a_generated_month_alike(
    spark: Any, tmp_path: Path
) -> None:
    shape = MonthShape(month="2026-05", events=15_000, accounts=200, tracks=150, artists=20)
    files = write_month(shape, tmp_path / "archive", legacy_days=2)  # 2 days before schema 2
    side = side_tables(shape)
    side["set_aside"] = [(7, "12", True), (9, "40", False)]  # one flagged, one not counted
    on_spark = ArchiveCounts(SparkEngine(MASTER, spark), files, side)
    embedded = ArchiveCounts(EmbeddedEngine(), files, side)

    assert [f.name for f in on_spark.older] == [f.name for f in files[:2]]
    listens, flagged, yearly = on_spark.month("2026-05")
    assert (listens, flagged, yearly) == embedded.month("2026-05")
    assert 0 < sum(r.sought_out for r in listens) < sum(r.streams for r in listens)
    # about two plays in three last 30 s or more
    plays = shape.events // 3
    assert 0.6 * plays < sum(r.streams for r in listens) + sum(flagged.values()) < 0.72 * plays

    since, until = rules_.month_bounds("2026-05")
    assert on_spark.popularity(since, until) == embedded.popularity(since, until)
    assert on_spark.artist_days(since, until) == embedded.artist_days(since, until)
    by_artist = on_spark.artist_streams(since, until)
    assert by_artist == embedded.artist_streams(since, until)
    # the days of schema 1 have neither source nor market; the others have both, mostly
    first_days = {date.fromisoformat(f.name[10:20]) for f in files[:2]}
    assert {(r.market, r.source) for r in by_artist if r.day in first_days} == {(None, None)}
    assert (
        sum(r.market is not None and r.source is not None for r in by_artist) > len(by_artist) / 2
    )


def stored_figures(app: App) -> dict[str, list[tuple[Any, ...]]]:
    with app.uow() as uow:
        s = uow.session  # type: ignore[attr-defined]
        return {
            table.__tablename__: sorted(tuple(r) for r in s.execute(select(table.__table__)))
            for table in FIGURES
        }


def test_spark_rebuilds_the_artists_statistics_the_embedded_roll_up_stores(
    client: TestClient, app: App, published: int, spark: Any
) -> None:
    with app.uow() as uow:
        tracks = sorted(uow.session.scalars(select(TrackRow.id)))  # type: ignore[attr-defined]
    listen_through_the_month(client, app, tracks)
    with app.uow() as uow:  # listeners who said where they live and who they are
        s = uow.session  # type: ignore[attr-defined]
        people = sorted(s.scalars(select(UserRow.id).where(UserRow.email.like("l_@%"))))
        for user, city, gender in zip(
            people, ("Boston", None, "Berlin", None), ("female", "male", None, None), strict=True
        ):
            s.execute(update(UserRow).where(UserRow.id == user).values(city=city, gender=gender))
        s.add(LikedTrackRow(user_id=people[0], track_id=tracks[0], added_at=datetime.now(UTC)))
        uow.commit()
    who = app.accounts.create("stats-admin@example.org", "velvet zebras hum 42 tunes",
                              roles=[Role.ADMIN]).id  # fmt: skip
    with app.uow() as uow:
        s = uow.session  # type: ignore[attr-defined]
        artists = sorted(set(s.scalars(select(TrackArtistRow.artist_id))))

    def dashboards() -> list[ArtistDashboard]:
        return [
            dataclasses.replace(app.artist_stats.dashboard(who, a, "12m"), rolled_at=None)
            for a in artists
        ]

    rolled = app.artist_stats.roll_up()  # the embedded job, on the database
    assert rolled.streams > 0
    embedded, on_the_dashboard = stored_figures(app), dashboards()
    assert sum(d.streams for d in on_the_dashboard) > 0
    assert any(d.saves for d in on_the_dashboard)
    assert {row[2] for row in embedded["stats_facet_days"]} >= {"country", "city", "gender"}
    facets = {(row[2], row[3]) for row in embedded["stats_facet_days"]}
    assert {("source", s) for s in ("search", "editorial", "artist", "other")} <= facets
    assert ("country", "GB") in facets and ("country", "IE") not in facets  # where they were
    assert any(b.value == "search" for d in on_the_dashboard for b in d.sources)

    # Spark's rebuild over the archive stores the same figures in their place
    assert rebuild_artist_stats(app, SparkEngine(MASTER, spark)) > 0
    assert stored_figures(app) == embedded
    assert dashboards() == on_the_dashboard
    # and the roll-up goes on from there: nothing counted twice, a new stream added once
    assert app.artist_stats.roll_up().streams == 0
    listener = sign_in(client, app, "after@example.org", country="SE")
    fresh = play(tracks[0], "after-the-rebuild", 45, datetime.now(UTC) - timedelta(minutes=5))
    assert post_events(client, listener, fresh).json()["rejected"] == []
    assert app.artist_stats.roll_up().streams == 1


def genre_precision(folder: Path, c: Catalog, listeners: dict[int, tuple[str, set[int]]]) -> float:
    """Of each listener's ten best unplayed tracks by the model in `folder`, the share of their
    own genre (the crowds play only theirs)."""
    vectors = TasteVectors.load(folder)
    ids = json.loads((folder / "ids.json").read_text())
    tracks, row = ids["tracks"], {u: i for i, u in enumerate(ids["listeners"])}
    hits = total = 0
    for user, (genre, heard) in listeners.items():
        scores = vectors.items @ vectors.listeners[row[user]]
        best = [tracks[i] for i in np.argsort(-scores)]
        top = [t for t in best if t in c.genre_of and t not in heard][:10]
        hits, total = hits + sum(c.genre_of[t] == genre for t in top), total + len(top)
    return hits / total


def test_a_model_trained_on_spark_recommends_as_the_embedded_one_and_is_served(
    client: TestClient, app: App, spark: Any
) -> None:
    c = taste_catalog(app)
    crowd(app, c)
    ada = sign_in(client, app, "ada@example.org")
    played = c.tracks_of["Jazz Artist 0"][:4] + c.tracks_of["Jazz Artist 1"][:4]
    listen(client, ada, played * 2, "ada")
    with app.uow() as uow:
        s = uow.session  # type: ignore[attr-defined]
        heard: dict[int, set[int]] = {}
        for user, track in s.execute(select(PlayRow.user_id, PlayRow.track_id)):
            heard.setdefault(user, set()).add(track)
        emails = {u: e for u, e in s.execute(select(UserRow.id, UserRow.email))}
    genre_of_name = {g.lower(): g for g in GENRES}  # the crowd's rock0@..., and Ada: jazz
    listeners = {
        user: (genre_of_name.get(emails[user].split("@")[0].rstrip("0123456789"), "Jazz"), tracks)
        for user, tracks in heard.items()
    }

    embedded = app.train_recs()
    on_spark = train_on_spark(app, SparkEngine(MASTER, spark))
    assert (on_spark.listeners, on_spark.tracks, on_spark.counted_plays) == (
        embedded.listeners, embedded.tracks, embedded.counted_plays
    )  # fmt: skip
    assert current(models_dir(app.settings.data_dir)) == (on_spark.version, on_spark.folder)
    quality = genre_precision(embedded.folder, c, listeners)
    spark_quality = genre_precision(on_spark.folder, c, listeners)
    print(f"genre precision@10: embedded {quality:.3f}, spark {spark_quality:.3f}")
    assert quality >= 0.8 and spark_quality >= quality - 0.1, (quality, spark_quality)

    # the server answers from the model Spark trained (it was not restarted)
    weekly = client.get("/api/v1/me/discover-weekly", headers=ada).json()
    assert weekly["basis"] == "model"
    genres = Counter(c.genre_of[t["id"]] for t in weekly["tracks"])
    assert genres.most_common(1)[0][0] == "Jazz" and genres["Jazz"] >= 6, genres  # 2 an artist
    mixes = client.get("/api/v1/me/daily-mixes", headers=ada).json()
    assert mixes and mixes[0]["basis"] == "model" and mixes[0]["genre"] == "jazz"


def test_the_engine_options_refuse_what_cannot_run(settings: Settings) -> None:
    embedded_only = cadenza(settings, "job", "run", "sessions-prune", "--engine", "spark")
    assert embedded_only.returncode == 2
    assert "runs embedded only" in embedded_only.stderr
    assert "search-popularity" in embedded_only.stderr
    stray = cadenza(settings, "royalties", "close", "2026-01", "--master", "local[2]")
    assert stray.returncode == 2 and "master_without_spark" in stray.stderr
    stray = cadenza(settings, "recs", "train", "--master", "local[2]")
    assert stray.returncode == 2 and "master_without_spark" in stray.stderr
    unknown = cadenza(settings, "job", "run", "charts", "--engine", "flink")
    assert unknown.returncode == 2 and "unknown_engine" in unknown.stderr
