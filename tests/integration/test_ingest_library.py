"""`cadenza ingest ~/Music`: albums from tags, only what changed on the next run, crash-safe."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError, ProgrammingError

from cadenza.adapters.db.engine import make_engine
from cadenza.adapters.db.models import AudioFileRow, ReleaseRow
from cadenza.bootstrap import App
from cadenza.config import Settings
from tests.e2e.live import wait_until
from tests.fixtures.audio import make_audio, make_corrupt
from tests.fixtures.releases import make_release
from tests.integration.helpers import counts, scan_library


def tagged(path: Path, fmt: str, artist: str, album: str, number: int) -> None:
    make_audio(
        path,
        fmt,
        seconds=1.0,
        freq=200.0 + 50 * number,
        tags={
            "title": f"{album} {number}",
            "artists": [artist],
            "album": album,
            "album_artists": [artist],
            "track_number": number,
            "date": "2011-03-04",
        },
    )


def make_library(root: Path) -> None:
    tagged(root / "Ana" / "Blue" / "1.flac", "flac", "Ana", "Blue", 1)
    tagged(root / "Ana" / "Blue" / "2.mp3", "mp3", "Ana", "Blue", 2)
    tagged(root / "Ana" / "Red" / "1.m4a", "m4a", "Ana", "Red", 1)
    tagged(root / "loose" / "b.ogg", "ogg", "Bo", "Green", 1)  # files of one album in two folders
    tagged(root / "elsewhere" / "a.opus", "opus", "Bo", "Green", 2)


def test_a_library_is_grouped_into_releases_by_album_tags(app: App, tmp_path: Path) -> None:
    make_library(tmp_path / "Music")
    report = scan_library(app, tmp_path / "Music")
    assert sorted(r.title for r in report.added) == ["Blue", "Green", "Red"]
    green = next(r for r in report.added if r.title == "Green")
    with app.uow() as uow:
        release = uow.catalog.release(green.release_id)
    assert release is not None
    assert [t.title for t in release.tracks] == ["Green 1", "Green 2"]
    assert release.release_at.year == 2011


def test_a_rescan_takes_only_new_or_changed_files(app: App, tmp_path: Path) -> None:
    music = tmp_path / "Music"
    make_library(music)
    scan_library(app, music)
    before = counts(app)
    again = scan_library(app, music)
    assert (again.added, again.changed, again.refused) == ([], [], [])
    assert again.unchanged_files == 5
    assert counts(app) == before

    tagged(music / "Ana" / "Blue" / "3.flac", "flac", "Ana", "Blue", 3)
    make_corrupt(music / "Ana" / "Red" / "broken.mp3", "text")
    third = scan_library(app, music)
    assert [r.title for r in third.changed] == ["Blue"]
    assert [code for _, code in ((p, e.code) for p, e in third.refused)] == ["not_audio"]
    assert third.unchanged_files == 5
    with app.uow() as uow:
        blue = uow.catalog.release(third.changed[0].release_id)
    assert blue is not None and [t.track_number for t in blue.tracks] == [1, 2, 3]

    fourth = scan_library(app, music)  # the refused file is remembered, not retried
    assert (fourth.added, fourth.changed, fourth.refused) == ([], [], [])


def test_touched_files_are_recognised_by_their_content_and_not_described_again(
    app: App, tmp_path: Path
) -> None:
    music = tmp_path / "Music"
    make_library(music)
    first = scan_library(app, music)
    tracks = sorted(t for r in first.added for t in r.track_ids)
    before = counts(app)
    later = time.time() + 3600
    for path in music.rglob("*.*"):
        os.utime(path, (later, later))  # a new modification time, the same bytes

    touched = scan_library(app, music)
    assert (touched.added, touched.changed, touched.refused) == ([], [], [])
    assert (touched.same_content, touched.unchanged_files) == (5, 5)
    assert sorted(touched.unchanged_track_ids) == tracks
    assert counts(app) == before
    assert scan_library(app, music).same_content == 0  # the new time was recorded

    tagged(music / "Ana" / "Red" / "1.m4a", "m4a", "Ana", "Red", 7)  # new bytes, same album
    edited = scan_library(app, music)
    assert [r.title for r in edited.changed] == ["Red"]
    assert edited.unchanged_files == 4


def test_release_folders_with_a_manifest_are_ingested_whole(app: App, tmp_path: Path) -> None:
    music = tmp_path / "Music"
    make_release(music / "one", upc="111111111111", isrc_prefix="QZAAA26")
    make_release(music / "two", upc="222222222222", isrc_prefix="QZBBB26", title="Two")
    report = scan_library(app, music)
    assert sorted(r.title for r in report.added) == ["Night Drive", "Two"]
    assert all(len(r.track_ids) == 3 for r in report.added)


def committed_releases(settings: Settings) -> int:
    engine = make_engine(settings.resolved_database_url)
    try:
        with engine.connect() as db:
            return int(db.scalar(select(func.count()).select_from(ReleaseRow)) or 0)
    except (OperationalError, ProgrammingError):  # the first run has not made the schema yet
        return 0
    finally:
        engine.dispose()


def catalog_of(settings: Settings) -> tuple[dict[str, int], list[tuple[str, list[str]]]]:
    """What the catalog holds: releases, tracks, audio files and the distinct audio they point
    to (every piece of it present in the blob store); each release with its tracks' ISRCs."""
    from cadenza.bootstrap import bootstrap

    app = bootstrap(settings)
    try:
        with app.uow() as uow:
            ids = uow.session.scalars(select(ReleaseRow.id).order_by(ReleaseRow.upc)).all()
            releases = [uow.catalog.release(i) for i in ids]
            audio = set(uow.session.scalars(select(AudioFileRow.blob)).all())
        assert all(app.blobs.exists(digest) for digest in audio)
        found = counts(app)
        del found["blobs"]  # audio a killed run wrote but never committed may stay behind
        return found | {"audio": len(audio)}, [
            (r.upc or "", [t.isrc or "" for t in r.tracks]) for r in releases if r is not None
        ]
    finally:
        app.close()


