"""Rip detection: has an account fetched audio faster than anyone can listen to it?

Bytes served are turned into seconds of audio at the file's own rate (bytes x duration / size)
and added up per track over a sliding window. Playing in real time fetches about one window of
audio per window, plus the track playing and one prefetched; a ripper fetches many times that
(Audials-style tools ran at ~30x: ten hours of music in thirty minutes).

Two allowances keep ordinary listening clear of the rule:
- a track's audio counts at most once (its duration): seeking back and forth re-fetches the
  same seconds, which is no more music;
- the first `free_opening_s` of every track are free: skipping through a playlist fetches the
  opening of many tracks and little else.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

TrackKey = tuple[int, str]  # track id, quality: each file of a track is its own copy


@dataclass(frozen=True)
class RipRules:
    window: timedelta = timedelta(minutes=30)
    realtime_tolerance: float = 1.25  # fetched audio may run this far ahead of the clock
    prefetch_allowance_s: float = 900.0  # the track playing and one prefetched (long ones too)
    free_opening_s: float = 30.0  # per track: skipping and seeking never count

    def allowed_seconds(self) -> float:
        """Seconds of audio an account may fetch in one window before it is flagged."""
        return self.window.total_seconds() * self.realtime_tolerance + self.prefetch_allowance_s

    def throttled_seconds(self) -> float:
        """A flagged account fetches at real time: one window of audio per window, and one
        track ahead (half the allowance for the playing and the prefetched track)."""
        return self.window.total_seconds() + self.prefetch_allowance_s / 2


@dataclass
class TrackFetch:
    """What one account fetched of one file lately."""

    size: int  # bytes in the whole file
    duration_s: float
    sent: int = 0
    last_at: datetime | None = None

    def seconds(self, rules: RipRules) -> float:
        """Audio seconds that count against the account (see the module's two allowances)."""
        if self.size <= 0 or self.duration_s <= 0:
            return 0.0
        heard = min(self.sent, self.size) * self.duration_s / self.size
        return max(0.0, heard - rules.free_opening_s)


@dataclass(frozen=True)
class Verdict:
    audio_seconds: float  # counted in the window
    allowed_seconds: float
    tracks: int  # distinct files fetched in the window
    bytes: int
    retry_after_s: float = 0.0  # when throttled: until the window has room again

    @property
    def outruns_real_time(self) -> bool:
        return self.audio_seconds > self.allowed_seconds


@dataclass
class FetchLedger:
    """One account's recent fetches, oldest entries dropped as the window slides."""

    rules: RipRules
    fetches: dict[TrackKey, TrackFetch] = field(default_factory=dict)
    downloaded_s: float = 0.0  # through download grants: counted apart, within their quota

    def record(self, key: TrackKey, sent: int, size: int, duration_s: float, now: datetime) -> None:
        fetch = self.fetches.get(key)
        if fetch is None or fetch.last_at is None or fetch.last_at <= now - self.rules.window:
            fetch = self.fetches[key] = TrackFetch(size=size, duration_s=duration_s)
        fetch.sent += max(0, sent)
        fetch.last_at = now

    def record_download(self, sent: int, size: int, duration_s: float) -> None:
        if size > 0:
            self.downloaded_s += min(sent, size) * duration_s / size

    def forget_before(self, now: datetime) -> None:
        start = now - self.rules.window
        stale = [k for k, f in self.fetches.items() if f.last_at is None or f.last_at <= start]
        for key in stale:
            del self.fetches[key]

    def verdict(self, now: datetime, *, throttled: bool = False) -> Verdict:
        self.forget_before(now)
        allowed = self.rules.throttled_seconds() if throttled else self.rules.allowed_seconds()
        counted = {k: f.seconds(self.rules) for k, f in self.fetches.items()}
        total = sum(counted.values())
        return Verdict(
            audio_seconds=round(total, 1),
            allowed_seconds=allowed,
            tracks=len(self.fetches),
            bytes=sum(f.sent for f in self.fetches.values()),
            retry_after_s=self._room_after(counted, total - allowed, now) if total > allowed else 0,
        )

    def _room_after(self, counted: dict[TrackKey, float], excess: float, now: datetime) -> float:
        """Seconds until enough of the oldest fetches leave the window to bring it under."""
        if excess <= 0:
            return 0.0
        for key, fetch in sorted(self.fetches.items(), key=lambda kv: kv[1].last_at or now):
            excess -= counted[key]
            if excess <= 0 and fetch.last_at is not None:
                return max(1.0, (fetch.last_at + self.rules.window - now).total_seconds())
        return self.rules.window.total_seconds()

    @property
    def idle(self) -> bool:
        return not self.fetches


@dataclass(frozen=True)
class RipFlag:
    """An account flagged for review, with what it fetched."""

    id: int
    account_id: int
    status: str  # open, suspended, dismissed
    flagged_at: datetime
    audio_seconds: float
    allowed_seconds: float
    window_seconds: float
    evidence: dict[str, object]
    reviewed_by: int | None = None
    reviewed_at: datetime | None = None
