"""Rip detection as it runs: every audio response reports the bytes it sent, kept per account
in this process's memory (no database write per request), or, when several server processes
serve one deployment, in a tally they share (Redis); an account whose fetched audio
outruns real time is flagged once for review (one row), and its streams are then paced to real
time with 429 `stream_throttled` and Retry-After until an admin dismisses or suspends it.

Why 429 rather than serving slowly: a ripper opens many connections, and each slow response
would hold a worker and a file open for the length of the music; a 429 costs nothing, and a
player that only fetches as fast as it plays never meets one.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime

from cadenza.domain.accounts import AuditEvent
from cadenza.domain.audio import Quality
from cadenza.domain.errors import Conflict, Forbidden, NotFound, TooManyAttempts
from cadenza.domain.ripping import FetchLedger, RipFlag, RipRules, TrackKey, Verdict
from cadenza.domain.served_audio import ServedAudio
from cadenza.ports.clock import Clock
from cadenza.ports.events import Broadcast
from cadenza.ports.rip import FetchTally
from cadenza.ports.unit_of_work import UnitOfWork
from cadenza.services.admin import AccountAdmin
from cadenza.services.fetch_batches import FetchBatches

PRUNE_EVERY = 1000  # responses between sweeps of idle accounts out of memory

log = logging.getLogger(__name__)


class StreamThrottled(TooManyAttempts):
    code = "stream_throttled"


class RipWatch:
    def __init__(
        self,
        uow: Callable[[], UnitOfWork],
        clock: Clock,
        rules: RipRules,
        admin: AccountAdmin,
        tally: FetchTally | None = None,
        notices: Broadcast | None = None,
        *,
        served: ServedAudio | None = None,
    ) -> None:
        self.uow, self.clock, self.rules, self.admin = uow, clock, rules, admin
        self.served = served  # the audio sent, for the stream counts (services/grant_log.py)
        # Several processes: the ledgers are shared, and flags, dismissals and suspensions made
        # in one process are told to the others (each keeps its own copy for the fast path).
        self.tally, self.notices = tally, notices
        self._batches = FetchBatches(tally, self._judge_shared) if tally is not None else None
        if notices is not None:
            notices.listen("rip", self._told)
        self._ledgers: dict[int, FetchLedger] = {}
        self._throttled: set[int] | None = None  # accounts with an open flag
        self._suspended: dict[int, datetime] = {}  # account -> when, for grants issued before
        self._lock = threading.RLock()
        self._responses = 0

    # -- on every audio response -----------------------------------------------------------
    def admit(self, account_id: int, issued_at: datetime | None = None) -> None:
        """Before serving: a grant issued before a suspension serves nothing (its signature
        alone would keep it working for minutes); a flagged account gets real time only."""
        suspended = self._suspended.get(account_id)
        if suspended is not None and (issued_at is None or issued_at <= suspended):
            raise Forbidden("this account is suspended", code="account_suspended")
        if account_id not in self._flagged():
            return
        if self.tally is not None:
            verdict = self.tally.ledger(account_id).verdict(self.clock.now(), throttled=True)
        else:
            with self._lock:
                verdict = self._ledger(account_id).verdict(self.clock.now(), throttled=True)
        if verdict.outruns_real_time:
            raise StreamThrottled(
                "this account fetched audio faster than it can be played; streams are paced "
                "to real time",
                retry_after=verdict.retry_after_s,
            )

    def counter(
        self, account_id: int, track_id: int, quality: Quality, size: int, duration_ms: int
    ) -> Callable[[int], None]:
        """What to call with the bytes a response for this file really sent."""
        key = (track_id, quality.value)
        return lambda sent: self.streamed(account_id, key, sent, size, duration_ms / 1000)

    def streamed(
        self, account_id: int, key: TrackKey, sent: int, size: int, duration_s: float
    ) -> None:
        """After serving: count what was sent; flag the account the first time it outruns."""
        now = self.clock.now()
        if self.served is not None:
            self.served.add(account_id, key[0], sent, size, int(duration_s * 1000), now)
        if self._batches is not None:  # judged when the batch reaches the shared tally
            self._batches.add(account_id, key, sent, size, duration_s, now)
            return
        with self._lock:
            ledger = self._ledger(account_id)
            ledger.record(key, sent, size, duration_s, now)
            verdict = ledger.verdict(now)
            downloaded = ledger.downloaded_s
            self._sweep(now)
        self._judge(account_id, verdict, downloaded, now)

    def flush(self) -> None:
        """Several processes: add what this one served to the shared tally now."""
        if self._batches is not None:
            self._batches.flush()

    def close(self) -> None:
        if self._batches is not None:
            self._batches.close()

    def _judge_shared(self, account_id: int, ledger: FetchLedger, now: datetime) -> None:
        self._judge(account_id, ledger.verdict(now), ledger.downloaded_s, now)

    def _judge(self, account_id: int, verdict: Verdict, downloaded: float, now: datetime) -> None:
        """Flag the account the first time it outruns real time."""
        flagged = self._flagged()
        with self._lock:
            first_time = verdict.outruns_real_time and account_id not in flagged
            if first_time:
                flagged.add(account_id)  # throttled from now; concurrent responses flag no more
        if not first_time:
            return
        if self.tally is not None and not self.tally.first_to_flag(account_id):
            return  # another process judged the same shared ledger a moment ago: one flag
        try:
            self._flag(account_id, verdict, downloaded, now)
        except Exception:  # the database was away: a later response flags it again
            with self._lock:
                flagged.discard(account_id)
            if self.tally is not None:  # its claim goes, and its shared count starts over
                self.tally.forget(account_id)
            raise
        self._tell({"flagged": account_id})

    def downloaded(self, account_id: int, sent: int, size: int, duration_s: float) -> None:
        """Download grants are counted apart: their quota is the devices' track limit."""
        if self.tally is not None:
            self.tally.record_download(account_id, sent, size, duration_s)
            return
        with self._lock:
            self._ledger(account_id).record_download(sent, size, duration_s)

    # -- for admins ------------------------------------------------------------------------
    def flags(self, actor: int, status: str | None, limit: int, offset: int) -> list[RipFlag]:
        with self.uow() as uow:
            found = uow.rip_flags.rip_flags(status, limit, offset)
            detail = {"list": "rip_flags", "status": status or "any"}
            uow.audit.add(
                actor, AuditEvent("admin_listed_rip_flags", self.clock.now(), None, None, detail)
            )
            uow.commit()
        return found

    def suspend(self, actor: int, flag_id: int) -> RipFlag:
        """Disable the account (sessions and keys end, as for any disabled account) and stop
        the stream grants it still holds, at once, in every process."""
        with self.uow() as uow:
            open_flag = uow.rip_flags.rip_flag(flag_id)
        if open_flag is not None and open_flag.status == "open":
            self.admin.disable(actor, open_flag.account_id)  # refused for one's own account
        flag = self._review(actor, flag_id, "suspended")
        at = self.clock.now()
        self._suspended[flag.account_id] = at
        self._tell({"suspended": flag.account_id, "at": at.isoformat()})
        return flag

    def dismiss(self, actor: int, flag_id: int) -> RipFlag:
        """A false alarm: the account streams freely again."""
        flag = self._review(actor, flag_id, "dismissed")
        with self._lock:
            self._flagged().discard(flag.account_id)
            self._ledgers.pop(flag.account_id, None)
        if self.tally is not None:
            self.tally.forget(flag.account_id)
        self._tell({"dismissed": flag.account_id})
        return flag

    # -- helpers ---------------------------------------------------------------------------
    def _tell(self, notice: dict[str, object]) -> None:
        """Tell the other processes; the review itself is saved already, so a broadcast that
        fails (Redis away) is logged, not answered as an error; grants they signed before a
        suspension then keep working there until they expire (minutes)."""
        if self.notices is None:
            return
        try:
            self.notices.publish("rip", notice)
        except Exception:
            log.warning("could not tell the other processes of a rip review", exc_info=True)

    def _told(self, notice: dict[str, object]) -> None:
        """What another process (or this one) did: keep this process's copy in step."""
        with self._lock:
            if isinstance(account := notice.get("flagged"), int):
                self._flagged().add(account)
            if isinstance(account := notice.get("dismissed"), int):
                self._flagged().discard(account)
                self._ledgers.pop(account, None)
            if isinstance(account := notice.get("suspended"), int):
                self._suspended[account] = datetime.fromisoformat(str(notice["at"]))

    def _review(self, actor: int, flag_id: int, status: str) -> RipFlag:
        now = self.clock.now()
        with self.uow() as uow:
            flag = uow.rip_flags.rip_flag(flag_id)
            if flag is None:
                raise NotFound(f"no rip flag {flag_id}", code="rip_flag_not_found")
            if not uow.rip_flags.review_rip_flag(flag_id, status, actor, now):
                raise Conflict(f"this flag was already {flag.status}", code="rip_flag_reviewed")
            detail = {"flag": str(flag_id), "by": f"admin:{actor}"}
            uow.audit.add(
                flag.account_id, AuditEvent(f"rip_flag_{status}", now, None, None, detail)
            )
            uow.audit.add(
                actor,
                AuditEvent(
                    f"admin_rip_flag_{status}",
                    now,
                    None,
                    None,
                    detail | {"user": str(flag.account_id)},
                ),
            )
            uow.commit()
        return replace(flag, status=status, reviewed_by=actor, reviewed_at=now)

    def _flag(self, account_id: int, verdict: Verdict, downloaded: float, now: datetime) -> None:
        window = self.rules.window.total_seconds()
        evidence: dict[str, object] = {
            "tracks": verdict.tracks,
            "bytes": verdict.bytes,
            "times_real_time": round(verdict.audio_seconds / window, 2),
            "downloaded_seconds": round(downloaded, 1),
        }
        with self.uow() as uow:
            uow.rip_flags.add_rip_flag(
                account_id, now, verdict.audio_seconds, verdict.allowed_seconds, window, evidence
            )
            uow.audit.add(
                account_id,
                AuditEvent(
                    "rip_flagged", now, None, None, {"audio_seconds": str(verdict.audio_seconds)}
                ),
            )
            uow.commit()

    def _flagged(self) -> set[int]:
        """Accounts with an open flag: read once per process, then kept up to date here."""
        with self._lock:
            if self._throttled is None:
                with self.uow() as uow:
                    self._throttled = uow.rip_flags.open_rip_flag_accounts()
            return self._throttled

    def _ledger(self, account_id: int) -> FetchLedger:
        ledger = self._ledgers.get(account_id)
        if ledger is None:
            ledger = self._ledgers[account_id] = FetchLedger(self.rules)
        return ledger

    def _sweep(self, now: datetime) -> None:
        self._responses += 1
        if self._responses % PRUNE_EVERY:
            return
        for account_id, ledger in list(self._ledgers.items()):
            ledger.forget_before(now)
            if ledger.idle:
                del self._ledgers[account_id]
