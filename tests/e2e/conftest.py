from __future__ import annotations

import re
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from cadenza.adapters.mail import read_outbox
from cadenza.api.app import create_app
from cadenza.bootstrap import App
from cadenza.domain.accounts import Role
from cadenza.domain.plans import Plan
from tests.fixtures.releases import make_release
from tests.integration.helpers import deliver

KEY = {"X-Distributor-Key": "test-distributor-key"}


@pytest.fixture
def client(app: App) -> Iterator[TestClient]:
    with TestClient(create_app(app)) as test_client:
        yield test_client


@pytest.fixture
def published(app: App, tmp_path: Path) -> int:
    """A released, worldwide release of three tracks (FLAC, MP3, FLAC); returns its id."""
    return deliver(app, make_release(tmp_path / "published")).release_id


@pytest.fixture
def accounts(app: App) -> Iterator[TestClient]:
    """A client from one ordinary address (a documentation range IP)."""
    with TestClient(create_app(app), client=("198.51.100.7", 40000)) as test_client:
        yield test_client


LISTENER_PASSWORD = "a long and unusual listening phrase"


def mail_to(app: App, address: str) -> list[EmailMessage]:
    """Every message sent to this address so far, the queue delivered first."""
    app.outgoing_mail.deliver_due()
    return [m for m in read_outbox(app.settings.data_dir / "outbox") if m["To"] == address]


def sign_in(
    client: TestClient, app: App, email: str, plan: Plan = Plan.FREE, country: str = "US"
) -> dict[str, str]:
    """A verified account on this plan (granted by the operator), signed in from a new device
    (answering the e-mailed code): its Authorization header."""
    account = app.accounts.create(email, LISTENER_PASSWORD, roles=[Role.LISTENER], country=country)
    app.subscriptions.grant(account.id, plan)
    form = {
        "email": email,
        "password": LISTENER_PASSWORD,
        "device_id": f"device-of-{email}",
        "device_name": "test device",
    }
    answer = client.post("/api/v1/auth/token", json=form)
    if answer.status_code == 401:
        assert answer.json()["error"]["code"] == "email_code_required"
        mail = mail_to(app, email)[-1]
        part = mail.get_body(("plain",))
        assert part is not None
        code = re.search(r"enter this code: (\d{6})", str(part.get_content()))
        assert code is not None
        answer = client.post("/api/v1/auth/token", json=form | {"email_code": code.group(1)})
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


@pytest.fixture
def premium(client: TestClient, app: App) -> dict[str, str]:
    """The Authorization header of a Premium Individual listener."""
    return sign_in(client, app, "premium@example.org", Plan.PREMIUM_INDIVIDUAL)
