"""pruning indexes for sessions and one-time tokens

Revision ID: 0018
Revises: 0014
Create Date: 2026-11-26 04:30:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0018'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_sessions_expires_at', 'sessions', ['expires_at'])
    op.create_index('ix_one_time_tokens_expires_at', 'one_time_tokens', ['expires_at'])


def downgrade() -> None:
    op.drop_index('ix_one_time_tokens_expires_at', 'one_time_tokens')
    op.drop_index('ix_sessions_expires_at', 'sessions')
