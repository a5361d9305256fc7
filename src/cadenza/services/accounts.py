"""Sign-up, e-mail verification, profiles, and the operator's account commands."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from cadenza.domain.accounts import VERIFY_LINK_TTL, Account, AuditEvent, Role, old_enough
from cadenza.domain.artist_stats import clean_city, clean_gender
from cadenza.domain.catalog import ArtistRef
from cadenza.domain.errors import InvalidRequest, NotFound
from cadenza.domain.events import AccountClosing
from cadenza.domain.mail import Email, normalise_email
from cadenza.domain.territories import ISO_COUNTRIES
from cadenza.domain.time_zones import valid_time_zone
from cadenza.ports.clock import Clock
from cadenza.ports.passwords import PasswordHasher
from cadenza.ports.unit_of_work import UnitOfWork
from cadenza.services.access_tokens import new_secret_token, token_hash
from cadenza.services.messagebus import Publish, unheard
from cadenza.services.reentry import PasswordReentry

PasswordRules = Callable[[str, str, str], None]  # (password, email, display name): raises
ExportPart = Callable[[int], dict[str, object]]  # an account's data held by another service


@dataclass(frozen=True)
class SignUp:
    email: str
    password: str
    display_name: str
    country: str
    birth_date: date


class AccountService:
    def __init__(
        self,
        uow: Callable[[], UnitOfWork],
        hasher: PasswordHasher,
        clock: Clock,
        password_rules: PasswordRules,
        public_url: str,
        reentry: PasswordReentry,
        export_parts: Sequence[ExportPart] = (),
        publish: Publish = unheard,
    ) -> None:
        self.uow, self.hasher, self.clock = uow, hasher, clock
        self.password_rules, self.reentry = password_rules, reentry
        self.public_url = public_url.rstrip("/")
        # Other services' parts of "download my data" (plan and invoices, listening, ads...).
        self.export_parts = tuple(export_parts)
        self.publish = publish  # `AccountClosing` before an account goes

    def sign_up(self, cmd: SignUp, ip: str | None) -> None:
        """Answers the same whether or not the address has an account: its owner gets a mail
        either way (a verification link, or a note that they already have an account), queued
        in the same transaction, so the answer never waits on the mail server."""
        email = normalise_email(cmd.email)
        self._check_profile(cmd.display_name, cmd.country, cmd.birth_date)
        self.password_rules(cmd.password, email, cmd.display_name)
        password_hash = self.hasher.hash(cmd.password)  # the same work in both branches
        now = self.clock.now()
        with self.uow() as uow:
            # Adding first (not looking first): a sign-up racing another for the same address
            # finds it taken here, and takes the already-registered branch like any other.
            account_id = uow.accounts.add(
                email, password_hash, cmd.display_name.strip(), cmd.country.upper(), cmd.birth_date
            )
            if account_id is None:
                existing = uow.accounts.id_by_email(email)
                if existing is not None:
                    uow.audit.add(existing, self._event("signup_attempt_existing", ip))
                uow.mail.add(self._already_registered(email), now)
            else:
                link = self._new_token(uow, account_id, "verify_email")
                uow.audit.add(account_id, self._event("signed_up", ip))
                uow.mail.add(
                    Email(
                        to=email,
                        subject="Confirm your Cadenza account",
                        text="Welcome to Cadenza. Confirm your address:\n"
                        f"{self.public_url}/verify-email?token={link}\n",
                    ),
                    now,
                )
            uow.commit()

    def verify_email(self, token: str) -> Account:
        now = self.clock.now()
        with self.uow() as uow:
            spent = uow.tokens.use_token("verify_email", token_hash(token), now)
            if spent is None:
                raise InvalidRequest("this link is not valid or has expired", code="invalid_link")
            account_id, _ = spent
            uow.accounts.mark_verified(account_id, now)
            uow.audit.add(account_id, self._event("email_verified", None))
            uow.commit()
        return self.profile(account_id)

    def profile(self, account_id: int) -> Account:
        with self.uow() as uow:
            account = uow.accounts.get(account_id)
        if account is None:
            raise NotFound("no such account")
        return account

    def set_time_zone(self, account_id: int, zone: str) -> Account:
        """Save the listener's IANA time zone (the web player sends the browser's)."""
        checked = valid_time_zone(zone)
        with self.uow() as uow:
            if uow.accounts.get(account_id) is None:
                raise NotFound("no such account")
            uow.accounts.set_time_zone(account_id, checked)
            uow.commit()
        return self.profile(account_id)

    def set_audience_profile(self, account_id: int, changes: dict[str, str | None]) -> Account:
        """Set or clear (None) the listener's optional city and gender; a field not in
        `changes` stays as it is. Artists see them only in aggregate, in buckets of several
        listeners."""
        current = self.profile(account_id)
        city = clean_city(changes["city"]) if "city" in changes else current.city
        gender = clean_gender(changes["gender"]) if "gender" in changes else current.gender
        with self.uow() as uow:
            uow.accounts.set_audience_profile(account_id, city, gender)
            uow.commit()
        return self.profile(account_id)

    def linked_artists(self, account_id: int) -> list[ArtistRef]:
        """The catalog artists an artist account speaks for."""
        with self.uow() as uow:
            account = uow.accounts.get(account_id)
            if account is None or Role.ARTIST not in account.roles:
                return []
            return uow.artist_links.linked_artists(account_id)

    def security_events(self, account_id: int, limit: int = 100) -> list[AuditEvent]:
        with self.uow() as uow:
            return uow.audit.events(account_id, limit)

    def export(self, account_id: int) -> dict[str, object]:
        """Everything held about the account, for "download my data"."""
        now = self.clock.now()
        with self.uow() as uow:
            account = uow.accounts.get(account_id)
            assert account is not None
            devices, sessions = (
                uow.sessions.devices(account_id),
                uow.sessions.of_account(account_id, now),
            )
            events = uow.audit.events(account_id, 10_000)
        export: dict[str, object] = {
            "exported_at": now.isoformat(),
            "account": {
                "id": account.id,
                "email": account.email,
                "display_name": account.display_name,
                "country": account.country,
                "birth_date": account.birth_date.isoformat(),
                "city": account.city,
                "gender": account.gender,
                "roles": [r.value for r in account.roles],
                "plan": account.plan,
                "email_verified": account.email_verified,
                "two_factor": account.two_factor,
                "created_at": account.created_at.isoformat(),
            },
            "devices": [
                {
                    "name": d.name,
                    "last_country": d.last_country,
                    "last_seen": d.last_seen.isoformat(),
                }
                for d in devices
            ],
            "sessions": [
                {"device": s.device.name, "created_at": s.created_at.isoformat()} for s in sessions
            ],
            "security_events": [
                {"kind": e.kind, "at": e.at.isoformat(), "ip": e.ip, "device": e.device}
                for e in events
            ],
        }
        for part in self.export_parts:
            export |= part(account_id)
        return export

    def delete(self, account_id: int, password: str, ip: str | None) -> None:
        """Deleting an account asks for the password again (counted by the login guard), then
        removes everything held."""
        account = self.reentry.confirm(account_id, password, ip)
        self.publish(AccountClosing(account_id))  # e.g. the plan it pays for ends
        with self.uow() as uow:
            uow.accounts.delete(account_id)
            uow.mail.add(
                Email(
                    to=account.email,
                    subject="Your Cadenza account was deleted",
                    text="Your account and the data we held about it have been deleted.\n",
                ),
                self.clock.now(),
            )
            uow.commit()

    # -- operators -----------------------------------------------------------------------
    def create(
        self,
        email: str,
        password: str,
        *,
        roles: list[Role],
        display_name: str | None = None,
        country: str = "US",
        birth_date: date = date(2000, 1, 1),
    ) -> Account:
        """An account made by an operator: verified at once, no mail. The profile is checked
        as a sign-up's is. It starts on Free; the operator grants a plan with
        `SubscriptionService.grant`."""
        email = normalise_email(email)
        name = display_name or email.split("@")[0]
        self._check_profile(name, country, birth_date)
        self.password_rules(password, email, name)
        with self.uow() as uow:
            account_id = uow.accounts.add(
                email, self.hasher.hash(password), name, country.upper(), birth_date
            )
            if account_id is None:
                raise InvalidRequest(f"{email} already has an account", code="account_exists")
            uow.accounts.set_roles(account_id, sorted({r.value for r in roles} | {"listener"}))
            uow.accounts.mark_verified(account_id, self.clock.now())
            uow.audit.add(account_id, self._event("created_by_operator", None))
            uow.commit()
        return self.profile(account_id)

    def all_accounts(self, limit: int = 1000, offset: int = 0) -> list[Account]:
        with self.uow() as uow:
            return uow.accounts.all(limit, offset)

    # -- helpers -------------------------------------------------------------------------
    def _check_profile(self, display_name: str, country: str, birth_date: date) -> None:
        if not 1 <= len(display_name.strip()) <= 100:
            raise InvalidRequest("a display name of 1 to 100 characters", code="invalid_name")
        if country.upper() not in ISO_COUNTRIES:
            raise InvalidRequest(f"unknown country {country!r}", code="unknown_country")
        if not old_enough(birth_date, self.clock.now().date()):
            raise InvalidRequest("you must be at least 13 to sign up", code="too_young")

    def _new_token(self, uow: UnitOfWork, account_id: int, purpose: str) -> str:
        token = new_secret_token()
        expires = self.clock.now() + VERIFY_LINK_TTL
        uow.tokens.add_token(account_id, purpose, token_hash(token), expires, {})
        return token

    def _already_registered(self, email: str) -> Email:
        return Email(
            to=email,
            subject="You already have a Cadenza account",
            text="Someone (maybe you) tried to sign up with this address, which already has "
            f"an account. To sign in or reset your password: {self.public_url}/login\n",
        )

    def _event(self, kind: str, ip: str | None) -> AuditEvent:
        return AuditEvent(kind=kind, at=self.clock.now(), ip=ip, device=None)
