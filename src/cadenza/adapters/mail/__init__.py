"""Mailers: SMTP when a server is configured, else .eml files in an outbox folder."""

from __future__ import annotations

from pathlib import Path

from cadenza.adapters.mail.outbox import OutboxMailer, read_outbox
from cadenza.adapters.mail.smtp import MailError, SmtpMailer

__all__ = ["MailError", "OutboxMailer", "SmtpMailer", "mailer_from_settings", "read_outbox"]


def mailer_from_settings(
    smtp_url: str | None, data_dir: Path, sender: str
) -> SmtpMailer | OutboxMailer:
    """SMTP when a URL is given, else the outbox under `data_dir / "outbox"`."""
    if smtp_url:
        return SmtpMailer(smtp_url, sender)
    return OutboxMailer(data_dir / "outbox", sender)
