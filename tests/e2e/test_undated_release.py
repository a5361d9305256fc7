"""A delivery whose release.json gives no release date is dated when it was delivered, so it
shows first in New releases, not last as a release of 1970."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from fastapi.testclient import TestClient

from tests.e2e.test_distributor_upload import poll, upload
from tests.fixtures.releases import make_release


def test_a_release_without_a_date_is_dated_at_its_delivery(
    client: TestClient, tmp_path: Path
) -> None:
    dated = make_release(tmp_path / "dated", title="Dated", upc=None, isrc_prefix="QZTST25")
    undated = make_release(tmp_path / "undated", title="Undated", upc=None)
    manifest = undated / "release.json"
    fields = json.loads(manifest.read_text())
    del fields["release_date"]
    manifest.write_text(json.dumps(fields))

    before = datetime.now(UTC)
    for folder in (dated, undated):
        done = poll(client, upload(client, folder).json()["status_url"])
        assert done["status"] == "published", done
    newest = client.get("/api/v1/browse/new-releases").json()["items"]
    assert [r["title"] for r in newest] == ["Undated", "Dated"]
    when = datetime.fromisoformat(newest[0]["release_date"])
    assert before - timedelta(seconds=5) <= when <= datetime.now(UTC)
