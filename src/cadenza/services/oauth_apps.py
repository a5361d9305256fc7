"""Apps for the Spotify-shaped API: developers register them (name, redirect URIs, a secret
shown once), listeners see the apps they authorised and revoke them, a TV's code is approved
in the web player, and an app's access token says whom it speaks for."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from cadenza.domain.errors import InvalidRequest, NotFound, TooManyAttempts, Unauthorized
from cadenza.domain.scopes import (
    MAX_APP_NAME,
    MAX_APPS_PER_ACCOUNT,
    MAX_DESCRIPTION,
    MAX_REDIRECT_URIS,
    AppAccess,
    DeviceRecord,
    RegisteredApp,
    TokenHolder,
    normalise_user_code,
    redirect_uri_problem,
)
from cadenza.ports.clock import Clock
from cadenza.ports.unit_of_work import UnitOfWork
from cadenza.services.access_tokens import token_hash

CODE_GUESSES = 10  # wrong device codes an account may type...
CODE_GUESS_WINDOW = timedelta(minutes=15)  # ...in this long


@dataclass(frozen=True)
class AppWithSecret:
    app: RegisteredApp
    client_secret: str  # shown once, never again


@dataclass(frozen=True)
class DeviceRequest:
    """What the /link page shows for a code a device displays."""

    app_name: str
    client_id: str
    scopes: list[str]


class OAuthApps:
    def __init__(self, uow: Callable[[], UnitOfWork], clock: Clock) -> None:
        self.uow, self.clock = uow, clock

    # -- developers ------------------------------------------------------------------------
    def register(
        self, owner_id: int, name: str, description: str, redirect_uris: list[str]
    ) -> AppWithSecret:
        name, description, uris = _checked(name, description, redirect_uris)
        secret = secrets.token_hex(32)
        with self.uow() as uow:
            if uow.oauth.apps.count_apps(owner_id) >= MAX_APPS_PER_ACCOUNT:
                raise InvalidRequest(
                    f"at most {MAX_APPS_PER_ACCOUNT} apps an account: delete one first",
                    code="too_many_apps",
                )
            app = uow.oauth.apps.add_app(
                owner_id,
                name,
                description,
                secrets.token_hex(16),
                token_hash(secret),
                uris,
                self.clock.now(),
            )
            uow.commit()
        return AppWithSecret(app, secret)

    def apps(self, owner_id: int) -> list[RegisteredApp]:
        with self.uow() as uow:
            return uow.oauth.apps.apps_of(owner_id)

    def update(
        self,
        owner_id: int,
        client_id: str,
        name: str | None,
        description: str | None,
        redirect_uris: list[str] | None,
    ) -> RegisteredApp:
        app = self._own(owner_id, client_id)
        checked = _checked(
            app.name if name is None else name,
            app.description if description is None else description,
            app.redirect_uris if redirect_uris is None else redirect_uris,
        )
        with self.uow() as uow:
            uow.oauth.apps.update_app(app.id, *checked)
            uow.commit()
        return self._own(owner_id, client_id)

    def rotate_secret(self, owner_id: int, client_id: str) -> AppWithSecret:
        """A new secret; the old one stops working at once (tokens already issued stay)."""
        app = self._own(owner_id, client_id)
        secret = secrets.token_hex(32)
        with self.uow() as uow:
            uow.oauth.apps.set_secret(app.id, token_hash(secret), self.clock.now())
            uow.commit()
        return AppWithSecret(self._own(owner_id, client_id), secret)

    def delete(self, owner_id: int, client_id: str) -> None:
        """The app, its consents, codes and tokens: every listener's access ends at once."""
        app = self._own(owner_id, client_id)
        with self.uow() as uow:
            uow.oauth.apps.delete_app(app.id)
            uow.commit()

    # -- operators -------------------------------------------------------------------------
    def all_apps(self, limit: int = 10_000) -> list[tuple[RegisteredApp, int]]:
        """Every registered app, with how many listeners it has access to."""
        with self.uow() as uow:
            return uow.oauth.apps.all_apps(limit)

    def remove(self, client_id: str) -> RegisteredApp:
        """An operator removes an app (abuse): every listener's access ends at once."""
        with self.uow() as uow:
            found = uow.oauth.apps.app_by_client_id(client_id[:40])
            if found is None:
                raise NotFound(f"no app {client_id!r}", code="app_not_found")
            uow.oauth.apps.delete_app(found[0].id)
            uow.commit()
        return found[0]

    # -- listeners -------------------------------------------------------------------------
    def with_access(self, account_id: int) -> list[AppAccess]:
        with self.uow() as uow:
            return uow.oauth.grants.consents_of(account_id)

    def revoke(self, account_id: int, client_id: str) -> None:
        """The app loses the listener: its tokens stop working at once, and it must ask
        again."""
        now = self.clock.now()
        with self.uow() as uow:
            found = uow.oauth.apps.app_by_client_id(client_id[:40])
            app_id = found[0].id if found else None
            if app_id is None or not uow.oauth.grants.drop_consent(account_id, app_id):
                raise NotFound("this app has no access to your account", code="app_not_found")
            uow.oauth.tokens.revoke_app_tokens(app_id, account_id, now)
            uow.oauth.grants.drop_pending(account_id, app_id, now)
            uow.commit()

    def device_request(self, account_id: int, user_code: str) -> DeviceRequest:
        record = self._device(account_id, user_code)
        return DeviceRequest(record.app_name, record.client_id, record.scope.split())

    def decide_device(self, account_id: int, user_code: str, approve: bool) -> DeviceRequest:
        record = self._device(account_id, user_code)
        with self.uow() as uow:
            if not uow.oauth.grants.decide_device(
                record.id, account_id, "approved" if approve else "denied"
            ):
                raise InvalidRequest(
                    "this code was answered already; ask the device for a new one",
                    code="device_code_used",
                )
            if approve:
                uow.oauth.grants.save_consent(
                    account_id, record.app_id, record.scope.split(), self.clock.now()
                )
            uow.commit()
        return DeviceRequest(record.app_name, record.client_id, record.scope.split())

    # -- resource server -------------------------------------------------------------------
    def holder(self, access_token: str) -> TokenHolder:
        now = self.clock.now()
        with self.uow() as uow:
            found = uow.oauth.tokens.holder(token_hash(access_token), now)
        if found is None:
            raise Unauthorized(
                "the access token is not valid, has expired or was revoked",
                code="invalid_token",
            )
        return found

    def export(self, account_id: int) -> dict[str, object]:
        """The account's part of "download my data": its apps, and the apps it authorised."""
        return {
            "registered_apps": [
                {
                    "client_id": a.client_id,
                    "name": a.name,
                    "description": a.description,
                    "redirect_uris": a.redirect_uris,
                    "created_at": a.created_at.isoformat(),
                }
                for a in self.apps(account_id)
            ],
            "authorized_apps": [
                {
                    "client_id": a.client_id,
                    "name": a.app_name,
                    "scopes": a.scopes,
                    "granted_at": a.granted_at.isoformat(),
                }
                for a in self.with_access(account_id)
            ],
        }

    def prune(self) -> int:
        now = self.clock.now()
        with self.uow() as uow:
            done = uow.oauth.grants.prune_grants(now) + uow.oauth.tokens.prune_tokens(now)
            done += uow.oauth.identities.prune_steps(now)
            uow.commit()
        return done

    # -- helpers ---------------------------------------------------------------------------
    def _own(self, owner_id: int, client_id: str) -> RegisteredApp:
        with self.uow() as uow:
            found = uow.oauth.apps.app_by_client_id(client_id[:40])
        if found is None or found[0].owner_id != owner_id:
            # Someone else's app answers as a missing one: ids are not to be probed.
            raise NotFound("no such app", code="app_not_found")
        return found[0]

    def _device(self, account_id: int, user_code: str) -> DeviceRecord:
        """The pending request behind a code a signed-in listener typed. Wrong codes count
        against the account: past CODE_GUESSES in CODE_GUESS_WINDOW it waits (429), so nobody
        can try codes until one belongs to someone else's device."""
        code = normalise_user_code(user_code[:40])
        now = self.clock.now()
        guesses = f"device-code:{account_id}"
        with self.uow() as uow:
            wrong, last = uow.login_attempts.failures(guesses, now - CODE_GUESS_WINDOW)
            if wrong >= CODE_GUESSES and last is not None:
                raise TooManyAttempts(
                    "too many wrong codes; wait a few minutes, then type the code your device "
                    "shows",
                    retry_after=max(1.0, (last + CODE_GUESS_WINDOW - now).total_seconds()),
                )
            record = uow.oauth.grants.device_by_user_code(token_hash(code)) if code else None
            if record is None or record.used_at is not None or record.expires_at <= now:
                uow.login_attempts.record_failure([guesses], now)
                uow.commit()
                record = None
        if record is None:
            raise NotFound(
                "this code is not right or has expired; check the code on your device",
                code="device_code_not_found",
            )
        if record.decision is not None:
            raise InvalidRequest(
                "this code was answered already; ask the device for a new one",
                code="device_code_used",
            )
        return record


def _checked(name: str, description: str, uris: list[str]) -> tuple[str, str, list[str]]:
    name, description = name.strip(), description.strip()
    if not 1 <= len(name) <= MAX_APP_NAME:
        raise InvalidRequest(f"an app name of 1 to {MAX_APP_NAME} characters", code="invalid_name")
    if len(description) > MAX_DESCRIPTION:
        raise InvalidRequest(
            f"a description of at most {MAX_DESCRIPTION} characters", code="invalid_description"
        )
    if len(uris) > MAX_REDIRECT_URIS:
        raise InvalidRequest(
            f"at most {MAX_REDIRECT_URIS} redirect URIs", code="too_many_redirect_uris"
        )
    cleaned: list[str] = []
    for uri in uris:
        problem = redirect_uri_problem(uri.strip())
        if problem:
            raise InvalidRequest(problem, code="invalid_redirect_uri")
        if uri.strip() not in cleaned:
            cleaned.append(uri.strip())
    return name, description, cleaned
