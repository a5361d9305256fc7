"""Bring your history, end to end on the database: a Spotify export uploaded through the API
(zip), ListenBrainz and Last.fm files through the CLI; matched plays become the listener's
history (their plays list, recently played, Your year) and never counted streams (royalties and
artists' statistics ignore them); the same file twice adds nothing; an import can be deleted
with its plays, by its owner only."""

from __future__ import annotations

import json
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from cadenza.bootstrap import App
from cadenza.domain.royalties import RoyaltyRules
from tests.e2e.conftest import sign_in
from tests.e2e.live import wait_until
from tests.e2e.royalty_helpers import NOV, FixedClock, catalog, play, subscription, user
from tests.fixtures.catalog import Song, put_release

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "history"
IMPORTS = "/api/v1/me/history/imports"


def songs(app: App) -> dict[str, int]:
    """The catalog the fixture files are matched against (every track 200 s long)."""
    found: dict[str, int] = {}
    for title, artist, tracks in [
        (
            "A Night at the Opera",
            "Queen",
            [Song("Bohemian Rhapsody", isrc="GBUM71029604"), Song("Love of My Life")],
        ),
        ("B'Day", "Beyoncé", [Song("Déjà Vu", featured=["Jay-Z"])]),
        ("Abbey Road", "The Beatles", [Song("Here Comes the Sun"), Song("Something")]),
        ("Takk...", "Sigur Rós", [Song("Hoppípolla")]),
    ]:
        _, ids = put_release(app, title, [artist], list(tracks))
        found.update({s.title: i for s, i in zip(tracks, ids, strict=True)})
    return found


def spotify_zip(folder: Path) -> Path:
    path = folder / "my_spotify_data.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        source = FIXTURES / "Streaming_History_Audio_2025.json"
        z.write(source, f"Spotify Extended Streaming History/{source.name}")
        z.writestr(
            "Spotify Extended Streaming History/ReadMeFirst_ExtendedStreamingHistory.pdf",
            b"%PDF-1.4",
        )
    return path


def upload(client: TestClient, who: dict[str, str], path: Path) -> dict[str, object]:
    with path.open("rb") as f:
        answer = client.post(IMPORTS, headers=who, files={"file": (path.name, f)})
    assert answer.status_code == 202, answer.text
    started: dict[str, object] = answer.json()

    def status() -> dict[str, object]:
        return dict(client.get(f"{IMPORTS}/{started['id']}", headers=who).json())

    wait_until(lambda: status()["status"] != "running", "the import ends")
    return status()


def test_a_spotify_export_becomes_history_once_and_goes_with_its_import(
    app: App, client: TestClient, tmp_path: Path
) -> None:
    tracks = songs(app)
    listener = sign_in(client, app, "history@example.org")
    other = sign_in(client, app, "other@example.org")
    archive = spotify_zip(tmp_path)

    report = upload(client, listener, archive)
    assert report["status"] == "done" and report["progress"] == 100
    assert report["source"] == "spotify"
    assert (report["total"], report["matched"], report["unmatched"]) == (9, 6, 3)
    assert (report["skipped"], report["added"]) == (2, 6)  # the podcast and the 12 s play
    top = report["top_unmatched"]
    assert isinstance(top, list)
    assert top[0] == {"artist": "Unknown Band", "title": "Song Nobody Has", "plays": 2}
    assert {"artist": "Queen", "title": "Love of My Life - Live", "plays": 1} in top

    plays = client.get("/api/v1/me/history/plays", headers=listener).json()
    assert [p["track_id"] for p in plays] == [
        tracks["Something"],
        tracks["Bohemian Rhapsody"],
        tracks["Hoppípolla"],
        tracks["Here Comes the Sun"],
        tracks["Déjà Vu"],
        tracks["Bohemian Rhapsody"],
    ]
    assert {p["source"] for p in plays} == {"spotify"}
    assert plays[1]["listened_ms"] == 300_000  # as long as Spotify says it was heard
    recent = client.get("/api/v1/me/player/recently-played", headers=listener).json()
    assert [p["track_id"] for p in recent["items"]] == [p["track_id"] for p in plays]
    year = client.get("/api/v1/me/year/2025", headers=listener).json()
    assert year["plays"] == 6
    assert year["top_tracks"][0]["track"]["title"] == "Bohemian Rhapsody"
    assert year["top_tracks"][0]["plays"] == 2

    exported = client.get("/api/v1/me/export", headers=listener).json()
    assert len(exported["imported_history"]) == 6  # "download my data" has it
    assert exported["history_imports"][0]["matched"] == 6

    again = upload(client, listener, archive)  # the same file: nothing twice
    assert (again["matched"], again["added"]) == (6, 0)
    assert len(client.get("/api/v1/me/history/plays", headers=listener).json()) == 6
    assert client.get("/api/v1/me/history/plays", headers=other).json() == []

    first = report["id"]
    assert client.get(f"{IMPORTS}/{first}", headers=other).status_code == 404
    assert client.delete(f"{IMPORTS}/{first}", headers=other).status_code == 404
    assert client.delete(f"{IMPORTS}/{first}", headers=listener).status_code == 204
    assert client.get("/api/v1/me/history/plays", headers=listener).json() == []
    assert [i["id"] for i in client.get(IMPORTS, headers=listener).json()] == [again["id"]]
    assert client.get("/api/v1/me/year/2025", headers=listener).json()["plays"] == 0


