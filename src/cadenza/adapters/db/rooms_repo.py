"""Live audio rooms in SQL."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import Select, case, exists, insert, literal, select
from sqlalchemy.orm import Session, aliased

from cadenza.adapters.db.models_accounts import UserRow
from cadenza.adapters.db.models_rooms import RoomBlockRow, RoomNoticeRow, RoomReportRow, RoomRow
from cadenza.adapters.db.models_social import ListenerFollowRow
from cadenza.domain.catalog import as_utc
from cadenza.domain.rooms import Room, RoomNotice, RoomReport, RoomState

R = RoomRow


def _utc(moment: datetime | None) -> datetime | None:
    return None if moment is None else as_utc(moment)


def _room(row: RoomRow, host_name: str) -> Room:
    return Room(
        id=row.id,
        host_id=row.host_id,
        host_name=host_name,
        title=row.title,
        topics=tuple(row.topics),
        state=RoomState(row.state),
        starts_at=as_utc(row.starts_at),
        started_at=_utc(row.started_at),
        ended_at=_utc(row.ended_at),
        recorded=row.recorded,
        recording=row.recording_blob,
        recording_seconds=row.recording_seconds,
    )


class SqlRooms:
    def __init__(self, session: Session) -> None:
        self.s = session

    def add(
        self,
        host_id: int,
        title: str,
        topics: tuple[str, ...],
        starts_at: datetime,
        live: bool,
        recorded: bool,
        now: datetime,
    ) -> int:
        row = R(
            host_id=host_id,
            title=title,
            topics=list(topics),
            state=RoomState.LIVE if live else RoomState.SCHEDULED,
            starts_at=starts_at,
            started_at=now if live else None,
            recorded=recorded,
            recording_seconds=0.0,
            created_at=now,
        )
        self.s.add(row)
        self.s.flush()
        return row.id

    def _select(self) -> Select[RoomRow, str]:
        return select(R, UserRow.display_name).join(UserRow, UserRow.id == R.host_id)

    def get(self, room_id: int) -> Room | None:
        found = self.s.execute(self._select().where(R.id == room_id)).first()
        return None if found is None else _room(found[0], found[1])

    def set_state(self, room_id: int, state: RoomState, now: datetime) -> None:
        row = self.s.get(R, room_id)
        if row is None:
            return
        row.state = state.value
        if state is RoomState.LIVE:
            row.started_at = now
        elif state is RoomState.ENDED:
            row.ended_at = now
        self.s.flush()

    def set_recording(self, room_id: int, blob: str, seconds: float) -> None:
        row = self.s.get(R, room_id)
        if row is not None:
            row.recording_blob, row.recording_seconds = blob, seconds
            self.s.flush()

    def listed(self, limit: int) -> list[Room]:
        live_first = case((R.state == RoomState.LIVE.value, 0), else_=1)
        rows = self.s.execute(
            self._select()
            .where(R.state.in_([RoomState.LIVE.value, RoomState.SCHEDULED.value]))
            .order_by(live_first, R.starts_at, R.id)
            .limit(limit)
        ).all()
        return [_room(r, name) for r, name in rows]

    def of_host(self, host_id: int, limit: int) -> list[Room]:
        rows = self.s.execute(
            self._select().where(R.host_id == host_id).order_by(R.id.desc()).limit(limit)
        ).all()
        return [_room(r, name) for r, name in rows]

    def block(self, room_id: int, user_id: int, now: datetime) -> None:
        if not self.is_blocked(room_id, user_id):
            self.s.add(RoomBlockRow(room_id=room_id, user_id=user_id, blocked_at=now))
            self.s.flush()

    def is_blocked(self, room_id: int, user_id: int) -> bool:
        return bool(
            self.s.scalar(
                select(
                    exists().where(RoomBlockRow.room_id == room_id, RoomBlockRow.user_id == user_id)
                )
            )
        )

    def add_report(
        self, room_id: int, reporter_id: int, subject_id: int | None, reason: str, now: datetime
    ) -> int:
        row = RoomReportRow(
            room_id=room_id,
            reporter_id=reporter_id,
            subject_id=subject_id,
            reason=reason,
            created_at=now,
        )
        self.s.add(row)
        self.s.flush()
        return row.id

    def reports(self, limit: int) -> list[RoomReport]:
        reporter = aliased(UserRow)
        subject = aliased(UserRow)
        rows = self.s.execute(
            select(RoomReportRow, R.title, reporter.display_name, subject.display_name)
            .join(R, R.id == RoomReportRow.room_id)
            .join(reporter, reporter.id == RoomReportRow.reporter_id)
            .outerjoin(subject, subject.id == RoomReportRow.subject_id)
            .order_by(RoomReportRow.id.desc())
            .limit(limit)
        ).all()
        return [
            RoomReport(
                id=r.id,
                room_id=r.room_id,
                room_title=title,
                reporter_id=r.reporter_id,
                reporter_name=reporter_name,
                subject_id=r.subject_id,
                subject_name=subject_name,
                reason=r.reason,
                created_at=as_utc(r.created_at),
            )
            for r, title, reporter_name, subject_name in rows
        ]

    def notify_followers(self, room_id: int, host_id: int, now: datetime) -> int:
        followers = select(
            ListenerFollowRow.follower_id,
            literal(room_id),
            literal(now, RoomNoticeRow.created_at.type),
        ).where(ListenerFollowRow.followed_id == host_id)
        done = self.s.execute(
            insert(RoomNoticeRow).from_select(["user_id", "room_id", "created_at"], followers)
        )
        return int(done.rowcount or 0)  # type: ignore[attr-defined]

    def notices(self, user_id: int, limit: int) -> list[RoomNotice]:
        rows = self.s.execute(
            select(RoomNoticeRow.created_at, R, UserRow.display_name)
            .join(R, R.id == RoomNoticeRow.room_id)
            .join(UserRow, UserRow.id == R.host_id)
            .where(RoomNoticeRow.user_id == user_id)
            .order_by(RoomNoticeRow.created_at.desc(), R.id.desc())
            .limit(limit)
        ).all()
        return [
            RoomNotice(r.id, r.title, name, RoomState(r.state), as_utc(r.starts_at), as_utc(at))
            for at, r, name in rows
        ]

    def blobs_in_use(self, digests: Iterable[str]) -> set[str]:
        wanted = list(digests)
        if not wanted:
            return set()
        found = self.s.scalars(select(R.recording_blob).where(R.recording_blob.in_(wanted)))
        return {d for d in found if d is not None}
