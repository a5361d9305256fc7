"""A distributor uploads a release over HTTP and polls until it is live."""

from __future__ import annotations

import shutil
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from cadenza.api.app import create_app
from cadenza.bootstrap import App
from cadenza.ports import Delivery
from tests.e2e.conftest import KEY
from tests.fixtures.releases import make_release


def upload(client: TestClient, folder: Path, headers: dict[str, str] = KEY) -> Any:
    files = [("files", (p.name, p.read_bytes())) for p in sorted(folder.iterdir())]
    return client.post("/api/v1/distributor/releases", files=files, headers=headers)


def poll(client: TestClient, status_url: str, headers: dict[str, str] = KEY) -> dict[str, Any]:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        status: dict[str, Any] = client.get(status_url, headers=headers).json()
        if status["status"] in {"published", "failed"}:
            return status
        time.sleep(0.1)
    raise AssertionError("delivery did not finish in 60 s")


def test_an_upload_is_ingested_in_the_background(client: TestClient, tmp_path: Path) -> None:
    accepted = upload(client, make_release(tmp_path / "rel"))
    assert accepted.status_code == 202
    assert accepted.json()["status"] == "queued"
    done = poll(client, accepted.json()["status_url"])
    assert done["status"] == "published" and done["progress"] == 1.0
    release = client.get(f"/api/v1/releases/{done['release_id']}").json()
    assert [t["id"] for t in release["tracks"]] == done["track_ids"]


def test_an_upload_queued_while_the_server_starts_is_ingested_once(
    client: TestClient, app: App, tmp_path: Path
) -> None:
    """The background work's start resumes what a stopped process left: an upload this
    server took meanwhile is already in its line, and running it twice failed it."""
    accepted = upload(client, make_release(tmp_path / "rel"))
    resumed = app.deliveries.resume_unfinished()
    app.deliveries._submitted.clear()  # as if another process of this server had taken it
    resumed_elsewhere = app.deliveries.resume_unfinished(app.made_at)
    done = poll(client, accepted.json()["status_url"])
    assert done["status"] == "published" and done["error"] is None
    assert resumed == resumed_elsewhere == 0


def test_a_small_cover_fails_the_delivery_with_a_reason(client: TestClient, tmp_path: Path) -> None:
    accepted = upload(client, make_release(tmp_path / "rel", cover_size=500))
    done = poll(client, accepted.json()["status_url"])
    assert done["status"] == "failed"
    assert done["error"]["code"] == "cover_too_small"
    assert "640" in done["error"]["message"]
    assert client.get("/api/v1/browse/new-releases").json()["items"] == []


def test_uploads_need_the_distributor_key(client: TestClient, tmp_path: Path) -> None:
    folder = make_release(tmp_path / "rel")
    missing = upload(client, folder, headers={})
    assert missing.status_code == 401
    assert missing.json()["error"]["code"] == "distributor_key_required"
    wrong = upload(client, folder, headers={"X-Distributor-Key": "guess"})
    assert wrong.status_code == 401
    assert client.get("/api/v1/distributor/deliveries/nope", headers=KEY).status_code == 404


def test_an_oversized_upload_is_refused(client: TestClient, tmp_path: Path) -> None:
    client.app.state.cadenza.settings.max_upload_bytes = 1000  # type: ignore[attr-defined]
    response = client.post(
        "/api/v1/distributor/releases",
        files=[("files", ("big.flac", b"\0" * 5000))],
        headers=KEY,
    )
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "upload_too_large"


def test_a_delivery_interrupted_by_a_restart_resumes(app: App, tmp_path: Path) -> None:
    delivery_id, folder = app.deliveries.upload_dir()
    for path in make_release(tmp_path / "rel").iterdir():
        shutil.copy(path, folder / path.name)
    with app.uow() as uow:  # as a server killed mid-delivery leaves it
        uow.deliveries.add(
            Delivery(id=delivery_id, distributor_id=app.distributor_id(), status="processing")
        )
        uow.commit()
    app.made_at = datetime.now(UTC)  # the server starts again after it was left
    with TestClient(create_app(app)) as restarted:
        done = poll(restarted, f"/api/v1/distributor/deliveries/{delivery_id}")
    assert done["status"] == "published"
    assert len(done["track_ids"]) == 3
