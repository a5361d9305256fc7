"""SmtpMailer against a real aiosmtpd server on loopback: plain, AUTH, STARTTLS, implicit TLS."""

from __future__ import annotations

import io
import shutil
import socket
import ssl
import subprocess
from collections.abc import Callable, Iterator
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

from cadenza.adapters.mail import MailError, SmtpMailer
from cadenza.adapters.mail.smtp import parse_smtp_url
from cadenza.domain.mail import Email

SENDER = "Cadenza <no-reply@cadenza.example>"
USER = "mailer"
PASSWORD = "c0rrect horse:b@ttery/staple"  # every character a URL needs encoded
WRONG_PASSWORD = "hunter2-Wr0ng-pa55"
QUOTED_PASSWORD = quote(PASSWORD, safe="")


class Collector:
    """An aiosmtpd handler that keeps every message it accepts."""

    def __init__(self) -> None:
        self.envelopes: list[Envelope] = []

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        self.envelopes.append(envelope)
        return "250 Message accepted"

    def messages(self) -> list[EmailMessage]:
        parser = BytesParser(_class=EmailMessage, policy=policy.default)
        parsed = []
        for envelope in self.envelopes:
            assert isinstance(envelope.content, bytes)
            message = parser.parse(io.BytesIO(envelope.content))
            assert isinstance(message, EmailMessage)
            parsed.append(message)
        return parsed


def check_password(
    server: SMTP, session: Session, envelope: Envelope, mechanism: str, auth_data: Any
) -> AuthResult:
    ok = isinstance(auth_data, LoginPassword) and auth_data == (USER.encode(), PASSWORD.encode())
    # handled=False: aiosmtpd answers 535 itself on a failure.
    return AuthResult(success=ok, handled=False)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


Server = tuple[Collector, int]
StartServer = Callable[..., Server]


