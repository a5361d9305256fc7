"""What an admin (over HTTP) or the operator (on the command line) may do to accounts. Every
change is written to the account's security events, naming who made it; an admin's own log
records what they did and looked at."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from cadenza.domain.accounts import Account, AuditEvent, Role
from cadenza.domain.catalog import ArtistRef
from cadenza.domain.errors import Forbidden, InvalidRequest, NotFound
from cadenza.domain.mail import normalise_email
from cadenza.ports.clock import Clock
from cadenza.ports.unit_of_work import UnitOfWork

AccountView = tuple[Account, list[ArtistRef]]
OPERATOR = None  # the actor of a command-line change: whoever runs the server


class AccountAdmin:
    def __init__(self, uow: Callable[[], UnitOfWork], clock: Clock) -> None:
        self.uow, self.clock = uow, clock

    def require_admin(self, account_id: int) -> None:
        with self.uow() as uow:
            account = uow.accounts.get(account_id)
        if account is None or Role.ADMIN not in account.roles:
            raise Forbidden("this needs an admin account", code="admin_only")

    def id_of(self, email: str) -> int:
        with self.uow() as uow:
            account_id = uow.accounts.id_by_email(normalise_email(email))
        if account_id is None:
            raise NotFound(f"no account for {email}")
        return account_id

    def search(self, actor: int, query: str | None, limit: int, offset: int) -> list[Account]:
        with self.uow() as uow:
            found = uow.accounts.search(query, limit, offset)
            self._record(uow, actor, None, "admin_listed_users", {"query": (query or "")[:100]})
            uow.commit()
        return found

    def user(self, actor: int | None, account_id: int) -> AccountView:
        with self.uow() as uow:
            self._record(uow, actor, account_id, "admin_viewed_user")
            view = self._view(uow, account_id)
            uow.commit()
        return view

    def security_events(self, actor: int, account_id: int, limit: int) -> list[AuditEvent]:
        with self.uow() as uow:
            self._get(uow, account_id)
            events = uow.audit.events(account_id, limit)
            self._record(uow, actor, account_id, "admin_read_security_events")
            uow.commit()
        return events

    def disable(self, actor: int | None, account_id: int) -> AccountView:
        """Disabled: every session and API key ends, and logins fail as wrong passwords do."""
        if actor == account_id:
            raise InvalidRequest("you cannot disable your own account", code="own_account")
        now = self.clock.now()
        with self.uow() as uow:
            self._get(uow, account_id)
            uow.accounts.set_disabled(account_id, now)
            uow.accounts.bump_credentials(account_id)
            uow.sessions.revoke_sessions(account_id, now)
            uow.api_keys.revoke_api_keys(account_id, now)
            self._record(uow, actor, account_id, "disabled")
            view = self._view(uow, account_id)
            uow.commit()
        return view

    def enable(self, actor: int | None, account_id: int) -> AccountView:
        with self.uow() as uow:
            self._get(uow, account_id)
            uow.accounts.set_disabled(account_id, None)
            self._record(uow, actor, account_id, "enabled")
            view = self._view(uow, account_id)
            uow.commit()
        return view

    def reset_two_factor(self, actor: int | None, account_id: int) -> AccountView:
        """For an owner who lost both the authenticator and the recovery codes."""
        with self.uow() as uow:
            self._get(uow, account_id)
            uow.two_factor.set_two_factor(account_id, None, None)
            self._record(uow, actor, account_id, "two_factor_reset")
            view = self._view(uow, account_id)
            uow.commit()
        return view

    def set_roles(self, actor: int | None, account_id: int, roles: list[Role]) -> AccountView:
        """Every account is a listener; an account that stops being an artist loses its
        artist profiles."""
        chosen = sorted({r.value for r in roles} | {Role.LISTENER.value})
        if actor == account_id and Role.ADMIN.value not in chosen:
            raise InvalidRequest("you cannot take away your own admin role", code="own_account")
        with self.uow() as uow:
            self._get(uow, account_id)
            uow.accounts.set_roles(account_id, chosen)
            if Role.ARTIST.value not in chosen:
                uow.artist_links.unlink_all_artists(account_id)
            self._record(uow, actor, account_id, "roles_set", {"roles": ",".join(chosen)})
            view = self._view(uow, account_id)
            uow.commit()
        return view

    def link_artist(self, actor: int | None, account_id: int, artist_id: int) -> list[ArtistRef]:
        with self.uow() as uow:
            account = self._get(uow, account_id)
            if Role.ARTIST not in account.roles:
                raise InvalidRequest(
                    "only an account with the artist role can be linked to an artist",
                    code="not_an_artist",
                )
            if uow.catalog.artist(artist_id) is None:
                raise NotFound(f"no artist {artist_id}")
            if uow.artist_links.link_artist(account_id, artist_id, self.clock.now()):
                self._record(uow, actor, account_id, "artist_linked", {"artist": str(artist_id)})
            artists = uow.artist_links.linked_artists(account_id)
            uow.commit()
        return artists

    def unlink_artist(self, actor: int | None, account_id: int, artist_id: int) -> list[ArtistRef]:
        with self.uow() as uow:
            self._get(uow, account_id)
            if not uow.artist_links.unlink_artist(account_id, artist_id):
                raise NotFound(f"artist {artist_id} is not linked to this account")
            self._record(uow, actor, account_id, "artist_unlinked", {"artist": str(artist_id)})
            artists = uow.artist_links.linked_artists(account_id)
            uow.commit()
        return artists

    def _view(self, uow: UnitOfWork, account_id: int) -> AccountView:
        return self._get(uow, account_id), uow.artist_links.linked_artists(account_id)

    def _get(self, uow: UnitOfWork, account_id: int) -> Account:
        account = uow.accounts.get(account_id)
        if account is None:
            raise NotFound(f"no account {account_id}")
        return account

    def _record(
        self,
        uow: UnitOfWork,
        actor: int | None,
        target: int | None,
        kind: str,
        detail: dict[str, str] | None = None,
    ) -> None:
        record(uow, self.clock.now(), actor, target, kind, detail)


def record(
    uow: UnitOfWork,
    now: datetime,
    actor: int | None,
    target: int | None,
    kind: str,
    detail: dict[str, str] | None = None,
) -> None:
    """On the target's log: what was done and by whom (an admin's id, or the operator).
    On the admin's own log: what they did, to whom."""
    detail = detail or {}
    by = "operator" if actor is OPERATOR else f"admin:{actor}"
    if target is not None and not kind.startswith("admin_"):
        event = AuditEvent(f"{kind}_by_{by.split(':')[0]}", now, None, None, detail | {"by": by})
        uow.audit.add(target, event)
    if actor is not None:
        action = kind if kind.startswith("admin_") else f"admin_{kind}"
        on = {"user": str(target)} if target is not None else {}
        uow.audit.add(actor, AuditEvent(action, now, None, None, detail | on))
