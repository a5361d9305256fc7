"""artists' statistics leave out streams flagged artificial: the roll-up's partial index skips
them, and a second one finds rolled-up streams flagged since (the next roll-up takes them out;
the first run after upgrading takes out those flagged before)

Revision ID: 0039
Revises: 0038
Create Date: 2026-12-07 06:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0039'
down_revision = '0038'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index('ix_plays_to_roll', table_name='plays')
    op.create_index(
        'ix_plays_to_roll', 'plays', ['id'],
        sqlite_where=sa.text('counted = 1 AND stats_rolled = 0 AND flagged_artificial = 0'),
        postgresql_where=sa.text('counted AND NOT stats_rolled AND NOT flagged_artificial'),
    )
    op.create_index(
        'ix_plays_to_unroll', 'plays', ['id'],
        sqlite_where=sa.text('stats_rolled = 1 AND flagged_artificial = 1'),
        postgresql_where=sa.text('stats_rolled AND flagged_artificial'),
    )


def downgrade() -> None:
    op.drop_index('ix_plays_to_unroll', table_name='plays')
    op.drop_index('ix_plays_to_roll', table_name='plays')
    op.create_index(
        'ix_plays_to_roll', 'plays', ['id'],
        sqlite_where=sa.text('counted = 1 AND stats_rolled = 0'),
        postgresql_where=sa.text('counted AND NOT stats_rolled'),
    )
