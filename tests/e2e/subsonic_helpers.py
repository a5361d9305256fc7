"""Helpers for the OpenSubsonic tests: a listener with an app password and an API key, and
the token parameters a Subsonic app sends."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from fastapi.testclient import TestClient

from cadenza.bootstrap import App
from cadenza.domain.plans import Plan
from tests.e2e.conftest import sign_in


@dataclass(frozen=True)
class AppLogin:
    auth: dict[str, str]  # the web session's header
    username: str
    password: str  # an app password
    key: str  # an API key

    def token(self, salt: str = "c0ffee") -> dict[str, str]:
        digest = hashlib.md5((self.password + salt).encode(), usedforsecurity=False).hexdigest()
        return {"u": self.username, "t": digest, "s": salt, "v": "1.16.1", "c": "tests"}


def app_login(
    client: TestClient, app: App, email: str, plan: Plan = Plan.PREMIUM_INDIVIDUAL
) -> AppLogin:
    auth = sign_in(client, app, email, plan)
    made = client.post("/api/v1/me/app-passwords", json={"name": "Test app"}, headers=auth)
    assert made.status_code == 201, made.text
    key = client.post("/api/v1/me/app-keys", json={"name": "Test app"}, headers=auth)
    assert key.status_code == 201, key.text
    return AppLogin(auth, made.json()["username"], made.json()["password"], key.json()["key"])
