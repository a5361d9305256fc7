"""Password hashing: a login for an unknown address takes as long as a wrong password.

    python bench/security.py [--rounds 15]

Real argon2id verifications (the server's parameters) against a real account's hash and the
dummy verification that a login for an address no account has runs instead, measured
alternately so that load on the machine hits both alike. The figure that matters is the ratio
of their medians (goal: within 0.7-1.3; tests/e2e/test_login_work.py checks that the same work
is done, this measures that it takes the same time).
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

from _results import write_results
from cadenza.adapters.security.hashing import Argon2PasswordHasher


def timed_ms(work: Callable[[], object]) -> float:
    start = time.perf_counter()
    work()
    return (time.perf_counter() - start) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    hasher = Argon2PasswordHasher()
    hashed = hasher.hash("the account's real password")
    hasher.dummy_verify()  # warm up
    real: list[float] = []
    dummy: list[float] = []
    for _ in range(args.rounds):
        real.append(timed_ms(lambda: hasher.verify(hashed, "a wrong guess")))
        dummy.append(timed_ms(hasher.dummy_verify))
    figures = {
        "real_verify_ms_p50": statistics.median(real),
        "dummy_verify_ms_p50": statistics.median(dummy),
        "dummy_to_real_ratio": statistics.median(dummy) / statistics.median(real),
        "hash_ms": timed_ms(lambda: hasher.hash("a new password")),
    }
    notes = {
        "real_verify_ms_p50": "a wrong password against a real account's hash",
        "dummy_verify_ms_p50": "the verification a login for an unknown address runs",
        "dummy_to_real_ratio": "goal 0.7-1.3: no telling accounts apart by time",
        "hash_ms": "one new hash (sign-up, password change)",
    }
    write_results("security", figures, notes)


if __name__ == "__main__":
    main()
