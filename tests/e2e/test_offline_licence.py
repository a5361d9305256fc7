"""The installable app's server side: the device key released with the licence (the same on
each check-in, none once the plan ended or the device is gone, a new one with a new plan), the
chunk hashes a download is verified against, and the service worker and manifest."""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import re
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from fastapi.testclient import TestClient

from cadenza.api.installable import worker_source
from cadenza.api.web import WEB_ROOT
from cadenza.bootstrap import App
from cadenza.domain.plans import Plan
from tests.e2e.conftest import sign_in
from tests.e2e.granted import clock_at
from tests.e2e.test_offline import DEVICES, add, code, register


def licence(client: TestClient, who: dict[str, str], device: int) -> dict[str, object]:
    answer = client.post(f"{DEVICES}/{device}/licence", headers=who)
    assert answer.status_code == 200, answer.text
    assert answer.headers["cache-control"] == "no-store"
    body: dict[str, object] = answer.json()
    return body


def test_the_licence_releases_one_key_per_device_until_the_plan_ends(
    client: TestClient, app: App, published: int, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    ada = sign_in(client, app, "ada@example.org", Plan.PREMIUM_INDIVIDUAL)
    phone, laptop = (register(client, ada, name).json()["id"] for name in ("phone", "laptop"))
    first = licence(client, ada, phone)
    key = str(first["key"])
    assert len(base64.urlsafe_b64decode(key)) == 32  # AES-256
    assert first["licence_expires_at"] is not None and first["delete_all"] is False
    assert licence(client, ada, phone)["key"] == key  # a reinstalled app reads what it kept
    assert licence(client, ada, laptop)["key"] != key  # each device its own
    assert key not in caplog.text
    # Someone else's device gets no key.
    bob = sign_in(client, app, "bob@example.org", Plan.PREMIUM_INDIVIDUAL)
    refused = client.post(f"{DEVICES}/{phone}/licence", headers=bob)
    assert refused.status_code == 404 and code(refused) == "download_device_not_found"
    # The plan ends: no key, everything goes; a new plan gives a new key.
    ada_id = app.admin.id_of("ada@example.org")
    app.subscriptions.grant(ada_id, Plan.FREE)
    ended = licence(client, ada, phone)
    assert ended["key"] is None and ended["delete_all"] is True
    app.subscriptions.grant(ada_id, Plan.PREMIUM_INDIVIDUAL)
    renewed = licence(client, ada, phone)
    assert renewed["key"] not in (None, key)
    # A removed device checks in to nothing.
    assert client.delete(f"{DEVICES}/{laptop}", headers=ada).status_code == 204
    gone = client.post(f"{DEVICES}/{laptop}/licence", headers=ada)
    assert gone.status_code == 404 and code(gone) == "download_device_not_found"


def test_the_licence_is_signed_with_the_servers_dates(
    client: TestClient, app: App, published: int
) -> None:
    ada = sign_in(client, app, "ada@example.org", Plan.PREMIUM_INDIVIDUAL)
    phone = register(client, ada).json()["id"]
    month_ago = datetime.now(UTC) - timedelta(days=31)
    with clock_at(app, month_ago):  # the server's clock, not the device's, sets the dates
        answer = licence(client, ada, phone)
    signed = str(answer["signed_licence"])
    payload, signature = (base64.urlsafe_b64decode(p + "==") for p in signed.split("."))
    public = Ed25519PublicKey.from_public_bytes(
        base64.urlsafe_b64decode(str(answer["licence_public_key"]) + "==")
    )
    public.verify(signature, b"cadenza offline licence\0" + payload)  # raises if it does not
    fields = json.loads(payload)
    assert fields["device_id"] == phone
    ends = datetime.fromisoformat(fields["licence_expires_at"])
    assert abs(ends - (month_ago + timedelta(days=30))) < timedelta(minutes=1)  # ended yesterday
    assert ends == datetime.fromisoformat(str(answer["licence_expires_at"]))
    # A licence rewritten to run a year longer no longer verifies.
    later = json.dumps(fields | {"licence_expires_at": (ends + timedelta(days=365)).isoformat()})
    with pytest.raises(InvalidSignature):
        public.verify(signature, b"cadenza offline licence\0" + later.encode())
    # The service worker carries the same key; a revoked licence is signed by nobody.
    worker = client.get("/sw.js").text
    assert f'const LICENCE_KEY = "{answer["licence_public_key"]}"' in worker
    app.subscriptions.grant(app.admin.id_of("ada@example.org"), Plan.FREE)
    assert licence(client, ada, phone)["signed_licence"] is None


def test_chunk_hashes_verify_the_downloaded_file_and_stop_with_the_licence(
    client: TestClient, app: App, published: int
) -> None:
    ada = sign_in(client, app, "ada@example.org", Plan.PREMIUM_INDIVIDUAL)
    device = register(client, ada).json()["id"]
    grant = add(client, ada, device, release_id=published).json()["grants"][0]
    manifest = client.get(grant["url"] + "/chunks")
    assert manifest.status_code == 200, manifest.text
    body = manifest.json()
    size, step = body["size"], body["chunk_bytes"]
    whole = client.get(grant["url"]).content
    assert len(whole) == size and len(body["sha256"]) == -(-size // step)
    # Each chunk fetched as a range matches its hash; the whole file's address is its sha256.
    for index, expected in enumerate(body["sha256"]):
        end = min(size, (index + 1) * step) - 1
        part = client.get(grant["url"], headers={"range": f"bytes={index * step}-{end}"})
        assert part.status_code == 206
        assert hashlib.sha256(part.content).hexdigest() == expected
    assert hashlib.sha256(whole).hexdigest() == body["blob"]
    assert client.get(grant["url"][:-4] + "AAAA/chunks").status_code == 404
    app.subscriptions.grant(app.admin.id_of("ada@example.org"), Plan.FREE)
    revoked = client.get(grant["url"] + "/chunks")
    assert revoked.status_code == 403 and code(revoked) == "offline_licence_revoked"


def test_the_service_worker_controls_every_page_and_changes_with_the_player(
    client: TestClient, tmp_path: Path
) -> None:
    worker = client.get("/sw.js")
    assert worker.status_code == 200
    assert worker.headers["service-worker-allowed"] == "/"
    assert worker.headers["content-type"].startswith("text/javascript")
    assert "/static/js/player.js" in worker.text and "__SHELL_VERSION__" not in worker.text
    again = client.get("/sw.js", headers={"if-none-match": worker.headers["etag"]})
    assert again.status_code == 304
    manifest = client.get("/manifest.webmanifest")
    assert manifest.headers["content-type"] == "application/manifest+json"
    icons = {i["sizes"] for i in manifest.json()["icons"]}
    assert {"192x192", "512x512"} <= icons
    for icon in manifest.json()["icons"]:
        assert client.get(icon["src"]).status_code == 200
    # A changed module: a new version, so browsers install the new shell.
    root = tmp_path / "web"
    shutil.copytree(WEB_ROOT, root)
    before = _version(worker_source(root))
    (root / "js" / "player.js").write_text("// changed\n", encoding="utf-8")
    assert _version(worker_source(root)) != before


def _version(source: bytes) -> str:
    found = re.search(rb'const VERSION = "([0-9a-f]{16})"', source)
    assert found
    return found[1].decode()
