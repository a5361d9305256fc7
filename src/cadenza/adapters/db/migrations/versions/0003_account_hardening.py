"""account hardening: mail queue, refresh token history, credentials versions, spent
challenges, artist links

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 22:30:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('mail_queue',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('recipient', sa.String(length=254), nullable=False),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('html', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('claimed_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.String(length=500), nullable=True),
    sa.Column('failed_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('mail_queue', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mail_queue_next_attempt_at'), ['next_attempt_at'], unique=False)

    op.create_table('spent_challenges',
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('spent_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('digest')
    )
    with op.batch_alter_table('spent_challenges', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_spent_challenges_spent_at'), ['spent_at'], unique=False)

    op.create_table('account_artists',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('artist_id', sa.Integer(), nullable=False),
    sa.Column('linked_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['artist_id'], ['artists.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'artist_id')
    )
    with op.batch_alter_table('account_artists', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_account_artists_artist_id'), ['artist_id'], unique=False)

    op.create_table('refresh_tokens',
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['session_id'], ['sessions.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('token_hash')
    )
    with op.batch_alter_table('refresh_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_refresh_tokens_session_id'), ['session_id'], unique=False)

    # The history starts with what 0002 kept: each session's live and previous token.
    op.execute(
        "INSERT INTO refresh_tokens (token_hash, session_id, issued_at) "
        "SELECT refresh_hash, id, last_used FROM sessions"
    )
    op.execute(
        "INSERT INTO refresh_tokens (token_hash, session_id, issued_at) "
        "SELECT previous_hash, id, created_at FROM sessions WHERE previous_hash IS NOT NULL"
    )

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('credentials_version', sa.Integer(), server_default='0', nullable=False))

    # recreate='never': SQLite (3.35+) drops the column in place. Rebuilding the table would
    # drop it first, and the cascade would empty refresh_tokens.
    with op.batch_alter_table('sessions', schema=None, recreate='never') as batch_op:
        batch_op.add_column(sa.Column('credentials_version', sa.Integer(), server_default='0', nullable=False))
        batch_op.drop_index('ix_sessions_previous_hash')
        batch_op.drop_column('previous_hash')


def downgrade() -> None:
    with op.batch_alter_table('sessions', schema=None, recreate='never') as batch_op:
        batch_op.add_column(sa.Column('previous_hash', sa.String(length=64), nullable=True))
        batch_op.create_index('ix_sessions_previous_hash', ['previous_hash'], unique=False)
        batch_op.drop_column('credentials_version')

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('credentials_version')

    op.drop_table('refresh_tokens')
    op.drop_table('account_artists')
    op.drop_table('spent_challenges')
    op.drop_table('mail_queue')
