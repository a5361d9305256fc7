"""Forgetting what has expired: sessions, refresh tokens, e-mailed links and codes, used stream
tickets. A clock of the server runs it; it needs only the database, not the sign-in machinery
(password hashing, one-time codes) that SessionService brings."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from cadenza.ports.clock import Clock
from cadenza.ports.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class Pruned:
    """What one pruning pass deleted."""

    sessions: int
    refresh_tokens: int
    one_time_tokens: int
    stream_tickets: int  # used ones, remembered until they expire


def prune_expired(uow_factory: Callable[[], UnitOfWork], clock: Clock) -> Pruned:
    """Safe in several processes at once: each pass deletes only what has expired. A session's
    spent refresh tokens stay until the session expires: a replayed one still ends it."""
    now = clock.now()
    with uow_factory() as uow:
        sessions, refresh_tokens = uow.sessions.prune_sessions(now)
        one_time = uow.tokens.prune_one_time_tokens(now)
        tickets = uow.stream_tickets.forget_stream_tickets(now)
        uow.commit()
    return Pruned(sessions, refresh_tokens, one_time, tickets)
