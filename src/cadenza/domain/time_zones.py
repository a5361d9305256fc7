"""A listener's time zone, and the weeks made-for-you playlists follow in it.

Discover Weekly turns over on Monday and Release Radar on Friday, at midnight where the
listener lives: the web player saves the browser's IANA zone on the account (UTC until then).
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cadenza.domain.errors import InvalidRequest

DEFAULT_ZONE = "UTC"
MONDAY, FRIDAY = 0, 4  # as datetime.weekday() counts
MAX_ZONE_LENGTH = 64


def valid_time_zone(name: str) -> str:
    """The IANA zone's name as given ("Europe/Paris"); refused when the zone is unknown."""
    cleaned = name.strip()
    if not cleaned or len(cleaned) > MAX_ZONE_LENGTH or cleaned.startswith(("/", ".")):
        raise _unknown(name)
    try:
        ZoneInfo(cleaned)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise _unknown(name) from None
    return cleaned


def zone_of(name: str | None) -> ZoneInfo:
    """The zone saved on an account; UTC when none is (or one is no longer known)."""
    try:
        return ZoneInfo(name or DEFAULT_ZONE)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return ZoneInfo(DEFAULT_ZONE)


def week_start(now: datetime, zone: str | None, weekday: int) -> datetime:
    """When the current week began for a listener in `zone`, a week that starts on `weekday`
    (MONDAY for Discover Weekly, FRIDAY for Release Radar): that day's local midnight, in UTC.
    `now` itself on that day after midnight is in the new week."""
    if not 0 <= weekday <= 6:
        raise ValueError(f"weekday is 0 (Monday) to 6 (Sunday), not {weekday}")
    tz = zone_of(zone)
    local = now.astimezone(tz)
    back = (local.weekday() - weekday) % 7
    day = local.date() - timedelta(days=back)
    # Local midnight of that day: fold=0 picks the first of a repeated hour, and a midnight
    # skipped by a clock change normalises forward through UTC.
    midnight = datetime.combine(day, time(0), tzinfo=tz)
    return midnight.astimezone(UTC)


def _unknown(name: str) -> InvalidRequest:
    return InvalidRequest(
        f"{name[:80]!r} is not a known time zone; give an IANA name such as Europe/Paris",
        code="unknown_time_zone",
    )
