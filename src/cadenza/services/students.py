"""Student status for Premium Student: asked by the listener, approved by an admin (the default
`StudentVerifier`), valid 12 months at a time, for at most four years."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from cadenza.domain.accounts import AuditEvent
from cadenza.domain.errors import Conflict, Forbidden, InvalidRequest, NotFound
from cadenza.domain.plans import STUDENT_MAX_YEARS, STUDENT_VERIFICATION_VALID
from cadenza.domain.subscriptions import StudentStatus, student_years_left
from cadenza.ports.clock import Clock
from cadenza.ports.unit_of_work import UnitOfWork

RENEW_WITHIN = timedelta(days=30)  # a student may ask to renew this long before expiry


class AdminApprovalQueue:
    def __init__(self, uow: Callable[[], UnitOfWork], clock: Clock) -> None:
        self.uow, self.clock = uow, clock

    # -- the StudentVerifier port --------------------------------------------------------
    def submit(self, account_id: int, school: str) -> StudentStatus:
        school = " ".join(school.split())
        if not school:
            raise InvalidRequest("name your school or university", code="invalid_school")
        now = self.clock.now()
        with self.uow() as uow:
            current = uow.students.student_status(account_id)
            if current is not None and current.status == "pending":
                raise Conflict("your request waits for review", code="student_request_pending")
            approval = uow.students.student_approval(account_id)
            if approval and approval.valid_until and approval.valid_until > now + RENEW_WITHIN:
                raise Conflict(
                    f"your student status is valid until {approval.valid_until.date()}; renew "
                    f"it within {RENEW_WITHIN.days} days of that",
                    code="student_status_valid",
                )
            if current is not None and not student_years_left(current.first_approved_at, now):
                raise Forbidden(
                    f"Premium Student lasts at most {STUDENT_MAX_YEARS} years",
                    code="student_limit_reached",
                )
            request_id = uow.students.add_student_request(account_id, school, now)
            uow.audit.add(account_id, AuditEvent("student_status_requested", now, None, None))
            uow.commit()
            found = uow.students.student_request(request_id)
        assert found is not None
        return found

    def status(self, account_id: int) -> StudentStatus | None:
        """A valid approval stands while a renewal request waits; otherwise the latest request."""
        now = self.clock.now()
        with self.uow() as uow:
            approval = uow.students.student_approval(account_id)
            if approval and approval.valid_until and approval.valid_until > now:
                return approval
            return uow.students.student_status(account_id)

    # -- for admins ----------------------------------------------------------------------
    def queue(self, status: str | None = "pending") -> list[StudentStatus]:
        with self.uow() as uow:
            return uow.students.student_requests(status)

    def decide(self, request_id: int, *, approve: bool) -> StudentStatus:
        now = self.clock.now()
        with self.uow() as uow:
            request = uow.students.student_request(request_id)
            if request is None or request.status != "pending":
                raise NotFound("no such pending request", code="student_request_not_found")
            if approve and not student_years_left(request.first_approved_at, now):
                raise Forbidden(
                    f"Premium Student lasts at most {STUDENT_MAX_YEARS} years",
                    code="student_limit_reached",
                )
            current = uow.students.student_approval(request.user_id)
            base = now
            if current is not None and current.valid_until and current.valid_until > now:
                base = current.valid_until  # renewed early: the new year follows the old one
            valid_until = base + STUDENT_VERIFICATION_VALID if approve else None
            decision = "approved" if approve else "rejected"
            uow.students.decide_student(request_id, decision, now, valid_until)
            uow.audit.add(
                request.user_id, AuditEvent(f"student_status_{decision}", now, None, None)
            )
            uow.commit()
            found = uow.students.student_request(request_id)
        assert found is not None
        return found
