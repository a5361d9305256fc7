"""Asking for stream grants as a player does: from a device this session registered."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient

from cadenza.bootstrap import App
from tests.e2e.conftest import LISTENER_PASSWORD, mail_to


def device_of(client: TestClient, who: dict[str, str], name: str = "This player") -> str:
    """The id of this session's device of that name (registered on first use)."""
    body = {"name": name, "type": "web"}
    answer = client.post("/api/v1/me/devices", json=body, headers=who)
    assert answer.status_code in (200, 201), answer.text
    device_id: str = answer.json()["id"]
    return device_id


def ask_grant(
    client: TestClient,
    who: dict[str, str],
    track_id: int,
    quality: str | None = None,
    device: str | None = None,
) -> Any:
    body: dict[str, object] = {"track_id": track_id, "device_id": device or device_of(client, who)}
    if quality is not None:
        body["quality"] = quality
    return client.post("/api/v1/me/player/stream-grants", json=body, headers=who)


def another_session(client: TestClient, app: App, email: str, device: str) -> dict[str, str]:
    """The same account signed in again from another device (answering the e-mailed code)."""
    form = {"email": email, "password": LISTENER_PASSWORD, "device_id": device}
    answer = client.post("/api/v1/auth/token", json=form | {"device_name": device})
    if answer.status_code == 401:
        assert answer.json()["error"]["code"] == "email_code_required"
        part = mail_to(app, email)[-1].get_body(("plain",))
        assert part is not None
        code = re.search(r"enter this code: (\d{6})", str(part.get_content()))
        assert code is not None
        form |= {"device_name": device, "email_code": code.group(1)}
        answer = client.post("/api/v1/auth/token", json=form)
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}
