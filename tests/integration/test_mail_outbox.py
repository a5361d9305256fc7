"""OutboxMailer: .eml files that parse back, written atomically, logged without their body."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest

from cadenza.adapters.mail import OutboxMailer, SmtpMailer, mailer_from_settings, read_outbox
from cadenza.domain.mail import Email

SENDER = "Cadenza <no-reply@cadenza.example>"
SECRET = "https://cadenza.example/reset?token=s3cr3t-t0k3n"


def test_writes_a_message_that_parses_back(tmp_path: Path) -> None:
    mailer = OutboxMailer(tmp_path / "outbox", SENDER)
    mailer.send(Email("ana@example.org", "Reset your password", f"Open {SECRET}\n"))

    files = list((tmp_path / "outbox").iterdir())
    assert len(files) == 1
    assert re.fullmatch(r"\d{8}T\d{12}Z-[0-9a-f]{32}\.eml", files[0].name)
    [message] = read_outbox(tmp_path / "outbox")
    assert message["From"] == SENDER
    assert message["To"] == "ana@example.org"
    assert message["Subject"] == "Reset your password"
    assert message["Date"].datetime.tzinfo is not None
    assert re.fullmatch(r"<[^@<>]+@cadenza\.example>", message["Message-ID"])
    assert not message.is_multipart()
    assert message.get_content_type() == "text/plain"
    assert message.get_content() == f"Open {SECRET}\n"


def test_html_is_an_alternative_to_the_text(tmp_path: Path) -> None:
    mailer = OutboxMailer(tmp_path, SENDER)
    html = f'<p>Open <a href="{SECRET}">this link</a> — it expires in an hour.</p>\n'
    mailer.send(Email("zoë@example.org", "Réinitialiser — ✓", "Plain version ✓\n", html))

    [message] = read_outbox(tmp_path)
    assert message.get_content_type() == "multipart/alternative"
    assert message["Subject"] == "Réinitialiser — ✓"
    assert message["To"] == "zoë@example.org"
    text = message.get_body(("plain",))
    body = message.get_body(("html",))
    assert text is not None
    assert body is not None
    assert text.get_content() == "Plain version ✓\n"
    assert body.get_content() == html


def test_each_message_gets_its_own_file_in_order(tmp_path: Path) -> None:
    mailer = OutboxMailer(tmp_path, SENDER)
    for n in range(5):
        mailer.send(Email(f"user{n}@example.org", f"Message {n}", "body\n"))

    messages = read_outbox(tmp_path)
    assert [m["Subject"] for m in messages] == [f"Message {n}" for n in range(5)]
    assert len({m["Message-ID"] for m in messages}) == 5
    assert sorted(p.suffix for p in tmp_path.iterdir()) == [".eml"] * 5  # no temp files left


def test_logs_recipient_and_subject_but_never_the_body(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="cadenza")
    mailer = OutboxMailer(tmp_path, SENDER)
    mailer.send(
        Email("ana@example.org", "Your sign-in code", f"Code: {SECRET}", f"<b>{SECRET}</b>")
    )

    records = [r for r in caplog.records if r.name.startswith("cadenza.adapters.mail")]
    assert len(records) == 1
    assert records[0].levelno == logging.INFO
    line = records[0].getMessage()
    assert "ana@example.org" in line
    assert "Your sign-in code" in line
    assert SECRET not in caplog.text
    assert "s3cr3t" not in caplog.text


def test_a_failed_write_leaves_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    mailer = OutboxMailer(tmp_path, SENDER)

    def fail(self: Path, target: Path) -> Path:
        raise OSError("disk full")

    monkeypatch.setattr(Path, "replace", fail)
    with pytest.raises(OSError, match="disk full"):
        mailer.send(Email("ana@example.org", "Hello", "body"))
    assert list(tmp_path.iterdir()) == []


def test_read_outbox_of_an_empty_or_missing_folder(tmp_path: Path) -> None:
    assert read_outbox(tmp_path) == []
    assert read_outbox(tmp_path / "missing") == []


def test_mailer_from_settings(tmp_path: Path) -> None:
    outbox = mailer_from_settings(None, tmp_path, SENDER)
    assert isinstance(outbox, OutboxMailer)
    assert outbox.folder == tmp_path / "outbox"
    assert (tmp_path / "outbox").is_dir()
    assert isinstance(mailer_from_settings("", tmp_path, SENDER), OutboxMailer)

    smtp = mailer_from_settings("smtp+starttls://u:p@mail.example.org", tmp_path, SENDER)
    assert isinstance(smtp, SmtpMailer)
    assert (smtp.target.host, smtp.target.port) == ("mail.example.org", 587)


@pytest.mark.parametrize(
    "email",
    [
        Email("ana@example.org\r\nBcc: eve@evil.example", "Hello", "body"),
        Email("ana@example.org", "Hello\nBcc: eve@evil.example", "body"),
    ],
)
def test_refuses_header_injection(tmp_path: Path, email: Email) -> None:
    with pytest.raises(ValueError, match="linefeed"):
        OutboxMailer(tmp_path, SENDER).send(email)
    assert list(tmp_path.iterdir()) == []
