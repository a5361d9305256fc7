"""Accounts, devices, sessions, one-time tokens, failed logins and the audit log in SQL."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import Select, delete, func, or_, select, update
from sqlalchemy.orm import Session

from cadenza.adapters.db import playback_reads
from cadenza.adapters.db.inserts import insert_on_conflict
from cadenza.adapters.db.models import ArtistRow
from cadenza.adapters.db.models_accounts import (
    AccountArtistRow,
    ApiKeyRow,
    AuditRow,
    DeviceRow,
    LoginFailureRow,
    OneTimeTokenRow,
    RefreshTokenRow,
    SessionRow,
    SpentChallengeRow,
    SpentStreamTicketRow,
    UserRow,
)
from cadenza.adapters.db.models_billing import MembershipRow, SubscriptionRow
from cadenza.domain.accounts import (
    Account,
    ApiKey,
    AuditEvent,
    Device,
    Role,
    Scope,
    SessionView,
)
from cadenza.domain.catalog import ArtistRef, as_utc
from cadenza.domain.entitlements import Listener
from cadenza.domain.two_factor import RecoveryCodes
from cadenza.ports import Credentials


class SqlAccounts:
    def __init__(self, session: Session) -> None:
        self.s = session

    # -- accounts ------------------------------------------------------------------------
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

    # -- artist profiles -----------------------------------------------------------------
    def link_artist(self, account_id: int, artist_id: int, now: datetime) -> bool:
        added = self.s.execute(
            insert_on_conflict(self.s, AccountArtistRow)
            .values(user_id=account_id, artist_id=artist_id, linked_at=now)
            .on_conflict_do_nothing(index_elements=["user_id", "artist_id"])
            .returning(AccountArtistRow.artist_id)
        ).scalar()
        return added is not None

    def unlink_artist(self, account_id: int, artist_id: int) -> bool:
        done = self.s.execute(
            delete(AccountArtistRow).where(
                AccountArtistRow.user_id == account_id, AccountArtistRow.artist_id == artist_id
            )
        )
        return getattr(done, "rowcount", 0) == 1

    def unlink_all_artists(self, account_id: int) -> None:
        self.s.execute(delete(AccountArtistRow).where(AccountArtistRow.user_id == account_id))

    def linked_artists(self, account_id: int) -> list[ArtistRef]:
        rows = self.s.execute(
            select(ArtistRow.id, ArtistRow.name)
            .join(AccountArtistRow, AccountArtistRow.artist_id == ArtistRow.id)
            .where(AccountArtistRow.user_id == account_id)
            .order_by(ArtistRow.name, ArtistRow.id)
        )
        return [ArtistRef(i, name) for i, name in rows]

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

    def set_totp_step(self, account_id: int, step: int) -> None:
        self._set(account_id, totp_last_step=step)

    def advance_totp_step(self, account_id: int, step: int) -> bool:
        """Accept a TOTP step only if it is newer than the last: one UPDATE, so two requests
        racing with the same code cannot both pass."""
        done = self.s.execute(
            update(UserRow)
            .where(
                UserRow.id == account_id,
                (UserRow.totp_last_step.is_(None)) | (UserRow.totp_last_step < step),
            )
            .values(totp_last_step=step)
        )
        return getattr(done, "rowcount", 0) == 1

    def revoke_api_keys(self, account_id: int, now: datetime) -> None:
        self.s.execute(
            update(ApiKeyRow)
            .where(ApiKeyRow.user_id == account_id, ApiKeyRow.revoked_at.is_(None))
            .values(revoked_at=now)
        )

    def api_key_known(self, key_hash: str) -> bool:
        """Whether this key was ever issued, revoked or not."""
        return self.s.scalar(select(ApiKeyRow.id).where(ApiKeyRow.key_hash == key_hash)) is not None

    def drop_tokens(self, account_id: int, purpose: str) -> None:
        """Cancel every outstanding token of this kind (say, earlier step-up codes)."""
        self.s.execute(
            delete(OneTimeTokenRow).where(
                OneTimeTokenRow.user_id == account_id, OneTimeTokenRow.purpose == purpose
            )
        )

    def set_locked(self, account_id: int, at: datetime | None) -> None:
        self._set(account_id, locked_at=at)

    def pending_totp(self, account_id: int) -> str | None:
        return self.s.scalar(select(UserRow.totp_pending).where(UserRow.id == account_id))

    def set_pending_totp(self, account_id: int, secret: str | None) -> None:
        self._set(account_id, totp_pending=secret)

    def set_two_factor(
        self, account_id: int, secret: str | None, codes: RecoveryCodes | None
    ) -> None:
        self._set(
            account_id,
            totp_secret=secret,
            totp_pending=None,
            totp_last_step=None,
            recovery_codes=_codes_json(codes),
        )

    def recovery_codes(self, account_id: int) -> RecoveryCodes | None:
        raw = self.s.scalar(select(UserRow.recovery_codes).where(UserRow.id == account_id))
        if not raw:
            return None
        return RecoveryCodes(str(raw["salt"]), tuple(str(d) for d in raw["digests"]))  # type: ignore[attr-defined]

    def set_recovery_codes(self, account_id: int, codes: RecoveryCodes) -> None:
        self._set(account_id, recovery_codes=_codes_json(codes))

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

    def devices(self, account_id: int) -> list[Device]:
        rows = self.s.scalars(
            select(DeviceRow).where(DeviceRow.user_id == account_id).order_by(DeviceRow.id)
        )
        return [_device(r) for r in rows]

    # -- API keys ------------------------------------------------------------------------
    def add_api_key(
        self,
        account_id: int,
        name: str,
        prefix: str,
        key_hash: str,
        scopes: list[str],
        now: datetime,
    ) -> int:
        row = ApiKeyRow(
            user_id=account_id,
            name=name,
            prefix=prefix,
            key_hash=key_hash,
            scopes=scopes,
            created_at=now,
        )
        self.s.add(row)
        self.s.flush()
        return row.id

    def api_keys(self, account_id: int) -> list[ApiKey]:
        rows = self.s.scalars(
            select(ApiKeyRow).where(ApiKeyRow.user_id == account_id).order_by(ApiKeyRow.id)
        )
        return [_api_key(r) for r in rows]

    def use_api_key(self, key_hash: str, now: datetime) -> tuple[int, ApiKey] | None:
        row = self.s.scalar(
            select(ApiKeyRow).where(ApiKeyRow.key_hash == key_hash, ApiKeyRow.revoked_at.is_(None))
        )
        if row is None:
            return None
        row.last_used = now
        return row.user_id, _api_key(row)

    def revoke_api_key(self, account_id: int, key_id: int, now: datetime) -> bool:
        done = self.s.execute(
            update(ApiKeyRow)
            .where(
                ApiKeyRow.id == key_id,
                ApiKeyRow.user_id == account_id,
                ApiKeyRow.revoked_at.is_(None),
            )
            .values(revoked_at=now)
        )
        return getattr(done, "rowcount", 0) == 1

    # -- one-time tokens -----------------------------------------------------------------
    def add_token(
        self,
        account_id: int,
        purpose: str,
        token_hash: str,
        expires_at: datetime,
        data: dict[str, str],
    ) -> None:
        self.s.add(
            OneTimeTokenRow(
                user_id=account_id,
                purpose=purpose,
                token_hash=token_hash,
                expires_at=expires_at,
                data=data,
            )
        )
        self.s.flush()

    def use_token(
        self, purpose: str, token_hash: str, now: datetime
    ) -> tuple[int, dict[str, str]] | None:
        # One UPDATE decides: two concurrent uses of one token cannot both succeed.
        spent = self.s.execute(
            update(OneTimeTokenRow)
            .where(
                OneTimeTokenRow.purpose == purpose,
                OneTimeTokenRow.token_hash == token_hash,
                OneTimeTokenRow.used_at.is_(None),
                OneTimeTokenRow.expires_at > now,
            )
            .values(used_at=now)
        )
        if getattr(spent, "rowcount", 0) != 1:
            return None
        row = self.s.scalars(
            select(OneTimeTokenRow).where(OneTimeTokenRow.token_hash == token_hash)
        ).one()
        return row.user_id, dict(row.data)

    # -- devices and sessions ------------------------------------------------------------
    def device(self, account_id: int, device_key: str) -> Device | None:
        row = self.s.scalar(
            select(DeviceRow).where(
                DeviceRow.user_id == account_id, DeviceRow.device_key == device_key
            )
        )
        return _device(row) if row else None

    def save_device(
        self, account_id: int, device_key: str, name: str, country: str | None, now: datetime
    ) -> int:
        # An upsert: two first logins from one device at the same moment both land on one row.
        seen = {"name": name, "last_country": country, "last_seen": now}
        return int(
            self.s.execute(
                insert_on_conflict(self.s, DeviceRow)
                .values(user_id=account_id, device_key=device_key, first_seen=now, **seen)
                .on_conflict_do_update(index_elements=["user_id", "device_key"], set_=seen)
                .returning(DeviceRow.id)
            ).scalar_one()
        )

    def start_session(
        self,
        account_id: int,
        device_id: int,
        refresh_hash: str,
        now: datetime,
        expires_at: datetime,
        credentials_version: int,
    ) -> int:
        row = SessionRow(
            user_id=account_id,
            device_id=device_id,
            refresh_hash=refresh_hash,
            credentials_version=credentials_version,
            created_at=now,
            last_used=now,
            expires_at=expires_at,
        )
        self.s.add(row)
        self.s.flush()
        self.s.add(RefreshTokenRow(token_hash=refresh_hash, session_id=row.id, issued_at=now))
        return row.id

    def rotate(self, refresh_hash: str, new_hash: str, now: datetime) -> tuple[int, int] | None:
        row = self.s.scalar(_live_sessions(now).where(SessionRow.refresh_hash == refresh_hash))
        if row is None:
            return None
        done = self.s.execute(
            update(SessionRow)
            .where(SessionRow.id == row.id, SessionRow.refresh_hash == refresh_hash)
            .values(refresh_hash=new_hash, last_used=now)
        )
        if getattr(done, "rowcount", 0) != 1:  # a concurrent refresh won the race
            return None
        self.s.add(RefreshTokenRow(token_hash=new_hash, session_id=row.id, issued_at=now))
        return row.id, row.user_id

    def session_of_spent_token(self, refresh_hash: str) -> int | None:
        return self.s.scalar(
            select(RefreshTokenRow.session_id)
            .join(SessionRow, SessionRow.id == RefreshTokenRow.session_id)
            .where(
                RefreshTokenRow.token_hash == refresh_hash,
                SessionRow.refresh_hash != refresh_hash,
            )
        )

    def session_rotated_at(self, session_id: int) -> datetime | None:
        found = self.s.scalar(select(SessionRow.last_used).where(SessionRow.id == session_id))
        return as_utc(found) if found is not None else None

    def session_live(self, session_id: int, account_id: int, now: datetime) -> bool:
        return playback_reads.session_live(self.s, session_id, account_id, now)

    def as_listener(self, account_id: int) -> Listener | None:
        return playback_reads.as_listener(self.s, account_id)

    def session_owner(self, session_id: int) -> int | None:
        return self.s.scalar(select(SessionRow.user_id).where(SessionRow.id == session_id))

    def revoke_sessions(self, account_id: int, now: datetime, session_id: int | None = None) -> int:
        query = update(SessionRow).where(
            SessionRow.user_id == account_id, SessionRow.revoked_at.is_(None)
        )
        if session_id is not None:
            query = query.where(SessionRow.id == session_id)
        return int(getattr(self.s.execute(query.values(revoked_at=now)), "rowcount", 0))

    def sessions(self, account_id: int, now: datetime) -> list[SessionView]:
        rows = self.s.execute(
            select(SessionRow, DeviceRow)
            .join(DeviceRow, DeviceRow.id == SessionRow.device_id)
            .where(
                SessionRow.user_id == account_id,
                SessionRow.revoked_at.is_(None),
                SessionRow.expires_at > now,
            )
            .order_by(SessionRow.last_used.desc())
        )
        return [
            SessionView(s.id, _device(d), as_utc(s.created_at), as_utc(s.last_used))
            for s, d in rows
        ]

    def prune_sessions(self, now: datetime) -> tuple[int, int]:
        # Until its session expires, an old refresh token sent again must still be recognised
        # as a replay; after that it is only invalid, and nothing needs to remember it.
        over = select(SessionRow.id).where(SessionRow.expires_at <= now)
        tokens = self.s.execute(delete(RefreshTokenRow).where(RefreshTokenRow.session_id.in_(over)))
        sessions = self.s.execute(delete(SessionRow).where(SessionRow.expires_at <= now))
        return int(getattr(sessions, "rowcount", 0)), int(getattr(tokens, "rowcount", 0))

    def prune_one_time_tokens(self, now: datetime) -> int:
        done = self.s.execute(delete(OneTimeTokenRow).where(OneTimeTokenRow.expires_at <= now))
        return int(getattr(done, "rowcount", 0))

    # -- failed logins and audit ---------------------------------------------------------
    def record_failure(self, keys: list[str], now: datetime) -> list[int]:
        rows = [LoginFailureRow(key=key, at=now) for key in keys]
        self.s.add_all(rows)
        self.s.flush()
        return [r.id for r in rows]

    def forget_failure_ids(self, ids: list[int]) -> None:
        self.s.execute(delete(LoginFailureRow).where(LoginFailureRow.id.in_(ids)))

    def failures(self, key: str, since: datetime) -> tuple[int, datetime | None]:
        count, last = self.s.execute(
            select(func.count(), func.max(LoginFailureRow.at)).where(
                LoginFailureRow.key == key, LoginFailureRow.at > since
            )
        ).one()
        return int(count or 0), as_utc(last) if last is not None else None

    def forget_failures(self, before: datetime) -> None:
        self.s.execute(delete(LoginFailureRow).where(LoginFailureRow.at < before))

    def spend_challenge(self, digest: str, now: datetime, forget_before: datetime) -> bool:
        spent = self.s.execute(
            insert_on_conflict(self.s, SpentChallengeRow)
            .values(digest=digest, spent_at=now)
            .on_conflict_do_nothing(index_elements=["digest"])
            .returning(SpentChallengeRow.digest)
        ).scalar()
        if digest.startswith("0"):  # now and then, forget challenges long expired
            self.s.execute(
                delete(SpentChallengeRow).where(SpentChallengeRow.spent_at < forget_before)
            )
        return spent is not None  # RETURNING: an ORM insert's rowcount is not reliable

    def spend_stream_ticket(self, ticket_id: str, expires_at: datetime, now: datetime) -> bool:
        spent = self.s.execute(
            insert_on_conflict(self.s, SpentStreamTicketRow)
            .values(ticket_id=ticket_id, expires_at=expires_at)
            .on_conflict_do_nothing(index_elements=["ticket_id"])
            .returning(SpentStreamTicketRow.ticket_id)
        ).scalar()
        if ticket_id.startswith("0"):  # now and then, forget tickets that can no longer open
            self.forget_stream_tickets(now)
        return spent is not None

    def forget_stream_tickets(self, now: datetime) -> int:
        done = self.s.execute(
            delete(SpentStreamTicketRow).where(SpentStreamTicketRow.expires_at <= now)
        )
        return int(getattr(done, "rowcount", 0))

    def audit(self, account_id: int, event: AuditEvent) -> None:
        self.s.add(
            AuditRow(
                user_id=account_id,
                kind=event.kind,
                at=event.at,
                ip=event.ip,
                device=event.device,
                detail=event.detail,
            )
        )

    def audit_log(self, account_id: int, limit: int) -> list[AuditEvent]:
        rows = self.s.scalars(
            select(AuditRow)
            .where(AuditRow.user_id == account_id)
            .order_by(AuditRow.id.desc())
            .limit(limit)
        )
        return [AuditEvent(r.kind, as_utc(r.at), r.ip, r.device, dict(r.detail)) for r in rows]


def _live_sessions(now: datetime) -> Select[SessionRow]:
    """Sessions not ended, not expired, and signed in with their account's current credentials
    (a password change, reset, lock or disable raises the account's version)."""
    return (
        select(SessionRow)
        .join(UserRow, UserRow.id == SessionRow.user_id)
        .where(
            SessionRow.revoked_at.is_(None),
            SessionRow.expires_at > now,
            SessionRow.credentials_version == UserRow.credentials_version,
        )
    )


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
    )


def _api_key(row: ApiKeyRow) -> ApiKey:
    return ApiKey(
        id=row.id,
        name=row.name,
        prefix=row.prefix,
        scopes=tuple(Scope(x) for x in row.scopes),
        created_at=as_utc(row.created_at),
        last_used=as_utc(row.last_used) if row.last_used else None,
        revoked=row.revoked_at is not None,
    )


def _codes_json(codes: RecoveryCodes | None) -> dict[str, object] | None:
    return {"salt": codes.salt, "digests": list(codes.digests)} if codes else None


def _device(row: DeviceRow) -> Device:
    return Device(row.id, row.name, row.last_country, as_utc(row.last_seen))
