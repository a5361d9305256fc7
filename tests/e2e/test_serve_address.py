"""A server started on another port without CADENZA_PUBLIC_URL names that port in what it
publishes: the OAuth issuer an app checks tokens against and the /link address a TV shows."""

from __future__ import annotations

import os
from pathlib import Path

import httpx

from cadenza.config import Settings
from tests.e2e.serve_process import served


def test_the_oauth_issuer_names_the_port_the_server_was_started_on(
    settings: Settings, tmp_path: Path
) -> None:
    env = {key: value for key, value in os.environ.items() if key != "CADENZA_PUBLIC_URL"} | {
        "CADENZA_DATA_DIR": str(settings.data_dir),
        "CADENZA_DATABASE_URL": settings.resolved_database_url,
        "CADENZA_BACKGROUND": "false",
    }
    with (tmp_path / "server.log").open("wb") as log, served(env, stdout=log, stderr=log) as server:
        base = server.base
        found = httpx.get(f"{base}/.well-known/oauth-authorization-server").json()
    assert found["issuer"] == base
    assert found["token_endpoint"] == f"{base}/api/token"
    assert found["device_authorization_endpoint"] == f"{base}/oauth/device/code"
