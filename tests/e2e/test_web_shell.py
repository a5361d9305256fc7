"""The server serves the web player: the shell at every page address (links from e-mails
included), its modules and styles, and never in place of the API or the docs."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import httpx2
import pytest
from fastapi.testclient import TestClient

from cadenza.api import web
from cadenza.api.web import WEB_ROOT
from cadenza.bootstrap import App
from tests.e2e.live import live_server


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/search?q=halo",
        "/release/7",
        "/account/plan",
        "/verify-email?token=abc",
        "/join?token=x",
    ],
)
def test_every_page_address_answers_the_app_shell(client: TestClient, path: str) -> None:
    answer = client.get(path)
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/html")
    assert '<script type="module" src="/static/js/app.js"></script>' in answer.text
    policy = answer.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy


def test_modules_and_styles_are_served_with_their_types(client: TestClient) -> None:
    script = client.get("/static/js/app.js")
    assert script.status_code == 200
    assert "javascript" in script.headers["content-type"]
    assert client.get("/static/css/app.css").headers["content-type"].startswith("text/css")
    # every module a page imports is there (a typo would break the page only in a browser)
    for module in WEB_ROOT.rglob("*.js"):
        for imported in re.findall(r'from "(\.{1,2}/[^"]+)"', module.read_text()):
            assert (module.parent / imported).resolve().exists(), (
                f"{module.name} imports {imported}"
            )


def test_the_api_and_docs_are_never_answered_by_the_shell(client: TestClient) -> None:
    assert client.get("/api/v1/no-such-endpoint").status_code == 404
    assert client.get("/api/v1/auth/token").status_code == 405  # a POST route stays one
    assert client.get("/openapi.json").json()["info"]["title"] == "Cadenza"
    assert client.get("/healthz").json()["status"] == "ok"
    assert client.get("/static/js/no-such-module.js").status_code == 404
    assert client.get("/favicon.ico").status_code == 404


def test_an_upgrade_reaches_the_browser_and_unchanged_files_cost_a_304(
    app: App, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Over real HTTP, with a copy of the player that the test upgrades in place."""
    root = tmp_path / "web"
    shutil.copytree(WEB_ROOT, root)
    monkeypatch.setattr(web, "WEB_ROOT", root)
    with live_server(app) as base, httpx2.Client(base_url=base) as http:
        first = {path: http.get(path) for path in ("/", "/account/plan", "/static/js/app.js")}
        for answer in first.values():
            assert answer.status_code == 200
            assert answer.headers["cache-control"] == "no-cache"  # asked again before each use
            assert answer.headers["etag"].startswith('"')
        assert first["/"].headers["etag"] == first["/account/plan"].headers["etag"]
        assert "content-security-policy" in first["/"].headers

        for path, answer in first.items():
            again = http.get(path, headers={"If-None-Match": answer.headers["etag"]})
            assert (again.status_code, again.content) == (304, b"")
            assert again.headers["etag"] == answer.headers["etag"]

        # An upgrade whose package gave app.js the same size and modification time as before.
        module = root / "js" / "app.js"
        before = module.stat()
        old = module.read_bytes()
        module.write_bytes(old.replace(b"import", b"IMPORT", 1))
        os.utime(module, ns=(before.st_atime_ns, before.st_mtime_ns))
        etag = first["/static/js/app.js"].headers["etag"]
        upgraded = http.get("/static/js/app.js", headers={"If-None-Match": etag})
        assert upgraded.status_code == 200 and upgraded.content.count(b"IMPORT") == 1
        assert upgraded.headers["etag"] != etag
        untouched = first["/"].headers["etag"]
        assert http.get("/", headers={"If-None-Match": untouched}).status_code == 304
