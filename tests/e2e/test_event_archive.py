"""Listening events archived as Parquet per day on the blob store: `cadenza events archive
--day`, the `events-archive` job that rolls every whole day not archived yet, and pyarrow kept
to those processes. Each event carries its play's source and market (schema 2), so the batch
jobs over the archive count streams where and from where they started, as the database does;
a day archived before (schema 1) is still read, its streams as source "other" in the
listener's country now, and the job says so."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

import pyarrow.parquet as pq
from fastapi.testclient import TestClient
from sqlalchemy import update

from cadenza.adapters.archive.parquet import ADDED, SCHEMA_VERSION, schema_version
from cadenza.adapters.db.models_accounts import UserRow
from cadenza.batch.engines import EmbeddedEngine
from cadenza.bootstrap import App
from cadenza.config import Settings
from cadenza.jobs.on_archive import rebuild_artist_stats
from tests.e2e.conftest import sign_in
from tests.e2e.granted import post_events
from tests.e2e.test_batch_engines import started_from, stored_figures
from tests.e2e.test_cli import cadenza
from tests.e2e.test_listening import first_track, play

if TYPE_CHECKING:
    import pytest


def moves_to(app: App, email: str, country: str) -> None:
    with app.uow() as uow:
        s = uow.session  # type: ignore[attr-defined]
        s.execute(update(UserRow).where(UserRow.email == email).values(country=country))
        uow.commit()


def rows_of(app: App, digest: str) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = pq.read_table(app.blobs.path_of(digest)).to_pylist()
    return rows


def test_a_day_of_listening_events_becomes_one_parquet_file(
    client: TestClient, app: App, settings: Settings, published: int
) -> None:
    ada = sign_in(client, app, "ada@example.org", country="SE")
    bob = sign_in(client, app, "bob@example.org")
    track = first_track(client, published)
    today = datetime.now(UTC).date()
    day, next_day = today - timedelta(days=3), today - timedelta(days=2)
    noon = datetime.combine(day, time(12), UTC)
    ada_plays = started_from(play(track, "a-1", 45, noon), "search") + play(
        track, "a-2", 40, noon + timedelta(hours=11)
    )
    bob_plays = started_from(play(track, "b-1", 35, noon + timedelta(hours=3)), "editorial")
    later = play(track, "a-3", 50, datetime.combine(next_day, time(0, 5), UTC))
    assert post_events(client, ada, ada_plays + later).json()["rejected"] == []
    assert post_events(client, bob, bob_plays).json()["rejected"] == []
    moves_to(app, "ada@example.org", "NO")  # after her plays: they stay in SE's market

    done = cadenza(settings, "events", "archive", "--day", day.isoformat())
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert answer["day"] == day.isoformat()
    assert answer["events"] == len(ada_plays) + len(bob_plays)
    rows = rows_of(app, answer["digest"])
    # Every event of that day once, with who, what and when; none of the next day's.
    assert sorted(str(r["client_id"]) for r in rows) == sorted(
        e["id"] for e in ada_plays + bob_plays
    )
    first = next(r for r in rows if r["client_id"] == "a-1-0")
    assert first["kind"] == "start" and first["track_id"] == track
    assert first["at"] == noon
    # each event with its play's source and the country the play was made in
    assert {(r["play_id"], r["source"], r["market"]) for r in rows} == {
        ("a-1", "search", "SE"),
        ("a-2", None, "SE"),
        ("b-1", "editorial", "US"),
    }
    assert schema_version(app.blobs.path_of(answer["digest"])) == SCHEMA_VERSION == 2
    assert {r["account_id"] for r in rows} == {
        client.get("/api/v1/me", headers=who).json()["id"] for who in (ada, bob)
    }

    # Again: the same events, the same file; the day is archived once.
    again = json.loads(cadenza(settings, "events", "archive", "--day", day.isoformat()).stdout)
    assert again == answer
    assert app.event_archive.archived(day) == (answer["digest"], answer["events"])

    # The job rolls each whole day that has none yet: the next day, and the empty ones after.
    rolled = cadenza(settings, "job", "run", "events-archive")
    assert rolled.returncode == 0, rolled.stderr
    archived_next = app.event_archive.archived(next_day)
    assert archived_next is not None and archived_next[1] == len(later)
    assert [r["client_id"] for r in rows_of(app, archived_next[0])] == [e["id"] for e in later]
    assert app.event_archive.archived(day) == (answer["digest"], answer["events"])

    # An offline play of that day arrives late: the next roll writes the day again with it,
    # and leaves the days that did not change as they were.
    late = play(track, "b-2", 30, noon + timedelta(hours=5))
    assert post_events(client, bob, late).json()["rejected"] == []
    rolled = cadenza(settings, "job", "run", "events-archive")
    assert rolled.returncode == 0, rolled.stderr
    rewritten = app.event_archive.archived(day)
    assert rewritten is not None and rewritten[1] == answer["events"] + len(late)
    assert {e["id"] for e in late} <= {str(r["client_id"]) for r in rows_of(app, rewritten[0])}
    assert app.event_archive.archived(next_day) == archived_next

    refused = cadenza(settings, "events", "archive", "--day", "07/12/2026")
    assert refused.returncode == 2 and "YYYY-MM-DD" in refused.stderr
    assert date.fromisoformat(answer["day"]) == day


def as_schema_1(app: App, day: date) -> None:
    """The day's archive file as the archive wrote it before sources and markets (schema 1)."""
    archived = app.event_archive.archived(day)
    assert archived is not None
    table = pq.read_table(app.blobs.path_of(archived[0]))
    older = table.drop_columns([name for name, _ in ADDED[2]]).replace_schema_metadata(None)
    path = app.settings.work_dir / f"older-{day.isoformat()}.parquet"
    app.settings.work_dir.mkdir(parents=True, exist_ok=True)
    pq.write_table(older, path)
    stored = app.blobs.put_file(path)
    assert schema_version(app.blobs.path_of(stored.digest)) == 1
    with app.uow() as uow:
        uow.event_archive.save(day, stored.digest, archived[1], datetime.now(UTC))
        uow.commit()


