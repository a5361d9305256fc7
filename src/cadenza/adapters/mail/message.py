"""Turn an Email into an RFC 5322 message, the same for every mailer."""

from __future__ import annotations

from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr

from cadenza.domain.mail import Email


def build_message(
    email: Email, sender: str, now: datetime | None = None, *, eight_bit: bool = False
) -> EmailMessage:
    """A message with Date, Message-ID, From, To, Subject; text, and html as an alternative.

    `eight_bit`: bodies as plain UTF-8 (Content-Transfer-Encoding: 8bit) rather than whatever
    7-bit encoding fits, so a file in the outbox reads in any editor, links unbroken. SMTP
    keeps the 7-bit-safe choice, for servers without 8BITMIME."""
    message = EmailMessage()
    message["Date"] = format_datetime(now or datetime.now(UTC))
    # An explicit domain: make_msgid would otherwise ask DNS for this host's name.
    message["Message-ID"] = make_msgid(domain=_domain_of(sender))
    message["From"] = sender
    message["To"] = email.to
    message["Subject"] = email.subject
    cte = "8bit" if eight_bit else None
    message.set_content(email.text, cte=cte)
    if email.html is not None:
        message.add_alternative(email.html, subtype="html", cte=cte)
    return message


def _domain_of(sender: str) -> str:
    return parseaddr(sender)[1].rpartition("@")[2] or "cadenza.invalid"
