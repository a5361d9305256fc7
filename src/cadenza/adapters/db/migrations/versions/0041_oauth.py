"""OAuth 2.0 for third-party apps (registered apps, consents, codes, tokens, device codes) and
sign-in with an external OpenID provider

Revision ID: 0041
Revises: 0040
Create Date: 2026-12-07 11:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0041'
down_revision = '0040'
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def _user(nullable: bool = False) -> sa.Column:
    return sa.Column(
        'account_id', sa.Integer(), sa.ForeignKey('users.id', ondelete='CASCADE'),
        nullable=nullable,
    )


def _app() -> sa.Column:
    return sa.Column(
        'app_id', sa.Integer(), sa.ForeignKey('oauth_apps.id', ondelete='CASCADE'),
        nullable=False,
    )


def upgrade() -> None:
    op.create_table(
        'oauth_apps',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column(
            'owner_id', sa.Integer(), sa.ForeignKey('users.id', ondelete='CASCADE'),
            nullable=False,
        ),
        sa.Column('name', sa.String(length=64), nullable=False),
        sa.Column('description', sa.String(length=300), nullable=False),
        sa.Column('client_id', sa.String(length=40), nullable=False, unique=True),
        sa.Column('secret_hash', sa.String(length=64), nullable=False),
        sa.Column('redirect_uris', sa.JSON(), nullable=False),
        sa.Column('created_at', TZ, nullable=False),
        sa.Column('secret_rotated_at', TZ, nullable=False),
    )
    op.create_index('ix_oauth_apps_owner_id', 'oauth_apps', ['owner_id'])
    op.create_table(
        'oauth_consents',
        sa.Column('id', sa.Integer(), primary_key=True),
        _user(),
        _app(),
        sa.Column('scopes', sa.JSON(), nullable=False),
        sa.Column('granted_at', TZ, nullable=False),
        sa.Column('last_used', TZ, nullable=True),
        sa.UniqueConstraint('account_id', 'app_id', name='uq_oauth_consents'),
    )
    op.create_index('ix_oauth_consents_app_id', 'oauth_consents', ['app_id'])
    op.create_table(
        'oauth_codes',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('code_hash', sa.String(length=64), nullable=False, unique=True),
        _app(),
        _user(),
        sa.Column('redirect_uri', sa.String(length=512), nullable=True),
        sa.Column('scope', sa.String(length=1000), nullable=False),
        sa.Column('code_challenge', sa.String(length=128), nullable=True),
        sa.Column('code_challenge_method', sa.String(length=10), nullable=True),
        sa.Column('family', sa.String(length=64), nullable=False),
        sa.Column('expires_at', TZ, nullable=False),
        sa.Column('used_at', TZ, nullable=True),
    )
    op.create_index('ix_oauth_codes_app_id', 'oauth_codes', ['app_id'])
    op.create_index('ix_oauth_codes_account_id', 'oauth_codes', ['account_id'])
    op.create_table(
        'oauth_tokens',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('access_hash', sa.String(length=64), nullable=False, unique=True),
        sa.Column('refresh_hash', sa.String(length=64), nullable=True, unique=True),
        _app(),
        _user(nullable=True),
        sa.Column('scope', sa.String(length=1000), nullable=False),
        sa.Column('family', sa.String(length=64), nullable=False),
        sa.Column('issued_at', TZ, nullable=False),
        sa.Column('access_expires_at', TZ, nullable=False),
        sa.Column('refresh_expires_at', TZ, nullable=True),
        sa.Column('refresh_used_at', TZ, nullable=True),
        sa.Column('revoked_at', TZ, nullable=True),
    )
    op.create_index('ix_oauth_tokens_app_id', 'oauth_tokens', ['app_id'])
    op.create_index('ix_oauth_tokens_account_id', 'oauth_tokens', ['account_id'])
    op.create_index('ix_oauth_tokens_family', 'oauth_tokens', ['family'])
    op.create_index('ix_oauth_tokens_access_expires_at', 'oauth_tokens', ['access_expires_at'])
    op.create_table(
        'oauth_device_codes',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('device_hash', sa.String(length=64), nullable=False, unique=True),
        sa.Column('user_code_hash', sa.String(length=64), nullable=False, unique=True),
        _app(),
        sa.Column('scope', sa.String(length=1000), nullable=False),
        sa.Column('expires_at', TZ, nullable=False),
        _user(nullable=True),
        sa.Column('decision', sa.String(length=10), nullable=True),
        sa.Column('last_poll_at', TZ, nullable=True),
        sa.Column('used_at', TZ, nullable=True),
    )
    op.create_index('ix_oauth_device_codes_app_id', 'oauth_device_codes', ['app_id'])
    op.create_index('ix_oauth_device_codes_expires_at', 'oauth_device_codes', ['expires_at'])
    op.create_index('ix_oauth_device_codes_account_id', 'oauth_device_codes', ['account_id'])
    op.create_table(
        'external_identities',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('provider', sa.String(length=40), nullable=False),
        sa.Column('subject', sa.String(length=255), nullable=False),
        _user(),
        sa.Column('email', sa.String(length=254), nullable=True),
        sa.Column('linked_at', TZ, nullable=False),
        sa.UniqueConstraint('provider', 'subject', name='uq_external_identities'),
    )
    op.create_index('ix_external_identities_account_id', 'external_identities', ['account_id'])
    op.create_table(
        'external_sign_ins',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('kind', sa.String(length=10), nullable=False),
        sa.Column('key_hash', sa.String(length=64), nullable=False, unique=True),
        sa.Column('provider', sa.String(length=40), nullable=False),
        sa.Column('data', sa.JSON(), nullable=False),
        sa.Column('expires_at', TZ, nullable=False),
    )
    op.create_index('ix_external_sign_ins_expires_at', 'external_sign_ins', ['expires_at'])


def downgrade() -> None:
    for table in (
        'external_sign_ins', 'external_identities', 'oauth_device_codes', 'oauth_tokens',
        'oauth_codes', 'oauth_consents', 'oauth_apps',
    ):
        op.drop_table(table)
