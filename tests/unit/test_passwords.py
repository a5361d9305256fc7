"""Password rules (OWASP ASVS 5 / NIST SP 800-63B) on fake lists and estimators."""

from __future__ import annotations

import pytest

from cadenza.domain.errors import InvalidRequest
from cadenza.domain.passwords import Strength, check_password, normalize_password

COMMON = {"password1", "iloveyou", "qwerty123"}


def never_common(_: str) -> bool:
    return False


def check(password: str, *, score: int | None = None, hint: str | None = None) -> None:
    def estimate(_: str, __: list[str]) -> Strength:
        return Strength(score if score is not None else 4, hint)

    check_password(
        password,
        email="listener@example.org",
        display_name="Ada Lovelace",
        is_common=COMMON.__contains__,
        estimate=estimate,
    )


def refusal(password: str, **kw: int | str | None) -> str:
    with pytest.raises(InvalidRequest) as caught:
        check(password, **kw)  # type: ignore[arg-type]
    assert caught.value.status == 422
    assert caught.value.message
    return caught.value.code


@pytest.mark.parametrize(
    ("length", "code"),
    [(0, "password_too_short"), (7, "password_too_short"), (129, "password_too_long")],
)
def test_length_limits_refuse(length: int, code: str) -> None:
    assert refusal("x" * length) == code


@pytest.mark.parametrize("length", [8, 128])
def test_length_limits_accept(length: int) -> None:
    check("x" * length)


def test_lengths_count_code_points_not_bytes() -> None:
    check("🎵" * 8)  # 32 bytes in UTF-8, 8 code points
    assert refusal("🎵" * 7) == "password_too_short"
    assert refusal("é" * 129) == "password_too_long"


def test_lengths_count_after_nfkc() -> None:
    # "ﬃ" (one code point) is "ffi" (three) in NFKC; combining accents compose into one.
    assert len(normalize_password("ﬃ")) == 3
    check("ﬃ" * 3)  # 9 code points once normalised
    assert refusal("e\u0301" * 7) == "password_too_short"  # 14 code points typed, 7 after


def test_huge_input_is_refused_before_normalising() -> None:
    assert refusal("a" * 1_000_000) == "password_too_long"


def test_any_character_is_allowed_and_nothing_is_required() -> None:
    for password in (
        "all lower case words",
        "        spaces  ",
        "ÄÖÜ ß ñ 中文 密码 🎸🥁",
        "\t\n\x00abcdefg",
    ):
        check(password)


@pytest.mark.parametrize("password", sorted(COMMON))
def test_common_password_refused(password: str) -> None:
    assert refusal(password) == "password_common"


def test_common_message_mentions_breached_lists() -> None:
    with pytest.raises(InvalidRequest, match="breached or common"):
        check("iloveyou")


def test_common_check_sees_the_normalised_password() -> None:
    seen: list[str] = []

    def is_common(password: str) -> bool:
        seen.append(password)
        return False

    check_password("ﬃ" * 3, email="a@b.c", display_name=None, is_common=is_common, estimate=None)
    assert seen == ["ffiffiffi"]


@pytest.mark.parametrize(
    "password",
    ["listener@example.org!", "my LISTENER@Example.org pw", "xxlistenerxx", "Listener2024"],
)
def test_password_containing_email_refused(password: str) -> None:
    assert refusal(password) == "password_contains_email"


def test_short_email_local_part_is_not_refused_inside_words() -> None:
    check_password(
        "bobsleigh at dawn",
        email="bob@example.org",
        display_name=None,
        is_common=never_common,
        estimate=None,
    )


def test_guessable_refused_with_hint() -> None:
    with pytest.raises(InvalidRequest) as caught:
        check("abcdefgh", score=1, hint="Sequences like abc are easy to guess.")
    assert caught.value.code == "password_guessable"
    assert "Sequences like abc are easy to guess." in caught.value.message


def test_guessable_without_hint() -> None:
    assert refusal("abcdefgh", score=0) == "password_guessable"


def test_score_two_is_enough() -> None:
    check("abcdefgh", score=2)


def test_estimator_gets_context_words() -> None:
    got: list[list[str]] = []

    def estimate(_: str, words: list[str]) -> Strength:
        got.append(words)
        return Strength(4)

    check_password(
        "a long passphrase",
        email="Listener@Example.org",
        display_name="Ada Lovelace",
        is_common=never_common,
        estimate=estimate,
    )
    assert {"listener@example.org", "listener", "ada lovelace", "ada", "lovelace"} <= set(got[0])


def test_without_estimator_only_the_lists_apply() -> None:
    check_password(
        "aaaaaaaa", email="a@b.c", display_name=None, is_common=never_common, estimate=None
    )


def test_strong_passphrase_accepted() -> None:
    check("correct horse battery staple on a violin")