@pytest.mark.slow
def test_killing_ingest_at_any_moment_then_rerunning_ingests_exactly_once(
    settings: Settings, tmp_path: Path
) -> None:
    music = tmp_path / "Music"
    for n in range(3):
        make_release(music / f"r{n}", upc=f"{n + 1:012d}", isrc_prefix=f"QZKL{n}26")
    command = [sys.executable, "-m", "cadenza", "ingest", str(music), "--json"]

    def env_for(data: Settings) -> dict[str, str]:
        return {
            **os.environ,
            "CADENZA_DATA_DIR": str(data.data_dir),
            "CADENZA_DATABASE_URL": data.resolved_database_url,
            "CADENZA_TRANSCODE_WORKERS": "2",
        }

    env = env_for(settings)
    # Killed at observed points: once audio is being written before any release is in, then
    # after one release, then after a second was committed by the run that resumed.
    blobs = settings.data_dir / "blobs"
    progress_points: list[tuple[str, Callable[[], bool]]] = [
        ("audio written", lambda: blobs.exists() and any(p.is_file() for p in blobs.rglob("*"))),
        ("one release in", lambda: committed_releases(settings) >= 1),
        ("two releases in", lambda: committed_releases(settings) >= 2),
    ]
    for what, reached in progress_points:
        proc = subprocess.Popen(
            command,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        wait_until(
            lambda reached=reached, proc=proc: reached() or proc.poll() is not None,
            what,
            timeout=300,
        )
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        assert proc.returncode == -signal.SIGKILL, f"the run ended before {what}"
        assert committed_releases(settings) < 3, f"killed at {what}, yet every release was in"
    left = 3 - committed_releases(settings)
    finished = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
    result = json.loads(finished.stdout)
    assert (result["refused"], result["added"]) == ([], left)  # the rest, each once
    again = json.loads(
        subprocess.run(command, env=env, capture_output=True, text=True, check=True).stdout
    )
    assert again["added"] == 0 and again["changed"] == 0 and again["unchanged_files"] == 9

    # Exactly what one uninterrupted run makes: the same releases, tracks, files and audio.
    clean = settings.model_copy(update={"data_dir": tmp_path / "clean", "database_url": None})
    subprocess.run(command, env=env_for(clean), capture_output=True, text=True, check=True)
    assert catalog_of(settings) == catalog_of(clean)


def test_a_track_added_to_an_album_keeps_the_album_whole(app: App, tmp_path: Path) -> None:
    music = tmp_path / "Music"
    for n in range(1, 5):
        tagged(music / "Ana" / "Gold" / f"{n}.flac", "flac", "Ana", "Gold", n)
    (first,) = scan_library(app, music).added
    tagged(music / "Ana" / "Gold" / "5.flac", "flac", "Ana", "Gold", 5)
    (changed,) = scan_library(app, music).changed
    assert changed.release_id == first.release_id
    with app.uow() as uow:
        gold = uow.catalog.release(first.release_id)
    assert gold is not None
    assert [t.title for t in gold.tracks] == [f"Gold {n}" for n in range(1, 6)]
    assert gold.release_type.value == "ep"  # described from all five tracks, not the new one
    assert gold.tracks[0].id == first.track_ids[0]


def test_a_manifest_named_in_capitals_is_found(app: App, tmp_path: Path) -> None:
    folder = make_release(tmp_path / "Music" / "caps")
    (folder / "release.json").rename(folder / "Release.JSON")
    (added,) = scan_library(app, tmp_path / "Music").added
    assert added.title == "Night Drive"
    again = scan_library(app, tmp_path / "Music")
    assert (again.added, again.changed, again.refused) == ([], [], [])


def test_a_changed_file_re_describes_its_track_and_the_album_figures_only(
    app: App, tmp_path: Path
) -> None:
    music = tmp_path / "Music"
    for n in range(1, 5):
        tagged(music / "Ana" / "Gold" / f"{n}.flac", "flac", "Ana", "Gold", n)
    (first,) = scan_library(app, music).added
    with app.uow() as uow:
        before = uow.catalog.release(first.release_id)
    assert before is not None and before.loudness is not None

    # New bytes for the third track (a quieter master), the same tags.
    make_audio(
        music / "Ana" / "Gold" / "3.flac",
        "flac",
        seconds=1.0,
        freq=350.0,
        amplitude=0.05,
        tags={
            "title": "Gold 3",
            "artists": ["Ana"],
            "album": "Gold",
            "album_artists": ["Ana"],
            "track_number": 3,
            "date": "2011-03-04",
        },
    )
    rescan = scan_library(app, music)
    assert [r.release_id for r in rescan.changed] == [first.release_id]
    # One file changed and only it was decoded; the album's other three kept their encodes.
    assert (rescan.changed_files, rescan.decoded_files, rescan.unchanged_files) == (1, 1, 3)
    with app.uow() as uow:
        after = uow.catalog.release(first.release_id)
    assert after is not None and after.loudness is not None
    assert [t.id for t in after.tracks] == [t.id for t in before.tracks]
    for old, new in zip(before.tracks, after.tracks, strict=True):
        if new.track_number == 3:
            assert new.files != old.files and new.loudness != old.loudness
        else:
            assert (new.files, new.loudness) == (old.files, old.loudness)
    # The album's figures follow the quieter track, from the others' stored figures.
    assert after.loudness.integrated_lufs < before.loudness.integrated_lufs
    kept = {f.blob for t in after.tracks for f in t.files}
    assert kept <= set(app.blobs.digests())
