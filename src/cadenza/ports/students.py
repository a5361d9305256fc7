"""Student verification."""

from __future__ import annotations

from typing import Protocol

from cadenza.domain.subscriptions import StudentStatus


class StudentVerifier(Protocol):
    """Who confirms that a listener studies. The default is an admin approval queue; a school
    directory or a verification service can stand in its place."""

    def submit(self, account_id: int, school: str) -> StudentStatus: ...

    def status(self, account_id: int) -> StudentStatus | None: ...
