"""A Subsonic request's parameters: from the query and, for POST, the form body alike;
repeated names (`id=1&id=2`) kept in order. Missing ones are error 10, bad ones error 0."""

from __future__ import annotations

import builtins

from cadenza.api.subsonic.render import SubsonicError

MAX_VALUE_CHARS = 10_000
MAX_REPEATS = 1000


class Params:
    def __init__(self, pairs: list[tuple[str, str]]) -> None:
        self._values: dict[str, list[str]] = {}
        for key, value in pairs:
            listed = self._values.setdefault(key, [])
            if len(listed) < MAX_REPEATS:
                listed.append(value[:MAX_VALUE_CHARS])

    def get(self, name: str) -> str | None:
        found = self._values.get(name)
        return found[0] if found else None

    def all(self, name: str) -> list[str]:
        return list(self._values.get(name, []))

    def has(self, name: str) -> bool:
        return name in self._values

    def required(self, name: str) -> str:
        value = self.get(name)
        if value is None or value == "":
            raise SubsonicError(10, f"required parameter is missing: {name}")
        return value

    def int(
        self, name: str, default: int | None = None, low: int = 0, high: int = 2**31 - 1
    ) -> int:
        raw = self.get(name)
        if raw is None or raw == "":
            if default is None:
                raise SubsonicError(10, f"required parameter is missing: {name}")
            return default
        try:
            value = int(raw)
        except ValueError:
            raise SubsonicError(0, f"{name} must be a whole number") from None
        return max(low, min(high, value))

    def optional_int(self, name: str) -> builtins.int | None:
        return self.int(name) if self.get(name) not in (None, "") else None

    def bool(self, name: str, default: builtins.bool = False) -> builtins.bool:
        raw = self.get(name)
        if raw is None or raw == "":
            return default
        return raw.lower() in ("true", "1", "yes")


def item_id(raw: str, prefix: str = "") -> int:
    """A Subsonic id as Cadenza's: the number after an optional kind prefix (`al-12`)."""
    text = raw.removeprefix(prefix) if prefix else raw
    if not text.isdigit() or not 0 < int(text) < 2**31:
        raise SubsonicError(70, f"no such item: {raw[:40]}")
    return int(text)
