"""The server serves the web player: the shell at every page address (links from e-mails
included), its modules and styles, and never in place of the API or the docs."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from cadenza.api.web import WEB_ROOT


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
