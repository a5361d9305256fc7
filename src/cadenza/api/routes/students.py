"""Student status: the listener asks, an admin approves or rejects (the default verifier)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from cadenza.api.deps import AdminSession, CurrentSession, Id, StudentsDep
from cadenza.api.request_body import RequestBody
from cadenza.domain.errors import NotFound
from cadenza.domain.subscriptions import StudentStatus

router = APIRouter(prefix="/api/v1", tags=["plans"])


class StudentIn(RequestBody):
    school: str = Field(min_length=2, max_length=200)


class StudentOut(BaseModel):
    id: int
    account_id: int
    school: str
    status: str
    requested_at: datetime
    valid_until: datetime | None
    first_approved_at: datetime | None

    @classmethod
    def of(cls, s: StudentStatus) -> StudentOut:
        return cls(
            id=s.id,
            account_id=s.user_id,
            school=s.school,
            status=s.status,
            requested_at=s.requested_at,
            valid_until=s.valid_until,
            first_approved_at=s.first_approved_at,
        )


@router.post("/me/student", response_model=StudentOut, status_code=202)
def ask(body: StudentIn, session: CurrentSession, students: StudentsDep) -> StudentOut:
    """Ask for student status (for Premium Student); renewed every 12 months, 4 years at most."""
    return StudentOut.of(students.submit(session.account_id, body.school))


@router.get("/me/student", response_model=StudentOut)
def mine(session: CurrentSession, students: StudentsDep) -> StudentOut:
    found = students.status(session.account_id)
    if found is None:
        raise NotFound("no student status asked for", code="no_student_status")
    return StudentOut.of(found)


@router.get("/admin/students", response_model=list[StudentOut])
def queue(
    _: AdminSession,
    students: StudentsDep,
    status: Annotated[Literal["pending", "approved", "rejected"] | None, Query()] = "pending",
) -> list[StudentOut]:
    return [StudentOut.of(s) for s in students.queue(status)]


@router.post("/admin/students/{request_id}/approve", response_model=StudentOut)
def approve(request_id: Id, _: AdminSession, students: StudentsDep) -> StudentOut:
    return StudentOut.of(students.decide(request_id, approve=True))


@router.post("/admin/students/{request_id}/reject", response_model=StudentOut)
def reject(request_id: Id, _: AdminSession, students: StudentsDep) -> StudentOut:
    return StudentOut.of(students.decide(request_id, approve=False))
