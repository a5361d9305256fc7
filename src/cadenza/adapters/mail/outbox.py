"""A mailer that writes each message as an .eml file: the default when no SMTP server is set.

Self-hosters, the demo and tests read the files instead of a mailbox.
"""

from __future__ import annotations

import logging
import os
import tempfile
import uuid
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

from cadenza.adapters.mail.message import build_message
from cadenza.domain.mail import Email

log = logging.getLogger(__name__)


class OutboxMailer:
    def __init__(self, folder: Path, sender: str) -> None:
        self.folder = folder
        self.sender = sender
        self.folder.mkdir(parents=True, exist_ok=True)

    def send(self, email: Email) -> None:
        now = datetime.now(UTC)
        data = build_message(email, self.sender, now, eight_bit=True).as_bytes(policy=policy.SMTP)
        name = f"{now:%Y%m%dT%H%M%S%fZ}-{uuid.uuid4().hex}.eml"
        _write_atomically(self.folder / name, data)
        # Bodies carry secrets (reset links, codes): only the envelope is logged.
        log.info("mail written to outbox: to=%s subject=%r", email.to, email.subject)


def read_outbox(folder: Path) -> list[EmailMessage]:
    """The messages in the outbox, oldest first."""
    parser = BytesParser(_class=EmailMessage, policy=policy.default)
    messages = []
    for path in sorted(folder.glob("*.eml")):
        with path.open("rb") as f:
            message = parser.parse(f)
        assert isinstance(message, EmailMessage)
        messages.append(message)
    return messages


def _write_atomically(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        Path(tmp).replace(path)  # os.replace: atomic on one file system
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
