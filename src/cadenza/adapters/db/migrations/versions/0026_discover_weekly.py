"""recommendations: each listener's Discover Weekly, made once for the week

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-07 02:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0026'
down_revision = '0025'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'discover_weekly',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('week_start', sa.DateTime(timezone=True), nullable=False),
        sa.Column('basis', sa.String(length=10), nullable=False),
        sa.Column('tracks', sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('user_id'),
    )


def downgrade() -> None:
    op.drop_table('discover_weekly')
