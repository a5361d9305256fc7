"""playback devices: when a device's feed closed (a closed page leaves the device list)

Revision ID: 0025
Revises: 0019
Create Date: 2026-12-06 23:10:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0025'
down_revision = '0022'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        'playback_devices', sa.Column('left_at', sa.DateTime(timezone=True), nullable=True)
    )


def downgrade() -> None:
    with op.batch_alter_table('playback_devices') as batch:
        batch.drop_column('left_at')
