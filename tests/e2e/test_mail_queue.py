"""Account mail goes through a queue in the database: no answer waits on the mail server, a
reset for a real account answers exactly as one for an unknown address, and nothing queued is
lost to a failing server or a crash."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from aiosmtpd.controller import Controller
from fastapi.testclient import TestClient

from cadenza.api.app import create_app
from cadenza.bootstrap import App, bootstrap
from cadenza.config import Settings
from tests.e2e.test_accounts import PASSWORD, PROFILE, log_in, mails, sign_up
from tests.integration.test_mail_smtp import Collector, free_port


def make_account(app: App, email: str = "ada@example.org") -> None:
    app.accounts.create(email, PASSWORD, roles=[], display_name="Ada")


def test_a_reset_answers_the_same_while_the_mail_server_is_down(
    settings: Settings, app: App
) -> None:
    port = free_port()  # nothing listens there yet
    settings.smtp_url = f"smtp://127.0.0.1:{port}"
    make_account(app)
    with TestClient(create_app(app)) as client:
        known = client.post("/api/v1/auth/password-reset", json={"email": "ada@example.org"})
        unknown = client.post("/api/v1/auth/password-reset", json={"email": "zed@example.org"})
        assert known.status_code == unknown.status_code == 202  # not 503 for the real one
        assert known.json() == unknown.json()
        assert app.outgoing_mail.deliver_due() == 0  # refused: kept for a later try
        assert app.outgoing_mail.waiting() == 1  # the real account's link; none for zed

        collector = Collector()
        server = Controller(collector, hostname="127.0.0.1", port=port)
        server.start()
        try:
            later = datetime.now(UTC) + timedelta(minutes=1)  # when the retry is due
            assert app.outgoing_mail.deliver_due(at=later) == 1
        finally:
            server.stop()
    (message,) = collector.messages()
    assert message["To"] == "ada@example.org"
    assert message["Subject"] == "Reset your Cadenza password"
    assert app.outgoing_mail.waiting() == 0


def test_mail_queued_before_a_crash_goes_out_after_the_restart(
    settings: Settings, app: App
) -> None:
    make_account(app)
    client = TestClient(create_app(app))  # no lifespan: no mail worker, as if killed at once
    sent = client.post("/api/v1/auth/password-reset", json={"email": "ada@example.org"})
    assert sent.status_code == 202
    outbox = settings.data_dir / "outbox"
    assert not list(outbox.glob("*.eml"))  # the answer did not wait for the mail
    restarted = bootstrap(settings)
    try:
        assert restarted.outgoing_mail.deliver_due() == 1
    finally:
        restarted.close()
    assert [m["Subject"] for m in mails(app)] == ["Reset your Cadenza password"]


def test_a_server_shutting_down_sends_what_is_queued(app: App) -> None:
    with TestClient(create_app(app)) as client:
        form = {"email": "bob@example.org", "password": PASSWORD, **PROFILE}
        assert client.post("/api/v1/auth/signup", json=form).status_code == 202
    outbox = app.settings.data_dir / "outbox"
    (eml,) = outbox.glob("*.eml")  # written by the worker or at shutdown, never by the request
    assert b"Subject: Confirm your Cadenza account" in eml.read_bytes()


def test_outbox_files_are_plain_text_with_links_intact(accounts: TestClient, app: App) -> None:
    sign_up(accounts, app)
    asked = log_in(accounts, app, "Zoë's Ångström phone")
    assert asked.json()["error"]["code"] == "email_code_required"
    mails(app)
    raws = [p.read_bytes() for p in sorted((app.settings.data_dir / "outbox").glob("*.eml"))]
    assert all(b"Content-Transfer-Encoding: 8bit" in raw for raw in raws)
    assert all(b"=\r\n" not in raw and b"=3D" not in raw for raw in raws)  # no quoted-printable
    link = re.search(rb"http://\S+/verify-email\?token=[\w-]+", raws[0])
    assert link is not None and len(link.group(0)) > 76  # longer than a wrapped line, unbroken
    assert "Zoë's Ångström phone".encode() in raws[-1]  # UTF-8 as it is, readable in an editor
