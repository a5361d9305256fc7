"""track_lyrics: a track's lyrics, plain or LRC-timed, from its delivery, tags or LRC file

Revision ID: 0022
Revises: 0019
Create Date: 2026-12-06 23:15:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0022'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'track_lyrics',
        sa.Column('track_id', sa.Integer(), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('synced', sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(['track_id'], ['tracks.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('track_id'),
    )


def downgrade() -> None:
    op.drop_table('track_lyrics')