def facets_of(app: App) -> dict[tuple[str, str], int]:
    """The artists' streams per facet (country, source, ...) and value, every day summed."""
    found: dict[tuple[str, str], int] = {}
    for _, _, facet, value, n in stored_figures(app)["stats_facet_days"]:
        found[(facet, value)] = found.get((facet, value), 0) + n
    return found


def test_statistics_over_the_archive_count_each_stream_where_and_from_where_it_started(
    client: TestClient, app: App, published: int, caplog: pytest.LogCaptureFixture
) -> None:
    ada = sign_in(client, app, "ada@example.org", country="SE")
    bob = sign_in(client, app, "bob@example.org", country="US")
    track = first_track(client, published)
    today = datetime.now(UTC).date()
    day, next_day = today - timedelta(days=3), today - timedelta(days=2)
    noon = datetime.combine(day, time(12), UTC)
    sent: list[tuple[dict[str, str], list[dict[str, Any]]]] = [
        (ada, started_from(play(track, "a-1", 45, noon), "search")),
        (ada, started_from(play(track, "a-2", 40, noon + timedelta(hours=2)), "algorithmic")),
        (bob, started_from(play(track, "b-1", 35, noon + timedelta(hours=3)), "artist")),
        (bob, play(track, "b-2", 50, noon + timedelta(hours=4))),
        (ada, started_from(play(track, "a-3", 50, noon + timedelta(days=1)), "search")),
    ]
    for who, events in sent:
        assert post_events(client, who, events).json()["rejected"] == []
    moves_to(app, "ada@example.org", "NO")
    app.event_archive.archive_day(day)
    app.event_archive.archive_day(next_day)

    rolled = app.artist_stats.roll_up()  # the embedded job, on the database
    assert rolled.streams == 5
    embedded = stored_figures(app)
    facets = facets_of(app)
    assert {k: n for k, n in facets.items() if k[0] in ("country", "source")} == {
        ("country", "SE"): 3,
        ("country", "US"): 2,
        ("source", "search"): 2,
        ("source", "algorithmic"): 1,
        ("source", "artist"): 1,
        ("source", "other"): 1,
    }

    # the rebuild over the archive (here on DuckDB: the SQL Spark runs) stores the same
    assert rebuild_artist_stats(app, EmbeddedEngine()) == 5
    assert stored_figures(app) == embedded

    # a day archived before sources and markets were: read still, said, counted as "other"
    as_schema_1(app, day)
    with caplog.at_level("WARNING", logger="cadenza.batch.month"):
        assert rebuild_artist_stats(app, EmbeddedEngine()) == 5
    said = [r.getMessage() for r in caplog.records if "schema 1" in r.getMessage()]
    assert len(said) == 1 and f"({day.isoformat()})" in said[0]
    assert "source 'other'" in said[0]
    older = facets_of(app)
    assert {k: n for k, n in older.items() if k[0] in ("country", "source")} == {
        ("country", "NO"): 2,  # ada's plays of that day: her country now
        ("country", "SE"): 1,  # her play of the next day, archived in schema 2
        ("country", "US"): 2,
        ("source", "search"): 1,
        ("source", "other"): 4,
    }
