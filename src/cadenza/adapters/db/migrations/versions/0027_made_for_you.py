"""made for you: charts and their places, sign-up taste picks, Release Radar of the week, and
each account's time zone

Revision ID: 0027
Revises: 0025
Create Date: 2026-12-07 02:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0027'
down_revision = '0026'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        'users',
        sa.Column('time_zone', sa.String(length=64), server_default='UTC', nullable=False),
    )
    op.create_table(
        'charts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=8), nullable=False),
        sa.Column('country', sa.String(length=2), nullable=False),
        sa.Column('built_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('built_on', sa.Date(), nullable=False),
        sa.Column('previous', sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('kind', 'country', name='uq_chart'),
    )
    op.create_table(
        'chart_places',
        sa.Column('chart_id', sa.Integer(), nullable=False),
        sa.Column('rank', sa.Integer(), nullable=False),
        sa.Column('track_id', sa.Integer(), nullable=False),
        sa.Column('streams', sa.Integer(), nullable=False),
        sa.Column('previous_rank', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['chart_id'], ['charts.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('chart_id', 'rank'),
    )
    op.create_table(
        'taste_picks',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('artist_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('picked_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('user_id', 'artist_id'),
    )
    op.create_table(
        'release_radars',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('week', sa.DateTime(timezone=True), nullable=False),
        sa.Column('track_ids', sa.JSON(), nullable=False),
        sa.Column('made_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('user_id'),
    )


def downgrade() -> None:
    op.drop_table('release_radars')
    op.drop_table('taste_picks')
    op.drop_table('chart_places')
    op.drop_table('charts')
    with op.batch_alter_table('users') as batch:
        batch.drop_column('time_zone')
