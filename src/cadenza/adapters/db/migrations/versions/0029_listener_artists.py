"""listener_artists: counted plays per listener and artist, and the first one's start (Only You
and Your year count listeners per artist and per pair from it), filled from the plays so far

Revision ID: 0029
Revises: 0025
Create Date: 2026-12-07 02:30:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0029'
down_revision = '0028'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'listener_artists',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('artist_id', sa.Integer(), nullable=False),
        sa.Column('plays', sa.BigInteger(), nullable=False),
        sa.Column('first_played_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['artist_id'], ['artists.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('user_id', 'artist_id'),
    )
    op.create_index('ix_listener_artists_artist', 'listener_artists', ['artist_id'])
    op.execute(
        "INSERT INTO listener_artists (user_id, artist_id, plays, first_played_at) "
        "SELECT p.user_id, ta.artist_id, COUNT(*), MIN(p.started_at) "
        "FROM plays p JOIN track_artists ta ON ta.track_id = p.track_id "
        "WHERE p.counted AND ta.role = 'main' "
        "GROUP BY p.user_id, ta.artist_id"
    )


def downgrade() -> None:
    op.drop_index('ix_listener_artists_artist', table_name='listener_artists')
    op.drop_table('listener_artists')
