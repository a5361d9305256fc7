"""Accounts in SQL: e-mail, password, roles, plan and state."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session

from cadenza.adapters.db import playback_reads
from cadenza.adapters.db.inserts import insert_on_conflict
from cadenza.adapters.db.models_accounts import SessionRow, UserRow
from cadenza.adapters.db.models_billing import MembershipRow, SubscriptionRow
from cadenza.domain.accounts import Account, Role
from cadenza.domain.catalog import as_utc
from cadenza.domain.entitlements import Listener
from cadenza.ports.accounts import Credentials


class SqlAccounts:
    def __init__(self, session: Session) -> None:
        self.s = session

    def add(
        self, email: str, password_hash: str, display_name: str, country: str, birth_date: date
    ) -> int | None:
        # ON CONFLICT: a sign-up racing another for the same address waits for it, then
        # adds nothing, instead of failing on the unique e-mail.
        added = self.s.execute(
            insert_on_conflict(self.s, UserRow)
            .values(
                email=email.lower(),
                password_hash=password_hash,
                display_name=display_name,
                country=country,
                birth_date=birth_date,
                roles=[Role.LISTENER.value],
                plan="free",
                created_at=datetime.now(UTC),
                credentials_version=0,
            )
            .on_conflict_do_nothing(index_elements=["email"])
            .returning(UserRow.id)
        ).scalar()
        return int(added) if added is not None else None

    def get(self, account_id: int) -> Account | None:
        row = self.s.get(UserRow, account_id)
        return _account(row) if row else None

    def id_by_email(self, email: str) -> int | None:
        return self.s.scalar(select(UserRow.id).where(UserRow.email == email.lower()))

    def all(self, limit: int, offset: int) -> list[Account]:
        return self.search(None, limit, offset)

    def search(self, query: str | None, limit: int, offset: int) -> list[Account]:
        found = select(UserRow).order_by(UserRow.id).limit(limit).offset(offset)
        if query:
            plain = query.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            pattern = f"%{plain}%"
            found = found.where(
                or_(
                    func.lower(UserRow.email).like(pattern, escape="\\"),
                    func.lower(UserRow.display_name).like(pattern, escape="\\"),
                )
            )
        return [_account(r) for r in self.s.scalars(found)]

    def credentials(self, account_id: int) -> Credentials | None:
        row = self.s.get(UserRow, account_id)
        if row is None:
            return None
        return Credentials(
            row.id,
            row.password_hash,
            row.totp_secret,
            row.totp_last_step,
            row.disabled_at is not None,
            row.locked_at is not None,
            row.credentials_version,
        )

    def bump_credentials(self, account_id: int, keep_session: int | None = None) -> None:
        self._set(account_id, credentials_version=UserRow.credentials_version + 1)
        if keep_session is not None:
            current = select(UserRow.credentials_version).where(UserRow.id == account_id)
            self.s.execute(
                update(SessionRow)
                .where(SessionRow.id == keep_session, SessionRow.user_id == account_id)
                .values(credentials_version=current.scalar_subquery())
            )

    def set_password_hash(
        self, account_id: int, password_hash: str, if_version: int | None = None
    ) -> None:
        query = update(UserRow).where(UserRow.id == account_id)
        if if_version is not None:
            query = query.where(UserRow.credentials_version == if_version)
        self.s.execute(query.values(password_hash=password_hash))

    def mark_verified(self, account_id: int, at: datetime) -> None:
        self._set(account_id, email_verified_at=at)

    def set_disabled(self, account_id: int, at: datetime | None) -> None:
        self._set(account_id, disabled_at=at)

    def set_roles(self, account_id: int, roles: list[str]) -> None:
        self._set(account_id, roles=roles)

    def set_plan(self, account_id: int, plan: str) -> None:
        self._set(account_id, plan=plan)

    def set_locked(self, account_id: int, at: datetime | None) -> None:
        self._set(account_id, locked_at=at)

    def set_time_zone(self, account_id: int, zone: str) -> None:
        self._set(account_id, time_zone=zone)

    def set_audience_profile(self, account_id: int, city: str | None, gender: str | None) -> None:
        self._set(account_id, city=city, gender=gender)

    def _set(self, account_id: int, **values: object) -> None:
        self.s.execute(update(UserRow).where(UserRow.id == account_id).values(**values))

    def delete(self, account_id: int) -> None:
        """The account and, by cascade, its devices, sessions, tokens, audit log and the
        subscriptions it paid for: whoever listened on those goes back to Free first."""
        paid = select(SubscriptionRow.id).where(SubscriptionRow.payer_id == account_id)
        members = select(MembershipRow.user_id).where(MembershipRow.subscription_id.in_(paid))
        self.s.execute(update(UserRow).where(UserRow.id.in_(members)).values(plan="free"))
        joined = select(MembershipRow.subscription_id).where(
            MembershipRow.user_id == account_id, MembershipRow.manager.is_(False)
        )
        self.s.execute(  # a member leaving this way frees the place
            update(SubscriptionRow)
            .where(SubscriptionRow.id.in_(joined))
            .values(members=SubscriptionRow.members - 1)
        )
        self.s.execute(delete(UserRow).where(UserRow.id == account_id))

    def as_listener(self, account_id: int) -> Listener | None:
        return playback_reads.as_listener(self.s, account_id)


def _account(row: UserRow) -> Account:
    return Account(
        id=row.id,
        email=row.email,
        display_name=row.display_name,
        country=row.country,
        birth_date=row.birth_date,
        roles=tuple(Role(r) for r in row.roles),
        plan=row.plan,
        email_verified=row.email_verified_at is not None,
        two_factor=row.totp_secret is not None,
        disabled=row.disabled_at is not None,
        locked=row.locked_at is not None,
        created_at=as_utc(row.created_at),
        time_zone=row.time_zone or "UTC",
        city=row.city,
        gender=row.gender,
    )
