"""The password asked again of a signed-in user before a grave change (a new password, deleting
the account, two-factor on or off). The login guard counts a wrong one like a failed login."""

from __future__ import annotations

from collections.abc import Callable

from cadenza.domain.accounts import Account
from cadenza.ports.accounts import Credentials
from cadenza.ports.passwords import PasswordHasher
from cadenza.ports.unit_of_work import UnitOfWork
from cadenza.services.login_guard import LoginGuard


class PasswordReentry:
    def __init__(
        self, uow: Callable[[], UnitOfWork], hasher: PasswordHasher, guard: LoginGuard
    ) -> None:
        self.uow, self.hasher, self.guard = uow, hasher, guard

    def confirm(
        self,
        account_id: int,
        password: str,
        ip: str | None,
        *,
        message: str = "the password is not right",
        and_also: Callable[[Credentials], bool] | None = None,
    ) -> Account:
        """The account, once the password (and `and_also`, say a second factor) is right;
        otherwise 401 `invalid_credentials` with `message`, or 429 past the limits."""
        with self.uow() as uow:
            creds, account = uow.accounts.credentials(account_id), uow.accounts.get(account_id)
        assert creds is not None and account is not None

        def right() -> bool:
            if not self.hasher.verify(creds.password_hash, password):
                return False
            return and_also is None or and_also(creds)

        self.guard.check_reentry(account.email, ip, right, message)
        return account
