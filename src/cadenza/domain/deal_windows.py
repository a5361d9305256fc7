"""Where and when a release's deals let listeners stream it: each deal (DDEX ERN DealTerms)
holds for its territories from its start date until the end of its end date. A release is
offered in the territories whose deal holds now; before its first start, in those that start
first (its release date gates them). When the last deal has ended it is taken down."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from cadenza.domain.territories import ISO_COUNTRIES, WORLDWIDE


@dataclass(frozen=True)
class DealWindow:
    territories: tuple[str, ...]  # ISO codes, or WORLDWIDE
    excluded: tuple[str, ...] = ()
    starts_at: datetime | None = None  # None: from ever
    ends_at: datetime | None = None  # the first instant it no longer holds; None: open-ended

    def holds(self, now: datetime) -> bool:
        return (self.starts_at is None or self.starts_at <= now) and (
            self.ends_at is None or now < self.ends_at
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "territories": list(self.territories),
            "excluded": list(self.excluded),
            "starts_at": self.starts_at.isoformat() if self.starts_at else None,
            "ends_at": self.ends_at.isoformat() if self.ends_at else None,
        }

    @classmethod
    def of_json(cls, data: dict[str, Any]) -> DealWindow:
        def moment(raw: str | None) -> datetime | None:
            return datetime.fromisoformat(raw) if raw else None

        return cls(
            tuple(data["territories"]),
            tuple(data.get("excluded") or ()),
            moment(data.get("starts_at")),
            moment(data.get("ends_at")),
        )


def window(
    territories: Sequence[str], excluded: Sequence[str], start: date | None, end: date | None
) -> DealWindow:
    """A deal's dates as instants (UTC): from its start date, through the whole of its end date."""
    return DealWindow(
        tuple(territories),
        tuple(excluded),
        datetime.combine(start, time(0), tzinfo=UTC) if start else None,
        datetime.combine(end + timedelta(days=1), time(0), tzinfo=UTC) if end else None,
    )


def covered(windows: Iterable[DealWindow]) -> tuple[str, ...]:
    """The territories these windows allow, less the excluded ones (WORLDWIDE when all)."""
    allowed: set[str] = set()
    for w in windows:
        codes = set(ISO_COUNTRIES) if WORLDWIDE in w.territories else set(w.territories)
        allowed |= codes - set(w.excluded)
    if allowed >= ISO_COUNTRIES:
        return (WORLDWIDE,)
    return tuple(sorted(allowed))


def offered_in(windows: Sequence[DealWindow], now: datetime) -> tuple[str, ...]:
    """Where the release is offered at `now`; () when every deal has ended."""
    holding = [w for w in windows if w.holds(now)]
    if not holding:
        coming = [w for w in windows if w.starts_at is not None and w.starts_at > now]
        if coming:
            first = min(w.starts_at for w in coming if w.starts_at is not None)
            holding = [w for w in coming if w.starts_at == first]
    return covered(holding)


def next_change(windows: Sequence[DealWindow], now: datetime) -> datetime | None:
    """The next instant a deal starts or ends after `now` (None: nothing more will change)."""
    edges = [t for w in windows for t in (w.starts_at, w.ends_at) if t is not None and t > now]
    return min(edges) if edges else None
