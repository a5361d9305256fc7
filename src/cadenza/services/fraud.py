"""Artificial streams: the fraud job scores the counted streams of the last days (the window)
with the engine in domain/fraud.py and flags the streams of accounts it convicts
(plays.flagged_artificial, which royalties leave out); admins review a flag and may clear it;
a distributor sees flagged streams per track of its own releases.

A run is idempotent: an account's open flag is brought up to date rather than repeated, and a
cleared flag's streams are never flagged again (only later ones can be)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from cadenza.domain.accounts import AuditEvent
from cadenza.domain.errors import Conflict, NotFound
from cadenza.domain.fraud import FraudFlag, FraudRules, StreamFacts, TrackFlags
from cadenza.ports.clock import Clock
from cadenza.ports.unit_of_work import UnitOfWork
from cadenza.services.admin import AccountAdmin

if TYPE_CHECKING:
    from cadenza.services.fraud_scoring import Accounts, Streams

Advance = Callable[[int], None]
TRIAL_LOOKBACK = timedelta(days=30)  # a trial begun this long before the window counts


@dataclass(frozen=True)
class FraudRun:
    streams: int  # counted streams scored
    accounts: int  # accounts that listened in the window
    flagged_accounts: int
    flagged_streams: int  # streams flagged under their flags (earlier runs' included)


class FraudWatch:
    def __init__(
        self,
        uow: Callable[[], UnitOfWork],
        clock: Clock,
        admin: AccountAdmin,
        window_days: int = 30,
        rules: FraudRules | None = None,
    ) -> None:
        self.uow, self.clock, self.admin = uow, clock, admin
        self.window = timedelta(days=window_days)
        self.rules = rules or FraudRules()
        self._seen: set[tuple[int, str]] = set()  # (account, address) written today
        self._seen_day: date | None = None

    # -- the job ---------------------------------------------------------------------------
    def run(self, advance: Advance | None = None) -> FraudRun:
        """Read (1), score (2), flag (3): `advance` is told of each step done."""
        import numpy as np

        from cadenza.services.fraud_scoring import score

        now = self.clock.now()
        since = now - self.window
        with self.uow() as uow:
            columns = _Columns()
            for batch in uow.fraud.counted_streams(since, now):
                columns.add(batch)  # into arrays batch by batch: a month stays compact
            streams, users = columns.streams()
            ids = [int(i) for i in users]
            facts = uow.fraud.account_facts(ids, since - TRIAL_LOOKBACK)
            addresses = uow.fraud.addresses(ids, since - self.window)
            cleared = uow.fraud.cleared_until(ids)
        if advance:
            advance(1)
        if not ids:
            if advance:
                advance(2)
            return FraudRun(0, 0, 0, 0)
        verdicts = score(streams, _accounts(ids, facts, addresses, now), self.rules)
        if advance:
            advance(1)
        latest = np.full(len(ids), -np.inf)
        np.maximum.at(latest, streams.account, streams.start_s)
        # A cleared flag's streams stay clear: only streams after its window can be flagged.
        convicted = [
            i
            for i, account in enumerate(ids)
            if bool(verdicts.flagged[i]) and latest[i] >= cleared.get(account, since).timestamp()
        ]
        flagged_streams = 0
        with self.uow() as uow:
            for i in convicted:
                account = ids[i]
                start = max(since, cleared.get(account, since))
                reasons = verdicts.reasons(i)
                flagged_streams += uow.fraud.flag_account(
                    account, round(float(verdicts.score[i]), 3), reasons, (start, now), now
                )
            uow.commit()
        if advance:
            advance(1)
        return FraudRun(len(streams.account), len(ids), len(convicted), flagged_streams)

    # -- listening events ------------------------------------------------------------------
    def saw_listening(self, account_id: int, ip: str | None) -> None:
        """Listening events came from this address: kept once per account, address and day
        (this process remembers what it wrote today, so most batches write nothing)."""
        if not ip:
            return
        day = self.clock.now().date()
        if day != self._seen_day or len(self._seen) > 100_000:
            self._seen, self._seen_day = set(), day  # a new day (or a crowd): afresh
        if (account_id, ip) in self._seen:
            return
        with self.uow() as uow:
            uow.fraud.saw_listening(account_id, ip, day)
            uow.commit()
        self._seen.add((account_id, ip))

    # -- admins ----------------------------------------------------------------------------
    def flags(
        self, actor: int, status: str | None, account_id: int | None, limit: int, offset: int
    ) -> list[FraudFlag]:
        self.admin.require_admin(actor)
        with self.uow() as uow:
            return uow.fraud.fraud_flags(status, account_id, limit, offset)

    def review(self, actor: int, flag_id: int, clear: bool) -> FraudFlag:
        """Confirm a flag (its streams stay flagged) or clear it (they count again); the review
        stays on the flag, and in the account's and the admin's security events."""
        self.admin.require_admin(actor)
        now = self.clock.now()
        verdict = "cleared" if clear else "confirmed"
        with self.uow() as uow:
            flag = uow.fraud.fraud_flag(flag_id)
            if flag is None:
                raise NotFound(f"no fraud flag {flag_id}", code="fraud_flag_not_found")
            if not uow.fraud.review_fraud_flag(flag_id, actor, now, clear):
                raise Conflict(f"this flag was already {flag.status}", code="fraud_flag_reviewed")
            detail = {"flag": str(flag_id), "by": f"admin:{actor}"}
            uow.audit.add(
                flag.account_id, AuditEvent(f"fraud_flag_{verdict}", now, None, None, detail)
            )
            uow.commit()
            reviewed = uow.fraud.fraud_flag(flag_id)
        assert reviewed is not None
        return reviewed

    # -- distributors ----------------------------------------------------------------------
    def flagged_tracks(self, distributor_id: int) -> list[TrackFlags]:
        with self.uow() as uow:
            return uow.fraud.flagged_per_track(distributor_id)


class _Columns:
    """Counted streams gathered batch by batch into arrays (device keys as small numbers)."""

    def __init__(self) -> None:
        self.parts: list[tuple[Any, ...]] = []
        self.devices: dict[str, int] = {}

    def add(self, batch: list[StreamFacts]) -> None:
        import numpy as np

        code = self.devices.setdefault
        self.parts.append(
            (
                np.array([s.account_id for s in batch], dtype=np.int64),
                np.array([s.track_id for s in batch], dtype=np.int64),
                np.array([s.started_at.timestamp() for s in batch], dtype=np.float64),
                np.array([s.listened_ms for s in batch], dtype=np.int64),
                np.array([s.finished for s in batch], dtype=bool),
                np.array([s.skipped for s in batch], dtype=bool),
                np.array([code(s.device, len(self.devices)) for s in batch], dtype=np.int64),
            )
        )

    def streams(self) -> tuple[Streams, Any]:
        """The streams (accounts numbered 0..n-1) and the account ids in that order."""
        import numpy as np

        from cadenza.services.fraud_scoring import Streams

        cols = [np.concatenate(c) for c in zip(*self.parts, strict=True)] if self.parts else []
        if not cols:
            empty = np.zeros(0, dtype=np.int64)
            cols = [empty, empty, empty.astype(np.float64), empty, empty.astype(bool)]
            cols += [empty.astype(bool), empty]
        users, account = np.unique(cols[0], return_inverse=True)
        return Streams(account, *cols[1:]), users


def _accounts(
    ids: list[int],
    facts: dict[int, tuple[datetime, bool]],
    addresses: list[tuple[int, str]],
    now: datetime,
) -> Accounts:
    import numpy as np

    from cadenza.services.fraud_scoring import Accounts

    index = {account: i for i, account in enumerate(ids)}
    ips: dict[str, int] = {}
    pairs = [(index[a], ips.setdefault(ip, len(ips))) for a, ip in addresses if a in index]
    created = [facts.get(a, (now, False)) for a in ids]
    return Accounts(
        age_days=np.array([(now - c).total_seconds() / 86_400 for c, _ in created]),
        trial=np.array([t for _, t in created], dtype=bool),
        address_account=np.array([p[0] for p in pairs], dtype=np.int64),
        address=np.array([p[1] for p in pairs], dtype=np.int64),
    )
