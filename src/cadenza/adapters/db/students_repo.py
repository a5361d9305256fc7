"""Student discount requests and the decisions on them. In SQL."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from cadenza.adapters.db.models_billing import (
    StudentVerificationRow,
)
from cadenza.domain.catalog import as_utc
from cadenza.domain.subscriptions import (
    StudentStatus,
)


class SqlStudents:
    def __init__(self, session: Session) -> None:
        self.s = session

    def add_student_request(self, user_id: int, school: str, now: datetime) -> int:
        row = StudentVerificationRow(
            user_id=user_id, school=school, status="pending", requested_at=now
        )
        self.s.add(row)
        self.s.flush()
        return row.id

    def student_requests(self, status: str | None = None) -> list[StudentStatus]:
        query = select(StudentVerificationRow).order_by(StudentVerificationRow.id)
        if status:
            query = query.where(StudentVerificationRow.status == status)
        return [self._student(r) for r in self.s.scalars(query)]

    def student_status(self, user_id: int) -> StudentStatus | None:
        row = self.s.scalar(
            select(StudentVerificationRow)
            .where(StudentVerificationRow.user_id == user_id)
            .order_by(StudentVerificationRow.id.desc())
        )
        return self._student(row) if row else None

    def student_approval(self, user_id: int) -> StudentStatus | None:
        """The latest approved request (a newer pending one does not undo it)."""
        row = self.s.scalar(
            select(StudentVerificationRow)
            .where(
                StudentVerificationRow.user_id == user_id,
                StudentVerificationRow.status == "approved",
            )
            .order_by(StudentVerificationRow.id.desc())
        )
        return self._student(row) if row else None

    def student_request(self, request_id: int) -> StudentStatus | None:
        row = self.s.get(StudentVerificationRow, request_id)
        return self._student(row) if row else None

    def decide_student(
        self, request_id: int, status: str, now: datetime, valid_until: datetime | None
    ) -> None:
        self.s.execute(
            update(StudentVerificationRow)
            .where(StudentVerificationRow.id == request_id)
            .values(status=status, decided_at=now, valid_until=valid_until)
        )

    def _student(self, row: StudentVerificationRow) -> StudentStatus:
        first = self.s.scalar(
            select(func.min(StudentVerificationRow.decided_at)).where(
                StudentVerificationRow.user_id == row.user_id,
                StudentVerificationRow.status == "approved",
            )
        )
        return StudentStatus(
            id=row.id,
            user_id=row.user_id,
            school=row.school,
            status=row.status,
            requested_at=as_utc(row.requested_at),
            valid_until=as_utc(row.valid_until) if row.valid_until else None,
            first_approved_at=as_utc(first) if first else None,
        )
