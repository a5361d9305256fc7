"""TOTP with pyotp, recovery codes end to end, and the QR code as SVG."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlparse

import pyotp
import pytest

from cadenza.adapters.security.qr import qr_svg
from cadenza.adapters.security.totp import PyotpTotp
from cadenza.domain.two_factor import totp_step

NOW = datetime(2026, 5, 1, 12, 0, 10, tzinfo=UTC)
STEP = timedelta(seconds=30)


@pytest.fixture
def totp() -> PyotpTotp:
    return PyotpTotp()


@pytest.fixture
def secret(totp: PyotpTotp) -> str:
    return totp.new_secret()


def test_new_secrets_are_base32_and_random(totp: PyotpTotp) -> None:
    a, b = totp.new_secret(), totp.new_secret()
    assert a != b
    assert len(a) == 32
    assert set(a) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")


def test_provisioning_uri(totp: PyotpTotp, secret: str) -> None:
    uri = totp.provisioning_uri(secret, "listener@example.org")
    parsed = urlparse(uri)
    assert parsed.scheme == "otpauth"
    assert parsed.netloc == "totp"
    assert parsed.path == "/Cadenza:listener%40example.org"
    query = parse_qs(parsed.query)
    assert query["secret"] == [secret]
    assert query["issuer"] == ["Cadenza"]


def test_current_code_accepted(totp: PyotpTotp, secret: str) -> None:
    code = pyotp.TOTP(secret).at(NOW)  # what an authenticator app shows
    assert totp.verify(secret, code, at=NOW, last_step=None) == totp_step(NOW.timestamp())


def test_code_with_spaces_accepted(totp: PyotpTotp, secret: str) -> None:
    code = totp.code_at(secret, NOW)
    assert totp.verify(secret, f"{code[:3]} {code[3:]}", at=NOW, last_step=None) is not None


def test_reused_code_refused(totp: PyotpTotp, secret: str) -> None:
    code = totp.code_at(secret, NOW)
    step = totp.verify(secret, code, at=NOW, last_step=None)
    assert step is not None
    assert totp.verify(secret, code, at=NOW, last_step=step) is None
    assert totp.verify(secret, code, at=NOW + STEP, last_step=step) is None  # still in window


def test_older_code_refused_after_a_newer_one(totp: PyotpTotp, secret: str) -> None:
    step = totp.verify(secret, totp.code_at(secret, NOW), at=NOW, last_step=None)
    previous = totp.code_at(secret, NOW - STEP)
    assert totp.verify(secret, previous, at=NOW, last_step=step) is None


def test_next_code_accepted_after_the_current(totp: PyotpTotp, secret: str) -> None:
    step = totp.verify(secret, totp.code_at(secret, NOW), at=NOW, last_step=None)
    later = NOW + STEP
    assert totp.verify(secret, totp.code_at(secret, later), at=later, last_step=step) == step + 1  # type: ignore[operator]


@pytest.mark.parametrize("drift", [-1, 1])
def test_one_step_of_drift_accepted(totp: PyotpTotp, secret: str, drift: int) -> None:
    code = totp.code_at(secret, NOW + drift * STEP)
    assert totp.verify(secret, code, at=NOW, last_step=None) == totp_step(NOW.timestamp()) + drift


@pytest.mark.parametrize("steps", [-3, -2, 2, 3])
def test_code_outside_the_window_refused(totp: PyotpTotp, secret: str, steps: int) -> None:
    code = totp.code_at(secret, NOW + steps * STEP)
    assert totp.verify(secret, code, at=NOW, last_step=None) is None


@pytest.mark.parametrize("code", ["", "12345", "1234567", "abcdef", "12345a"])
def test_malformed_codes_refused(totp: PyotpTotp, secret: str, code: str) -> None:
    assert totp.verify(secret, code, at=NOW, last_step=None) is None


def test_other_secret_refused(totp: PyotpTotp, secret: str) -> None:
    code = totp.code_at(totp.new_secret(), NOW)
    if code != totp.code_at(secret, NOW):  # one chance in a million of a collision
        assert totp.verify(secret, code, at=NOW, last_step=None) is None


def test_qr_svg(totp: PyotpTotp, secret: str) -> None:
    svg = qr_svg(totp.provisioning_uri(secret, "listener@example.org"))
    assert svg.startswith("<svg")
    assert 'xmlns="http://www.w3.org/2000/svg"' in svg
    assert svg.rstrip().endswith("</svg>")
    assert "<path" in svg
