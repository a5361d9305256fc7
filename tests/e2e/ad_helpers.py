"""Ads tests' set-up: signed-in accounts on a plan, campaigns with a real creative."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from cadenza.adapters.mail import read_outbox
from cadenza.bootstrap import App
from cadenza.domain.plans import Plan
from tests.fixtures.audio import make_audio, make_cover

PASSWORD = "correct horse battery staple 42"


def _last_mail_to(app: App, email: str) -> str:
    app.outgoing_mail.deliver_due()
    for message in reversed(read_outbox(app.settings.data_dir / "outbox")):
        if message["To"] == email:
            part = message.get_body(("plain",))
            assert part is not None
            return str(part.get_content())
    raise AssertionError(f"no mail to {email}")


def sign_in(client: TestClient, app: App, email: str) -> dict[str, str]:
    """Log in from a new device, answering the e-mailed code; the Authorization header."""
    form = {"email": email, "password": PASSWORD, "device_id": "web", "device_name": "web"}
    answer = client.post("/api/v1/auth/token", json=form)
    if answer.status_code == 401:
        code = re.search(r"enter this code: (\d{6})", _last_mail_to(app, email))
        assert code is not None
        answer = client.post("/api/v1/auth/token", json=form | {"email_code": code[1]})
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def listener(
    client: TestClient,
    app: App,
    email: str,
    *,
    plan: str = "free",
    country: str = "GB",
    birth_date: str = "1990-06-01",
) -> dict[str, str]:
    """Sign up through HTTP, verify, move to `plan` (as a subscription would), sign in."""
    profile = {"display_name": email[:10], "country": country, "birth_date": birth_date}
    answer = client.post(
        "/api/v1/auth/signup", json={"email": email, "password": PASSWORD, **profile}
    )
    assert answer.status_code == 202
    link = re.search(r"token=(\S+)", _last_mail_to(app, email))
    assert link is not None
    assert client.post("/api/v1/auth/verify-email", json={"token": link[1]}).status_code == 200
    with app.uow() as uow:
        account_id = uow.accounts.id_by_email(email)
    assert account_id is not None
    app.subscriptions.grant(account_id, Plan(plan))
    return sign_in(client, app, email)


def operator_made(client: TestClient, app: App, email: str, role: str) -> dict[str, str]:
    """An advertiser or admin account, as `cadenza users create --role ...` makes it."""
    from cadenza.domain.accounts import Role

    app.accounts.create(email, PASSWORD, roles=[Role(role)])
    return sign_in(client, app, email)


def account_id(app: App, email: str) -> int:
    with app.uow() as uow:
        found = uow.accounts.id_by_email(email)
    assert found is not None
    return found


def today() -> str:
    return datetime.now(UTC).date().isoformat()


def in_days(days: int) -> str:
    return (datetime.now(UTC).date() + timedelta(days=days)).isoformat()


def campaign_json(**overrides: Any) -> dict[str, Any]:
    return {
        "name": "Fizzy Pop",
        "click_url": "https://fizzy.example/summer",
        "starts_on": today(),
        "ends_on": in_days(30),
        "budget_cents": 10_000,
        "cpm_cents": 500,
        "frequency_cap": 5,
        **overrides,
    }


def creative(folder: Path, seconds: float = 20.0, name: str = "spot.flac") -> Path:
    """A 1 kHz stereo tone at half scale: -6.0 LUFS, so -8 dB brings it to -14."""
    return make_audio(folder / name, "flac", seconds=seconds, freq=1000.0, amplitude=0.5)


def create_campaign(
    client: TestClient,
    headers: dict[str, str],
    audio: Path,
    image: bytes | None = None,
    **overrides: Any,
) -> Any:
    return client.post(
        "/api/v1/advertiser/campaigns",
        headers=headers,
        data={"campaign": json.dumps(campaign_json(**overrides))},
        files={
            "audio": (audio.name, audio.read_bytes(), "application/octet-stream"),
            "image": ("companion.jpg", image or make_cover((800, 800)), "image/jpeg"),
        },
    )
