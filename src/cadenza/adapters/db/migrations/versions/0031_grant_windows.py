"""grant_windows: the stream grants issued, one row per account, device and track while they
are renewed without a gap, with the audio Cadenza sent for them (trusted stream counts)

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-07 05:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0031'
down_revision = '0030'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'grant_windows',
        sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('device', sa.String(length=100), nullable=False),
        sa.Column('track_id', sa.Integer(), nullable=False),
        sa.Column('first_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('served_ms', sa.BigInteger(), nullable=False),
        sa.Column('metered', sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index(
        'ix_grant_windows_track', 'grant_windows', ['user_id', 'track_id', 'expires_at']
    )


def downgrade() -> None:
    op.drop_index('ix_grant_windows_track', table_name='grant_windows')
    op.drop_table('grant_windows')
