"""A mailer that hands messages to an SMTP server given as a URL.

smtp://[user:password@]host[:port]           plain SMTP, port 25
smtp+starttls://[user:password@]host[:port]  upgraded with STARTTLS, port 587
smtps://[user:password@]host[:port]          implicit TLS, port 465

User and password are percent-decoded, so a password may hold any character once encoded.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

from cadenza.adapters.mail.message import build_message
from cadenza.domain.errors import CadenzaError
from cadenza.domain.mail import Email

log = logging.getLogger(__name__)

_DEFAULT_PORTS = {"smtp": 25, "smtp+starttls": 587, "smtps": 465}


class MailError(CadenzaError):
    """The mail server could not be reached or refused the message. Never names the password."""

    code = "mail_failed"
    status = 503


@dataclass(frozen=True)
class SmtpTarget:
    scheme: str
    host: str
    port: int
    user: str | None
    password: str | None = field(default=None, repr=False)  # never in logs or tracebacks

    @property
    def address(self) -> str:
        return f"{self.scheme}://{self.host}:{self.port}"


def parse_smtp_url(url: str) -> SmtpTarget:
    """Split an SMTP URL; a ValueError (without the password) when it is not one."""
    parts = urlsplit(url.strip())
    if parts.scheme not in _DEFAULT_PORTS:
        raise ValueError(
            f"An SMTP URL starts with {', '.join(f'{s}://' for s in _DEFAULT_PORTS)}; "
            f"got {parts.scheme + '://' if parts.scheme else 'no scheme'}."
        )
    try:
        port = parts.port
    except ValueError:
        raise ValueError("The SMTP URL's port is not a number from 1 to 65535.") from None
    if not parts.hostname:
        raise ValueError("The SMTP URL names no host.")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise ValueError(
            "The SMTP URL has a path, query or fragment: percent-encode '/', '?' and '#' "
            "in the user name and password."
        )
    return SmtpTarget(
        scheme=parts.scheme,
        host=parts.hostname,
        port=port or _DEFAULT_PORTS[parts.scheme],
        user=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password is not None else None,
    )


class SmtpMailer:
    def __init__(
        self,
        url: str,
        sender: str,
        timeout: float = 10,
        *,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        """`ssl_context` defaults to the system's trust store with host name checks."""
        self.target = parse_smtp_url(url)
        self.sender = sender
        self.timeout = timeout
        self._ssl_context = ssl_context

    def send(self, email: Email) -> None:
        message = build_message(email, self.sender)
        try:
            with self._connect() as client:
                if self.target.scheme == "smtp+starttls":
                    client.starttls(context=self._context())
                if self.target.user is not None:
                    client.login(self.target.user, self.target.password or "")
                client.send_message(message)
        except (smtplib.SMTPException, OSError) as exc:
            # `from None`: the cause could carry what the server echoed of the login.
            raise MailError(
                f"Could not send mail via {self.target.address}: {self._describe(exc)}"
            ) from None
        log.info("mail sent via %s: to=%s subject=%r", self.target.address, email.to, email.subject)

    def _connect(self) -> smtplib.SMTP:
        target = self.target
        if target.scheme == "smtps":
            return smtplib.SMTP_SSL(
                target.host, target.port, timeout=self.timeout, context=self._context()
            )
        return smtplib.SMTP(target.host, target.port, timeout=self.timeout)

    def _context(self) -> ssl.SSLContext:
        if self._ssl_context is None:
            self._ssl_context = ssl.create_default_context()
        return self._ssl_context

    def _describe(self, exc: BaseException) -> str:
        if isinstance(exc, smtplib.SMTPAuthenticationError):
            text = f"the server refused the login of {self.target.user!r} ({exc.smtp_code})"
        elif isinstance(exc, smtplib.SMTPResponseException):
            reply = exc.smtp_error
            if isinstance(reply, bytes):
                reply = reply.decode("utf-8", "replace")
            text = f"the server answered {exc.smtp_code} {reply}"
        else:
            text = f"{type(exc).__name__}: {exc}"
        password = self.target.password
        return text.replace(password, "***") if password else text
