"""Artificial streams in SQL: the counted streams the fraud job reads, its flags, the reviews,
and flagged streams per distributor track."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime

from sqlalchemy import case, func, select, update
from sqlalchemy.orm import Session

from cadenza.adapters.db.inserts import insert_on_conflict
from cadenza.adapters.db.models import ReleaseRow, TrackRow
from cadenza.adapters.db.models_accounts import AuditRow, UserRow
from cadenza.adapters.db.models_billing import TrialRow
from cadenza.adapters.db.models_fraud import FraudFlagRow, ListeningAddressRow
from cadenza.adapters.db.models_listening import PlayRow
from cadenza.domain.catalog import as_utc
from cadenza.domain.fraud import FraudFlag, StreamFacts, TrackFlags

BATCH = 50_000
SIGN_INS = ("logged_in",)
CHUNK = 500  # ids per IN (...) list


class SqlFraud:
    def __init__(self, session: Session) -> None:
        self.s = session

    def counted_streams(self, since: datetime, until: datetime) -> Iterator[list[StreamFacts]]:
        query = (
            select(
                PlayRow.id,
                PlayRow.user_id,
                PlayRow.track_id,
                PlayRow.started_at,
                PlayRow.listened_ms,
                PlayRow.finished,
                PlayRow.skipped,
                PlayRow.device,
            )
            .where(PlayRow.counted, PlayRow.started_at >= since, PlayRow.started_at < until)
            .execution_options(yield_per=BATCH)
        )
        for part in self.s.execute(query).partitions(BATCH):
            yield [
                StreamFacts(r[0], r[1], r[2], as_utc(r[3]), r[4], r[5], r[6], r[7]) for r in part
            ]

    def account_facts(
        self, account_ids: list[int], trial_since: datetime
    ) -> dict[int, tuple[datetime, bool]]:
        out: dict[int, tuple[datetime, bool]] = {}
        for ids in _chunks(account_ids):
            trials = set(
                self.s.scalars(
                    select(TrialRow.user_id).where(
                        TrialRow.user_id.in_(ids), TrialRow.started_at >= trial_since
                    )
                )
            )
            for user_id, created in self.s.execute(
                select(UserRow.id, UserRow.created_at).where(UserRow.id.in_(ids))
            ):
                out[user_id] = (as_utc(created), user_id in trials)
        return out

    def addresses(self, account_ids: list[int], since: datetime) -> list[tuple[int, str]]:
        found: set[tuple[int, str]] = set()
        for ids in _chunks(account_ids):
            found.update(
                (user_id, ip)
                for user_id, ip in self.s.execute(
                    select(AuditRow.user_id, AuditRow.ip)
                    .where(
                        AuditRow.user_id.in_(ids),
                        AuditRow.kind.in_(SIGN_INS),
                        AuditRow.at >= since,
                        AuditRow.ip.is_not(None),
                    )
                    .distinct()
                )
                if ip
            )
            found.update(
                (user_id, ip)
                for user_id, ip in self.s.execute(
                    select(ListeningAddressRow.user_id, ListeningAddressRow.ip)
                    .where(
                        ListeningAddressRow.user_id.in_(ids),
                        ListeningAddressRow.day >= since.date(),
                    )
                    .distinct()
                )
            )
        return sorted(found)

    def saw_listening(self, account_id: int, ip: str, day: date) -> None:
        self.s.execute(
            insert_on_conflict(self.s, ListeningAddressRow)
            .values(user_id=account_id, ip=ip, day=day)
            .on_conflict_do_nothing()
        )

    def cleared_until(self, account_ids: list[int]) -> dict[int, datetime]:
        out: dict[int, datetime] = {}
        for ids in _chunks(account_ids):
            for user_id, end in self.s.execute(
                select(FraudFlagRow.user_id, func.max(FraudFlagRow.window_end))
                .where(FraudFlagRow.user_id.in_(ids), FraudFlagRow.cleared)
                .group_by(FraudFlagRow.user_id)
            ):
                out[user_id] = as_utc(end)
        return out

    def flag_account(
        self,
        account_id: int,
        score: float,
        reasons: list[dict[str, object]],
        window: tuple[datetime, datetime],
        now: datetime,
    ) -> int:
        start, end = window
        row = self.s.scalars(
            select(FraudFlagRow)
            .where(FraudFlagRow.user_id == account_id, FraudFlagRow.reviewed_at.is_(None))
            .order_by(FraudFlagRow.id.desc())
            .limit(1)
        ).first()
        if row is None:
            row = FraudFlagRow(user_id=account_id, window_start=start, flagged_at=now, streams=0)
            self.s.add(row)
        else:
            start = min(as_utc(row.window_start), start)
        row.window_start, row.window_end = start, max(end, as_utc(row.window_end or end))
        row.score, row.reasons = score, reasons
        in_window = (
            PlayRow.user_id == account_id,
            PlayRow.counted,
            PlayRow.started_at >= row.window_start,
            PlayRow.started_at < row.window_end,
        )
        self.s.execute(
            update(PlayRow)
            .where(*in_window, PlayRow.royalty_month.is_(None), ~PlayRow.flagged_artificial)
            .values(flagged_artificial=True)
        )
        row.streams = (
            self.s.scalar(select(func.count()).where(*in_window, PlayRow.flagged_artificial)) or 0
        )
        self.s.flush()
        return row.streams

    def fraud_flags(
        self, status: str | None, account_id: int | None, limit: int, offset: int
    ) -> list[FraudFlag]:
        query = select(FraudFlagRow).order_by(FraudFlagRow.score.desc(), FraudFlagRow.id.desc())
        if status == "open":
            query = query.where(FraudFlagRow.reviewed_at.is_(None))
        elif status == "cleared":
            query = query.where(FraudFlagRow.cleared)
        elif status == "confirmed":
            query = query.where(FraudFlagRow.reviewed_at.is_not(None), ~FraudFlagRow.cleared)
        if account_id is not None:
            query = query.where(FraudFlagRow.user_id == account_id)
        return [_flag(r) for r in self.s.scalars(query.limit(limit).offset(offset))]

    def fraud_flag(self, flag_id: int) -> FraudFlag | None:
        row = self.s.get(FraudFlagRow, flag_id)
        return None if row is None else _flag(row)

    def review_fraud_flag(self, flag_id: int, by: int, now: datetime, clear: bool) -> bool:
        done = self.s.execute(
            update(FraudFlagRow)
            .where(FraudFlagRow.id == flag_id, FraudFlagRow.reviewed_at.is_(None))
            .values(reviewed_by=by, reviewed_at=now, cleared=clear)
        )
        if getattr(done, "rowcount", 0) != 1:
            return False
        row = self.s.get(FraudFlagRow, flag_id)
        if clear and row is not None:
            self.s.execute(
                update(PlayRow)
                .where(
                    PlayRow.user_id == row.user_id,
                    PlayRow.started_at >= row.window_start,
                    PlayRow.started_at < row.window_end,
                    PlayRow.flagged_artificial,
                )
                .values(flagged_artificial=False)
            )
        return True

    def flagged_per_track(self, distributor_id: int) -> list[TrackFlags]:
        flagged = func.sum(case((PlayRow.flagged_artificial, 1), else_=0))
        rows = self.s.execute(
            select(
                TrackRow.id,
                TrackRow.title,
                ReleaseRow.id,
                ReleaseRow.title,
                func.count(),
                flagged,
            )
            .join(ReleaseRow, ReleaseRow.id == TrackRow.release_id)
            .join(PlayRow, PlayRow.track_id == TrackRow.id)
            .where(ReleaseRow.distributor_id == distributor_id, PlayRow.counted)
            .group_by(TrackRow.id, TrackRow.title, ReleaseRow.id, ReleaseRow.title)
            .having(flagged > 0)
            .order_by(flagged.desc(), TrackRow.id)
            .limit(500)
        )
        return [TrackFlags(t, title, r, rt, int(n), int(f or 0)) for t, title, r, rt, n, f in rows]


def _chunks(ids: list[int]) -> Iterator[list[int]]:
    for i in range(0, len(ids), CHUNK):
        yield ids[i : i + CHUNK]


def _flag(row: FraudFlagRow) -> FraudFlag:
    return FraudFlag(
        id=row.id,
        account_id=row.user_id,
        score=row.score,
        reasons=list(row.reasons),
        streams=row.streams,
        window_start=as_utc(row.window_start),
        window_end=as_utc(row.window_end),
        flagged_at=as_utc(row.flagged_at),
        reviewed_by=row.reviewed_by,
        reviewed_at=as_utc(row.reviewed_at) if row.reviewed_at else None,
        cleared=row.cleared,
    )
