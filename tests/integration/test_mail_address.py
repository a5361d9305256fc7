"""normalise_email: the address syntax accounts will accept (pure, but lives with the mail tests)."""

from __future__ import annotations

import pytest

from cadenza.domain.errors import InvalidRequest
from cadenza.domain.mail import normalise_email


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("ana@example.org", "ana@example.org"),
        ("  Ana.Lima@Example.ORG \n", "Ana.Lima@example.org"),
        ("first+tag@mail.example.co.uk", "first+tag@mail.example.co.uk"),
        ("o'brien_x-y@sub-domain.example", "o'brien_x-y@sub-domain.example"),
        ("josé@exämple.de", "josé@exämple.de"),
        ("a@b.c", "a@b.c"),
    ],
)
def test_accepts_and_normalises(raw: str, expected: str) -> None:
    assert normalise_email(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "   ",
        "plainaddress",
        "@example.org",
        "ana@",
        "ana@localhost",
        "ana@@example.org",
        "ana@exa@mple.org",
        "ana lima@example.org",
        "ana@exam ple.org",
        ".ana@example.org",
        "ana.@example.org",
        "an..a@example.org",
        "ana@example..org",
        "ana@.example.org",
        "ana@example.org.",
        "ana@-example.org",
        "ana@example-.org",
        "ana@exa_mple.org",
        '"ana"@example.org',
        "<ana@example.org>",
        "Ana <ana@example.org>",
        "ana@example.org\r\nBcc: x@evil.example",
        "a,b@example.org",
        "ana\x00@example.org",
        "x" * 65 + "@example.org",
        "ana@" + "x" * 64 + ".org",
    ],
)
def test_refuses_invalid(raw: str) -> None:
    with pytest.raises(InvalidRequest) as info:
        normalise_email(raw)
    assert info.value.code == "invalid_email"


def test_refuses_over_long_addresses() -> None:
    domain = ".".join(["a" * 60] * 4) + ".org"
    longest = "x" * (254 - 1 - len(domain)) + "@" + domain
    assert len(longest) == 254
    assert normalise_email(longest) == longest
    with pytest.raises(InvalidRequest) as info:
        normalise_email("y" + longest)
    assert info.value.code == "invalid_email"
    assert "254" in info.value.message
