"""SQLAlchemy tables for OAuth 2.0 (registered apps, listeners' consents, authorization codes,
tokens, device codes) and for sign-in with an external OpenID provider. Every code and token is
kept only as its SHA-256 hash."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from cadenza.adapters.db import models_accounts  # noqa: F401  (users, which these point at)
from cadenza.adapters.db.models import Base

USERS = "users.id"
APPS = "oauth_apps.id"


class OAuthAppRow(Base):
    __tablename__ = "oauth_apps"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey(USERS, ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(64))
    description: Mapped[str] = mapped_column(String(300))
    client_id: Mapped[str] = mapped_column(String(40), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    redirect_uris: Mapped[list[str]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    secret_rotated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class OAuthConsentRow(Base):
    """A listener's authorisation of an app: the union of the scopes they approved."""

    __tablename__ = "oauth_consents"
    __table_args__ = (UniqueConstraint("account_id", "app_id", name="uq_oauth_consents"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey(USERS, ondelete="CASCADE"))
    app_id: Mapped[int] = mapped_column(ForeignKey(APPS, ondelete="CASCADE"), index=True)
    scopes: Mapped[list[str]] = mapped_column(JSON)
    granted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_used: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class OAuthCodeRow(Base):
    __tablename__ = "oauth_codes"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    app_id: Mapped[int] = mapped_column(ForeignKey(APPS, ondelete="CASCADE"), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey(USERS, ondelete="CASCADE"), index=True)
    redirect_uri: Mapped[str | None] = mapped_column(String(512))
    scope: Mapped[str] = mapped_column(String(1000))
    code_challenge: Mapped[str | None] = mapped_column(String(128))
    code_challenge_method: Mapped[str | None] = mapped_column(String(10))
    family: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class OAuthTokenRow(Base):
    """One access token and its refresh token. A family is every token descended from one
    approval (a code or a device's code): a replayed code or refresh token revokes it all."""

    __tablename__ = "oauth_tokens"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    access_hash: Mapped[str] = mapped_column(String(64), unique=True)
    refresh_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    app_id: Mapped[int] = mapped_column(ForeignKey(APPS, ondelete="CASCADE"), index=True)
    account_id: Mapped[int | None] = mapped_column(
        ForeignKey(USERS, ondelete="CASCADE"), index=True
    )
    scope: Mapped[str] = mapped_column(String(1000))
    family: Mapped[str] = mapped_column(String(64), index=True)
    issued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    access_expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    refresh_expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    refresh_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class OAuthDeviceCodeRow(Base):
    __tablename__ = "oauth_device_codes"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    device_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    app_id: Mapped[int] = mapped_column(ForeignKey(APPS, ondelete="CASCADE"), index=True)
    scope: Mapped[str] = mapped_column(String(1000))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    account_id: Mapped[int | None] = mapped_column(
        ForeignKey(USERS, ondelete="CASCADE"), index=True
    )
    decision: Mapped[str | None] = mapped_column(String(10))  # approved | denied
    last_poll_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ExternalIdentityRow(Base):
    """An account's identity at an OpenID provider: (provider, subject) signs in as it."""

    __tablename__ = "external_identities"
    __table_args__ = (UniqueConstraint("provider", "subject", name="uq_external_identities"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    provider: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str] = mapped_column(String(255))
    account_id: Mapped[int] = mapped_column(ForeignKey(USERS, ondelete="CASCADE"), index=True)
    email: Mapped[str | None] = mapped_column(String(254))
    linked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ExternalSignInRow(Base):
    """A sign-in under way: `state` (the nonce and PKCE verifier while the browser is at the
    provider) or `link` (a verified identity waiting for the listener to confirm linking)."""

    __tablename__ = "external_sign_ins"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    provider: Mapped[str] = mapped_column(String(40))
    data: Mapped[dict[str, str]] = mapped_column(JSON)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
