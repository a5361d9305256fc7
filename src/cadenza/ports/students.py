"""Student discounts: who verifies a student, and the requests and decisions kept."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from cadenza.domain.subscriptions import StudentStatus


class StudentVerifier(Protocol):
    """Who confirms that a listener studies. The default is an admin approval queue; a school
    directory or a verification service can stand in its place."""

    def submit(self, account_id: int, school: str) -> StudentStatus: ...

    def status(self, account_id: int) -> StudentStatus | None: ...


class StudentRepository(Protocol):
    """Student discount requests and the decisions on them."""

    def add_student_request(self, user_id: int, school: str, now: datetime) -> int: ...

    def student_requests(self, status: str | None = None) -> list[StudentStatus]: ...

    def student_status(self, user_id: int) -> StudentStatus | None: ...

    def student_approval(self, user_id: int) -> StudentStatus | None: ...

    def student_request(self, request_id: int) -> StudentStatus | None: ...

    def decide_student(
        self, request_id: int, status: str, now: datetime, valid_until: datetime | None
    ) -> None: ...