@pytest.fixture
def start_server() -> Iterator[StartServer]:
    """Start aiosmtpd servers on 127.0.0.1 (keyword arguments go to the Controller); stop them after."""
    controllers: list[Controller] = []

    def start(**kwargs: Any) -> Server:
        handler = Collector()
        port = free_port()
        controller = Controller(handler, hostname="127.0.0.1", port=port, **kwargs)
        controller.start()
        controllers.append(controller)
        return handler, port

    yield start
    for controller in controllers:
        controller.stop()


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1, made with the openssl command."""
    assert shutil.which("openssl"), "the openssl command (Debian's openssl) makes the certificate"
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"),
            *("-nodes", "-days", "1", "-subj", "/CN=127.0.0.1", "-keyout", str(key)),
            *("-out", str(cert), "-addext", "subjectAltName=IP:127.0.0.1"),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


def server_tls(certificate: tuple[Path, Path]) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*certificate)
    return context


def client_tls(certificate: tuple[Path, Path]) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=str(certificate[0]))


def reset_email(to: str = "ana@example.org") -> Email:
    return Email(to, "Reset your password", "Open https://x.example/r?t=abc\n", "<p>Open it</p>")


def test_sends_over_plain_smtp(start_server: StartServer) -> None:
    handler, port = start_server()
    SmtpMailer(f"smtp://127.0.0.1:{port}", SENDER, timeout=5).send(reset_email())

    [envelope] = handler.envelopes
    assert envelope.mail_from == "no-reply@cadenza.example"
    assert envelope.rcpt_tos == ["ana@example.org"]
    [message] = handler.messages()
    assert message["Subject"] == "Reset your password"
    assert message["From"] == SENDER
    assert message["Message-ID"]
    assert message["Date"]
    text, html = message.get_body(("plain",)), message.get_body(("html",))
    assert text is not None
    assert html is not None
    assert text.get_content() == "Open https://x.example/r?t=abc\n"
    assert html.get_content() == "<p>Open it</p>\n"


PLAIN_AUTH_WARNING = "ignore:Requiring AUTH while not requiring TLS:UserWarning"


@pytest.mark.filterwarnings(PLAIN_AUTH_WARNING)
def test_logs_in_when_the_server_requires_it(start_server: StartServer) -> None:
    handler, port = start_server(
        authenticator=check_password, auth_required=True, auth_require_tls=False
    )
    url = f"smtp://{USER}:{QUOTED_PASSWORD}@127.0.0.1:{port}"
    SmtpMailer(url, SENDER, timeout=5).send(reset_email())
    assert [m["To"] for m in handler.messages()] == ["ana@example.org"]


@pytest.mark.filterwarnings(PLAIN_AUTH_WARNING)
def test_a_wrong_password_raises_mail_error_without_the_password(
    start_server: StartServer,
) -> None:
    handler, port = start_server(
        authenticator=check_password, auth_required=True, auth_require_tls=False
    )
    mailer = SmtpMailer(f"smtp://{USER}:{WRONG_PASSWORD}@127.0.0.1:{port}", SENDER, timeout=5)
    with pytest.raises(MailError) as info:
        mailer.send(reset_email())

    error = info.value
    assert error.code == "mail_failed"
    assert "refused the login" in error.message
    assert f"127.0.0.1:{port}" in error.message
    for text in (str(error), repr(error), error.message, repr(mailer.target)):
        assert WRONG_PASSWORD not in text
    assert error.__cause__ is None
    assert error.__suppress_context__
    assert handler.envelopes == []


@pytest.mark.filterwarnings(PLAIN_AUTH_WARNING)
def test_no_login_when_the_server_requires_one(start_server: StartServer) -> None:
    _, port = start_server(authenticator=check_password, auth_required=True, auth_require_tls=False)
    with pytest.raises(MailError, match="530"):
        SmtpMailer(f"smtp://127.0.0.1:{port}", SENDER, timeout=5).send(reset_email())


def test_connection_refused_raises_mail_error() -> None:
    port = free_port()  # nothing listens there once the probe socket is closed
    with pytest.raises(MailError) as info:
        SmtpMailer(f"smtp://{USER}:{WRONG_PASSWORD}@127.0.0.1:{port}", SENDER, timeout=5).send(
            reset_email()
        )
    assert info.value.code == "mail_failed"
    assert "ConnectionRefusedError" in info.value.message
    assert WRONG_PASSWORD not in str(info.value)


def test_a_refused_recipient_raises_mail_error(start_server: StartServer) -> None:
    class Refuser(Collector):
        async def handle_RCPT(
            self,
            server: SMTP,
            session: Session,
            envelope: Envelope,
            address: str,
            rcpt_options: list[str],
        ) -> str:
            return "550 No such user here"

    port = free_port()
    controller = Controller(Refuser(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        with pytest.raises(MailError, match="550"):
            SmtpMailer(f"smtp://127.0.0.1:{port}", SENDER, timeout=5).send(reset_email())
    finally:
        controller.stop()


def test_starttls_with_login(start_server: StartServer, certificate: tuple[Path, Path]) -> None:
    handler, port = start_server(
        tls_context=server_tls(certificate),
        require_starttls=True,
        authenticator=check_password,
        auth_required=True,
    )
    url = f"smtp+starttls://{USER}:{QUOTED_PASSWORD}@127.0.0.1:{port}"
    SmtpMailer(url, SENDER, timeout=5, ssl_context=client_tls(certificate)).send(reset_email())
    assert len(handler.envelopes) == 1


def test_starttls_refuses_an_untrusted_certificate(
    start_server: StartServer, certificate: tuple[Path, Path]
) -> None:
    _, port = start_server(tls_context=server_tls(certificate), require_starttls=True)
    mailer = SmtpMailer(f"smtp+starttls://127.0.0.1:{port}", SENDER, timeout=5)  # system CAs
    with pytest.raises(MailError, match="CERTIFICATE_VERIFY_FAILED"):
        mailer.send(reset_email())


@pytest.mark.filterwarnings(PLAIN_AUTH_WARNING)
def test_implicit_tls(start_server: StartServer, certificate: tuple[Path, Path]) -> None:
    handler, port = start_server(
        ssl_context=server_tls(certificate),
        authenticator=check_password,
        auth_required=True,
        auth_require_tls=False,  # aiosmtpd counts only STARTTLS as TLS, not an implicit TLS port
    )
    url = f"smtps://{USER}:{QUOTED_PASSWORD}@127.0.0.1:{port}"
    SmtpMailer(url, SENDER, timeout=5, ssl_context=client_tls(certificate)).send(reset_email())
    assert len(handler.envelopes) == 1


@pytest.mark.parametrize(
    ("url", "scheme", "host", "port", "user", "password"),
    [
        ("smtp://mail.example.org", "smtp", "mail.example.org", 25, None, None),
        ("smtp://u:pw-1@mail.example.org:2525", "smtp", "mail.example.org", 2525, "u", "pw-1"),
        (
            "smtp+starttls://u%40x.org:p%3Aw@Mail.Example.org",
            "smtp+starttls",
            "mail.example.org",
            587,
            "u@x.org",
            "p:w",
        ),
        ("smtps://u:@[::1]/", "smtps", "::1", 465, "u", ""),
    ],
)
def test_parse_smtp_url(
    url: str, scheme: str, host: str, port: int, user: str | None, password: str | None
) -> None:
    target = parse_smtp_url(url)
    assert (target.scheme, target.host, target.port) == (scheme, host, port)
    assert (target.user, target.password) == (user, password)
    if password:
        assert password not in repr(target)


@pytest.mark.parametrize(
    "url",
    [
        "mail.example.org",
        "http://mail.example.org",
        "smtp://",
        "smtp://u:secret-pw@mail.example.org:99999",
        "smtp://u:secret-pw@mail.example.org:port",
        "smtp://u:secret/pw@mail.example.org",
        "smtp://u:secret#pw@mail.example.org",
    ],
)
def test_parse_smtp_url_refuses_without_leaking_the_password(url: str) -> None:
    with pytest.raises(ValueError, match="SMTP URL") as info:
        parse_smtp_url(url)
    assert "secret" not in str(info.value)
