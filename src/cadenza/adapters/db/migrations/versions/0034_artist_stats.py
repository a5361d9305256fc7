"""artists' statistics: counted streams rolled up per artist and day (by track, by country,
city, source, age range and gender), each artist's listeners with the day they last listened,
listeners per last day (distinct listeners over any window ending today), who listened on each
recent day; plays.stats_rolled marks each counted stream once rolled up (a partial index finds
those left); indexes on when songs were liked, releases saved, artists followed and tracks added
to playlists (saves, adds and follows per day)

Revision ID: 0034
Revises: 0033
Create Date: 2026-12-07 05:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0034'
down_revision = '0033'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'stats_artist_days',
        sa.Column('artist_id', sa.Integer(), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('streams', sa.BigInteger(), nullable=False),
        sa.Column('listeners', sa.BigInteger(), nullable=False),
        sa.Column('saves', sa.BigInteger(), nullable=False),
        sa.Column('playlist_adds', sa.BigInteger(), nullable=False),
        sa.Column('follows', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('artist_id', 'day'),
        sqlite_with_rowid=False,
    )
    op.create_table(
        'stats_track_days',
        sa.Column('artist_id', sa.Integer(), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('track_id', sa.Integer(), nullable=False),
        sa.Column('streams', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('artist_id', 'day', 'track_id'),
        sqlite_with_rowid=False,
    )
    op.create_table(
        'stats_facet_days',
        sa.Column('artist_id', sa.Integer(), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('facet', sa.String(length=8), nullable=False),
        sa.Column('value', sa.String(length=120), nullable=False),
        sa.Column('streams', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('artist_id', 'day', 'facet', 'value'),
        sqlite_with_rowid=False,
    )
    op.create_table(
        'stats_listeners',
        sa.Column('artist_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('last_day', sa.Date(), nullable=False),
        sa.Column('country', sa.String(length=2), nullable=False),
        sa.Column('city', sa.String(length=120), nullable=False),
        sa.Column('age', sa.String(length=8), nullable=False),
        sa.Column('gender', sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('artist_id', 'user_id'),
        sqlite_with_rowid=False,
    )
    op.create_index('ix_stats_listeners_user_id', 'stats_listeners', ['user_id'])
    op.create_table(
        'stats_recency',
        sa.Column('artist_id', sa.Integer(), nullable=False),
        sa.Column('last_day', sa.Date(), nullable=False),
        sa.Column('facet', sa.String(length=8), nullable=False),
        sa.Column('value', sa.String(length=120), nullable=False),
        sa.Column('listeners', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('artist_id', 'last_day', 'facet', 'value'),
        sqlite_with_rowid=False,
    )
    op.create_table(
        'stats_listener_days',
        sa.Column('artist_id', sa.Integer(), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('artist_id', 'day', 'user_id'),
        sqlite_with_rowid=False,
    )
    op.create_index('ix_stats_listener_days_day', 'stats_listener_days', ['day'])
    op.create_index('ix_stats_listener_days_user_id', 'stats_listener_days', ['user_id'])
    op.create_table(
        'stats_state',
        sa.Column('name', sa.String(length=20), nullable=False),
        sa.Column('runs', sa.BigInteger(), nullable=False),
        sa.Column('rolled_at', sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('name'),
    )
    with op.batch_alter_table('plays') as batch:
        batch.add_column(
            sa.Column('stats_rolled', sa.Boolean(), nullable=False, server_default=sa.false())
        )
    op.create_index(
        'ix_plays_to_roll', 'plays', ['id'],
        sqlite_where=sa.text('counted = 1 AND stats_rolled = 0'),
        postgresql_where=sa.text('counted AND NOT stats_rolled'),
    )
    for table in ('liked_tracks', 'saved_releases', 'followed_artists', 'playlist_entries'):
        op.create_index(f'ix_{table}_added', table, ['added_at'])


def downgrade() -> None:
    for table in ('liked_tracks', 'saved_releases', 'followed_artists', 'playlist_entries'):
        op.drop_index(f'ix_{table}_added', table_name=table)
    op.drop_index('ix_plays_to_roll', table_name='plays')
    with op.batch_alter_table('plays') as batch:
        batch.drop_column('stats_rolled')
    op.drop_table('stats_state')
    op.drop_index('ix_stats_listener_days_user_id', table_name='stats_listener_days')
    op.drop_index('ix_stats_listener_days_day', table_name='stats_listener_days')
    op.drop_table('stats_listener_days')
    op.drop_table('stats_recency')
    op.drop_index('ix_stats_listeners_user_id', table_name='stats_listeners')
    op.drop_table('stats_listeners')
    op.drop_table('stats_facet_days')
    op.drop_table('stats_track_days')
    op.drop_table('stats_artist_days')
