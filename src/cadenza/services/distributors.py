"""Distributor accounts: who may deliver, with which API keys, as which catalog distributor."""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable
from datetime import date

from cadenza.domain.accounts import Account, ApiKey, AuditEvent, Role, Scope
from cadenza.domain.errors import Forbidden, InvalidRequest, NotFound, Unauthorized
from cadenza.ports.clock import Clock
from cadenza.ports.passwords import PasswordHasher
from cadenza.ports.unit_of_work import UnitOfWork
from cadenza.services.access_tokens import token_hash

KEY_PREFIX = "cdz_"
OPERATOR_ACCOUNT = "distributor@cadenza.localhost"


class DistributorAccess:
    def __init__(
        self,
        uow: Callable[[], UnitOfWork],
        clock: Clock,
        hasher: PasswordHasher,
        operator_key: Callable[[], str],
        operator_name: Callable[[], str],
    ) -> None:
        """`operator_key`: the operator's own key (the setting, or one made on first start);
        it delivers as the distributor `operator_name`. Both are read when needed (settings)."""
        self.uow, self.clock, self.hasher = uow, clock, hasher
        self.operator_key, self.operator_name = operator_key, operator_name

    def create_key(self, account_id: int, name: str, scopes: list[Scope]) -> tuple[ApiKey, str]:
        """A new key, returned in full only now; afterwards only its prefix is shown."""
        if not scopes:
            raise InvalidRequest("give the key at least one scope", code="no_scopes")
        plain = KEY_PREFIX + secrets.token_urlsafe(32)
        with self.uow() as uow:
            self._require_distributor(uow, account_id)
            key_id = uow.api_keys.add_api_key(
                account_id,
                name[:100],
                plain[:12],
                token_hash(plain),
                sorted(s.value for s in scopes),
                self.clock.now(),
            )
            uow.audit.add(
                account_id,
                AuditEvent("api_key_created", self.clock.now(), None, None, {"name": name[:100]}),
            )
            keys = uow.api_keys.of_account(account_id)
            uow.commit()
        return next(k for k in keys if k.id == key_id), plain

    def keys(self, account_id: int) -> list[ApiKey]:
        with self.uow() as uow:
            self._require_distributor(uow, account_id)
            return uow.api_keys.of_account(account_id)

    def revoke(self, account_id: int, key_id: int) -> None:
        with self.uow() as uow:
            if not uow.api_keys.revoke_api_key(account_id, key_id, self.clock.now()):
                raise NotFound(f"no live key {key_id}")
            uow.audit.add(account_id, AuditEvent("api_key_revoked", self.clock.now(), None, None))
            uow.commit()

    def by_key(self, plain: str, scope: Scope) -> int:
        """The catalog distributor a key delivers as, if the key allows `scope`. The operator's
        key is turned into a real distributor account on its first use."""
        try:
            return self._by_key(plain, scope)
        except Unauthorized:
            if not hmac.compare_digest(plain.encode(), self.operator_key().encode()):
                raise
        self.ensure_operator_key(plain)
        return self._by_key(plain, scope)

    def _by_key(self, plain: str, scope: Scope) -> int:
        with self.uow() as uow:
            found = uow.api_keys.use_api_key(token_hash(plain), self.clock.now())
            if found is None:
                raise Unauthorized("the distributor key is not valid", code="bad_distributor_key")
            account_id, key = found
            if scope not in key.scopes:
                raise Forbidden(f"this key may not {scope.value}", code="scope_missing")
            distributor_id = self._distributor(uow, account_id)
            uow.commit()
        return distributor_id

    def by_account(self, account_id: int) -> int:
        with self.uow() as uow:
            distributor_id = self._distributor(uow, account_id)
            uow.commit()
        return distributor_id

    def ensure_operator_key(self, plain: str) -> None:
        """The key from the settings (or made on first start) belongs to a real distributor
        account that delivers as the operator's name: created once, kept in step with the setting."""
        with self.uow() as uow:
            if uow.api_keys.api_key_known(token_hash(plain)):  # live, or revoked on purpose
                return
            account_id = uow.accounts.id_by_email(OPERATOR_ACCOUNT)
            if account_id is None:
                unusable = self.hasher.hash(
                    secrets.token_urlsafe(32)
                )  # signs in only after a reset
                account_id = uow.accounts.add(
                    OPERATOR_ACCOUNT, unusable, self.operator_name()[:100], "US", date(2000, 1, 1)
                ) or uow.accounts.id_by_email(OPERATOR_ACCOUNT)  # or made this very moment
                assert account_id is not None
                uow.accounts.set_roles(account_id, [Role.DISTRIBUTOR.value, Role.LISTENER.value])
                uow.accounts.mark_verified(account_id, self.clock.now())
            uow.api_keys.add_api_key(
                account_id,
                "from CADENZA_DISTRIBUTOR_KEY",
                plain[:4] + "…",
                token_hash(plain),
                [Scope.RELEASES_READ.value, Scope.RELEASES_WRITE.value],
                self.clock.now(),
            )
            uow.supply.distributor_of_account(account_id, self.operator_name())
            uow.commit()

    def _distributor(self, uow: UnitOfWork, account_id: int) -> int:
        account = self._require_distributor(uow, account_id)
        return uow.supply.distributor_of_account(account_id, account.display_name)

    def _require_distributor(self, uow: UnitOfWork, account_id: int) -> Account:
        account = uow.accounts.get(account_id)
        if (
            account is None
            or account.disabled
            or account.locked
            or Role.DISTRIBUTOR not in account.roles
        ):
            raise Forbidden("this needs a distributor account", code="distributor_only")
        return account
