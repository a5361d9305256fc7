"""Two-factor rules: TOTP steps, replay, single-use recovery codes."""

from __future__ import annotations

import re

from cadenza.domain.two_factor import (
    RECOVERY_CODE_COUNT,
    candidate_steps,
    new_recovery_codes,
    normalize_recovery_code,
    step_is_fresh,
    totp_step,
    use_recovery_code,
)


def test_steps_are_thirty_seconds() -> None:
    assert totp_step(59) == 1
    assert totp_step(60) == 2
    assert candidate_steps(100) == [100, 99, 101]


def test_replay_refused() -> None:
    assert step_is_fresh(5, None)
    assert step_is_fresh(6, 5)
    assert not step_is_fresh(5, 5)
    assert not step_is_fresh(4, 5)


def test_ten_codes_in_the_agreed_format() -> None:
    codes, stored = new_recovery_codes()
    assert len(codes) == len(set(codes)) == RECOVERY_CODE_COUNT == stored.remaining
    assert all(re.fullmatch(r"[a-z2-7]{4}-[a-z2-7]{4}", c) for c in codes)


def test_only_digests_are_stored() -> None:
    codes, stored = new_recovery_codes()
    text = repr(stored)
    assert not any(c in text or c.replace("-", "") in text for c in codes)


def test_salts_differ_per_user() -> None:
    assert new_recovery_codes()[1].salt != new_recovery_codes()[1].salt


def test_recovery_code_is_single_use() -> None:
    codes, stored = new_recovery_codes()
    after = use_recovery_code(stored, codes[3])
    assert after is not None
    assert after.remaining == RECOVERY_CODE_COUNT - 1
    assert use_recovery_code(after, codes[3]) is None
    assert use_recovery_code(after, codes[4]) is not None


def test_recovery_code_typed_loosely() -> None:
    codes, stored = new_recovery_codes()
    assert normalize_recovery_code(" AbCd-EfGh ") == "abcdefgh"
    assert use_recovery_code(stored, codes[0].upper().replace("-", " ")) is not None


def test_wrong_recovery_code_refused() -> None:
    _, stored = new_recovery_codes()
    other, _ = new_recovery_codes()
    assert use_recovery_code(stored, other[0]) is None
    assert use_recovery_code(stored, "") is None
    assert stored.remaining == RECOVERY_CODE_COUNT


def test_all_codes_can_be_used_once() -> None:
    codes, stored = new_recovery_codes()
    current = stored
    for code in codes:
        nxt = use_recovery_code(current, code)
        assert nxt is not None
        current = nxt
    assert current.remaining == 0