def test_bad_uploads_are_refused_and_leave_nothing(
    app: App, client: TestClient, tmp_path: Path
) -> None:
    listener = sign_in(client, app, "refused@example.org")
    notes = tmp_path / "notes.zip"
    with zipfile.ZipFile(notes, "w") as z:
        z.writestr("notes.txt", "no history here")
    cases = [
        (notes, 422, "no_history_in_zip"),
        (FIXTURES / "lastfm_scrobbles.csv", 413, "history_too_large"),
    ]
    app.settings.history_upload_max_bytes = 200  # smaller than the CSV (259 bytes)
    for path, code, error in cases:
        with path.open("rb") as f:
            answer = client.post(IMPORTS, headers=listener, files={"file": (path.name, f)})
        assert answer.status_code == code, answer.text
        assert answer.json()["error"]["code"] == error
    assert client.get(IMPORTS, headers=listener).json() == []
    assert client.post(IMPORTS, files={"file": ("a.csv", b"x")}).status_code == 401


def test_the_cli_imports_listenbrainz_and_lastfm_files(
    app: App, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cadenza import cli

    tracks = songs(app)
    sign_in(client, app, "cli@example.org")
    monkeypatch.setenv("CADENZA_DATA_DIR", str(app.settings.data_dir))
    if app.settings.database_url:
        monkeypatch.setenv("CADENZA_DATABASE_URL", app.settings.database_url)
    runner = CliRunner()

    def run(name: str, *more: str) -> dict[str, object]:
        args = ["history", "import", str(FIXTURES / name), "--account", "cli@example.org"]
        done = runner.invoke(cli.cli, [*args, *more])
        assert done.exit_code == 0, done.output
        found: dict[str, object] = json.loads(done.stdout) if more else {"text": done.stdout}
        return found

    listens = run("listenbrainz_listens.jsonl", "--json")
    assert listens["source"] == "listenbrainz"
    # by ISRC (a wrong name), accents, the duration in seconds; not the 500 s "Hoppípolla"
    assert (listens["total"], listens["matched"], listens["unmatched"], listens["skipped"]) == (
        4,
        3,
        1,
        1,
    )
    scrobbles = run("lastfm_scrobbles.csv", "--json")
    assert (scrobbles["matched"], scrobbles["unmatched"], scrobbles["skipped"]) == (2, 2, 1)
    assert scrobbles["top_unmatched"] == [
        {"artist": "Nobody", "title": "Nothing At All", "plays": 2}
    ]
    printed = run("listenbrainz_listens.jsonl")["text"]
    assert isinstance(printed, str)
    assert "3 matched, 1 unmatched, 1 skipped, 0 new to the history" in printed
    account = app.admin.id_of("cli@example.org")
    kept = app.history_imports.plays(account, 50, 0)
    assert sorted((p.source, p.track_id) for p in kept) == sorted(
        [
            ("listenbrainz", tracks["Bohemian Rhapsody"]),
            ("listenbrainz", tracks["Hoppípolla"]),
            ("listenbrainz", tracks["Something"]),
            ("lastfm", tracks["Bohemian Rhapsody"]),
            ("lastfm", tracks["Déjà Vu"]),
        ]
    )
    assert next(p for p in kept if p.source == "lastfm").listened_ms == 200_000  # the track's

    refused = runner.invoke(
        cli.cli,
        [
            "history",
            "import",
            str(FIXTURES / "lastfm_scrobbles.csv"),
            "--account",
            "nobody@example.org",
        ],
    )
    assert refused.exit_code == 2


def test_imported_plays_are_history_never_streams(app: App) -> None:
    """Royalties, artists' statistics: only the one counted stream. Your year and the
    recommendation model: all five, and a listener who has nothing but imported history."""
    app.royalties.rules = RoyaltyRules(min_yearly_streams=1)
    with app.uow() as uow:
        s = uow.session  # type: ignore[attr-defined]
        fr = user(s, "FR")
        subscription(s, [fr], 1000, NOV, 1)
        tracks = catalog(s, 2)
        play(s, fr, tracks[0], NOV + timedelta(days=3))
        s.commit()
    with app.uow() as uow:
        imported = [(tracks[1], NOV + timedelta(days=d, hours=1), 180_000) for d in range(3)]
        imported.append((tracks[0], NOV + timedelta(days=5), 180_000))
        assert uow.history.add_plays(fr, None, "scrobble", imported) == 4
        newcomer = user(uow.session, "DE")  # type: ignore[attr-defined]
        uow.history.add_plays(newcomer, None, "spotify", [(tracks[1], NOV, 180_000)])
        uow.commit()

    app.royalties.clock = FixedClock(datetime(2026, 12, 2, tzinfo=UTC))
    closed = app.royalties.close("2026-11")
    assert closed.closed.streams == 1
    _, lines = app.royalties.statement("2026-11")
    assert sum(line.streams for line in lines) == 1
    assert app.artist_stats.roll_up().streams == 1
    assert app.listening.streams(tracks[1]) == 0

    year = app.taste.year(fr, 2026)
    assert year.summary.plays == 5  # the counted play and the four imported
    trained = app.train_recs()
    assert (trained.listeners, trained.counted_plays) == (2, 1)  # the newcomer learned too


def test_a_start_fails_only_the_imports_a_stopped_process_left_running(app: App) -> None:
    """The server answers imports while its background work is starting, and its other
    processes may begin some: the start fails only those begun before it (their file went
    with the stopped process), never one begun since."""
    ada = app.accounts.create("ada@example.org", "a long enough test phrase", roles=[]).id
    with app.uow() as uow:
        left = uow.history.start_import(
            ada, "spotify", "old.zip", 10, 0, app.made_at - timedelta(minutes=5)
        )
        begun = uow.history.start_import(
            ada, "spotify", "new.zip", 10, 0, app.made_at + timedelta(seconds=1)
        )
        uow.commit()
    assert app.history_imports.fail_unfinished(app.made_at) == 1
    assert app.history_imports.status(ada, left).status == "failed"
    assert app.history_imports.status(ada, begun).status == "running"
