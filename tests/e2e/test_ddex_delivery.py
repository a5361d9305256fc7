"""DDEX batches as distributors send them: over HTTP as a zip, and to `cadenza ingest`."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

from fastapi.testclient import TestClient

from cadenza.config import Settings
from tests.e2e.conftest import KEY
from tests.e2e.test_cli import cadenza
from tests.fixtures.ddex import HERE, stage, stage_fuga_batch


def zipped(folder: Path, archive: Path) -> Path:
    with zipfile.ZipFile(archive, "w") as zf:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                zf.write(path, path.relative_to(folder.parent).as_posix())
    return archive


def test_a_zipped_ddex_batch_over_http_is_answered_per_message(
    client: TestClient, tmp_path: Path
) -> None:
    archive = zipped(stage_fuga_batch(tmp_path / "ok"), tmp_path / "batch.zip")
    with archive.open("rb") as f:
        answer = client.post(
            "/api/v1/distributor/ddex", headers=KEY, files={"files": ("batch.zip", f)}
        )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    (message,) = body["messages"]
    assert message["acknowledged"] and message["status"] == "published"
    assert message["message_id"] == "FUGA_1000254040840"
    release = client.get(f"/api/v1/releases/{body['release_id']}").json()
    assert release["title"] == "All My Single" and release["upc"] == "8718857546047"
    assert len(release["images"]) == 3  # the delivered front cover, in every size

    bad = zipped(stage_fuga_batch(tmp_path / "bad", rehash=False), tmp_path / "bad.zip")
    with bad.open("rb") as f:
        refused = client.post(
            "/api/v1/distributor/ddex", headers=KEY, files={"files": ("bad.zip", f)}
        ).json()
    (message,) = refused["messages"]
    assert not message["acknowledged"]
    assert {"file", "xpath", "message"} <= set(message["errors"][0])
    assert (
        client.post("/api/v1/distributor/ddex", files={"files": ("b.zip", b"x")}).status_code == 401
    )


def test_cadenza_ingest_recognises_a_ddex_batch(settings: Settings, tmp_path: Path) -> None:
    """One good message and one broken one: the good one is published, the broken one is
    answered with its errors and changes nothing; the exit status says something was refused."""
    stage("01_delivery.xml", tmp_path / "batch" / "good")
    broken = (
        (HERE / "album_basic.xml").read_text().replace("<MessageId>MessageID5678</MessageId>", "")
    )
    stage("album_basic.xml", tmp_path / "batch" / "broken", text=broken)
    done = cadenza(settings, "ingest", str(tmp_path / "batch"), "--json")
    assert done.returncode == 1, done.stderr
    result = json.loads(done.stdout)
    assert isinstance(result["release_id"], int) and len(result["track_ids"]) == 1
    assert result["releases"] == [
        {
            "release_id": result["release_id"],
            "track_ids": result["track_ids"],
            "status": "published",
        }
    ]
    by_file = {m["file"]: m for m in result["messages"]}
    assert by_file["good/01_delivery.xml"]["acknowledged"]
    assert by_file["broken/album_basic.xml"]["errors"] == [
        {
            "file": "broken/album_basic.xml",
            "xpath": "/ern:NewReleaseMessage/MessageHeader",
            "message": "required element MessageId is missing or empty",
        }
    ]
