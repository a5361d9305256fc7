"""Domain events: what happened, in the past tense, as plain values. A service publishes one on
the message bus once its change is committed; who reacts is written once, in bootstrap's
HANDLERS table. Plain data only, so a durable stream can carry them between processes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from cadenza.domain.plans import Plan
from cadenza.domain.player import PlayerState


@dataclass(frozen=True)
class Event:
    """Something that happened. Subclasses are the names handlers are registered under."""


@dataclass(frozen=True)
class PlayCounted(Event):
    """A play passed the 30-second rule: it is a stream now (popularity, royalties, stats)."""

    account_id: int
    track_id: int


@dataclass(frozen=True)
class TrackFinished(Event):
    """A play ended, heard to the end or skipped, after `listened_ms` of listening, at
    `ended_at` by the client's clock (a late report is history, not a command)."""

    account_id: int
    track_id: int
    listened_ms: int
    skipped: bool
    genres: tuple[str, ...]
    ended_at: datetime


@dataclass(frozen=True)
class PlayerChanged(Event):
    """The listener's player changed (a command, a track ended). `view` is the player
    service's own view of it, made once for every device (with the current stream grant)."""

    account_id: int
    state: PlayerState
    view: object


@dataclass(frozen=True)
class ReleasePublished(Event):
    release_id: int
    distributor_id: int


@dataclass(frozen=True)
class ReleaseTakenDown(Event):
    release_id: int


@dataclass(frozen=True)
class ReleaseRestored(Event):
    release_id: int


@dataclass(frozen=True)
class PlanChanged(Event):
    """The plan a subscription gives its members took effect (`Plan.FREE`: it ended)."""

    subscription_id: int
    plan: Plan


@dataclass(frozen=True)
class AccountClosing(Event):
    """An account is about to be deleted: what it pays for ends first. A handler that fails
    stops the deletion."""

    account_id: int
