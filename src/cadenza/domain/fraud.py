"""Artificial streams: the rules the fraud job scores accounts and their counted streams by
(services/fraud_scoring.py applies them in arrays), the flags it keeps, what it reads.

Two kinds of evidence, because an honest listener can look odd on their own:
- coordination: many accounts on one address or device playing the same few tracks, or tracks
  whose streams come almost only from accounts that behave like machines;
- behaviour: plays stopping just past 30 s, listening round the clock, next to no skips, hours
  a day, plays concentrated on tracks nobody else plays, new and trial accounts.
An account is flagged when its score passes the threshold *and* some coordination is seen: a
superfan, a sleep playlist all night, a family computer or an office network alone is never
enough. Every counted stream of a flagged account in the window is flagged with its reasons.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

COUNTS_AT_MS = 30_000  # a play counts from 30 s


@dataclass(frozen=True)
class FraudRules:
    crowd_accounts: int = 8  # accounts on one address or device that make a crowd
    crowd_track_share: float = 0.5  # a track played by this share of a crowd is "the same"
    short_play_ms: int = 40_000  # a counted play stopping before this stopped "just past 30 s"
    min_plays: int = 50  # fewer counted streams in the window: behaviour is not judged
    repeat_plays: int = 5  # plays of one track in the window that make an account a repeater
    cohort_accounts: int = 20  # other repeaters on one track that make a cohort (from 2: some)
    crowd_casual_listeners: int = 10  # a crowd's shared track: at most this many casual ones
    casual_listeners: int = 3  # a track with at most this many other casual listeners: long tail
    coordination: float = 0.5  # coordination needed before anything is flagged
    threshold: float = 0.65  # score from which an account is flagged (needs some behaviour)
    weights: dict[str, float] = field(
        default_factory=lambda: {
            "short": 0.25,
            "clock": 0.2,
            "no_skips": 0.2,
            "hours": 0.15,
            "new": 0.1,
            "trial": 0.1,
        }
    )


# Each signal's reason, in an admin's words ({v}: the measured value).
REASONS: dict[str, str] = {
    "crowd": "{v} on one address or device, playing the same few niche tracks",
    "cohort": "{v} of its streams on tracks that other accounts replay and few others play",
    "short": "{v} of its plays stop just past 30 s",
    "clock": "listens {v} hours of the day on a typical day (round the clock)",
    "no_skips": "skips {v} of its plays",
    "hours": "{v} hours of listening per active day",
    "long_tail": "{v} of its streams on tracks almost nobody else plays",
    "new": "account {v} days old",
    "trial": "on a free trial",
}


@dataclass(frozen=True)
class FraudFlag:
    """An account flagged by the fraud job: its streams in the window earn nothing until an
    admin clears the flag (a review that confirms it keeps them flagged)."""

    id: int
    account_id: int
    score: float
    reasons: list[dict[str, object]]
    streams: int
    window_start: datetime
    window_end: datetime
    flagged_at: datetime
    reviewed_by: int | None
    reviewed_at: datetime | None
    cleared: bool

    @property
    def status(self) -> str:
        if self.reviewed_at is None:
            return "open"
        return "cleared" if self.cleared else "confirmed"


@dataclass(frozen=True)
class StreamFacts:
    """One counted stream as the fraud job reads it."""

    play_id: int
    account_id: int
    track_id: int
    started_at: datetime
    listened_ms: int
    finished: bool
    skipped: bool
    device: str


@dataclass(frozen=True)
class TrackFlags:
    """A distributor's track: its counted streams and those flagged as artificial."""

    track_id: int
    title: str
    release_id: int
    release_title: str
    streams: int
    flagged: int
