"""`cadenza ingest` as a user runs it: a folder, then again, then a zip; JSON out."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

from cadenza.config import Settings
from tests.fixtures.audio import make_corrupt
from tests.fixtures.releases import make_release


def cadenza(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "CADENZA_DATA_DIR": str(settings.data_dir),
        "CADENZA_DATABASE_URL": settings.resolved_database_url,
        "CADENZA_TRANSCODE_WORKERS": "2",
    }
    return subprocess.run(
        [sys.executable, "-m", "cadenza", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_ingest_prints_the_release_and_is_idempotent(settings: Settings, tmp_path: Path) -> None:
    folder = make_release(tmp_path / "Night Drive")
    first = cadenza(settings, "ingest", str(folder), "--json")
    assert first.returncode == 0, first.stderr
    result = json.loads(first.stdout)
    assert isinstance(result["release_id"], int)
    assert len(result["track_ids"]) == 3
    second = json.loads(cadenza(settings, "ingest", str(folder), "--json").stdout)
    assert (second["release_id"], second["track_ids"]) == (
        result["release_id"],
        result["track_ids"],
    )
    assert second["unchanged_files"] == 3


def test_a_zip_and_a_refused_delivery(settings: Settings, tmp_path: Path) -> None:
    folder = make_release(tmp_path / "rel", formats=("wav", "aiff"))
    archive = tmp_path / "rel.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for path in folder.iterdir():
            zf.write(path, path.name)
    done = cadenza(settings, "ingest", str(archive), "--json")
    assert done.returncode == 0, done.stderr
    assert len(json.loads(done.stdout)["track_ids"]) == 2

    broken = make_release(
        tmp_path / "broken", formats=("flac",), upc="555555555555", isrc_prefix="QZBRK26"
    )
    make_corrupt(broken / "01 Song 1.flac", "truncated")
    zipped = tmp_path / "broken.zip"
    with zipfile.ZipFile(zipped, "w") as zf:
        for path in broken.iterdir():
            zf.write(path, path.name)
    refused = cadenza(settings, "ingest", str(zipped), "--json")
    assert refused.returncode == 2
    error = json.loads(refused.stdout)["error"]
    assert error["file"] == "01 Song 1.flac"
    assert error["code"] in {"audio_truncated", "audio_corrupt"}
