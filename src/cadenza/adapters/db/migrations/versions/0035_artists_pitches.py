"""Cadenza for Artists: claims of artist profiles, artist pages (bio, images, pick), pitches to
the editors, and the editorial flag on playlists

Revision ID: 0035
Revises: 0032
Create Date: 2026-12-07 05:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0035'
down_revision = '0032'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'artist_claims',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column(
            'artist_id', sa.Integer(), sa.ForeignKey('artists.id', ondelete='CASCADE'),
            nullable=False,
        ),
        sa.Column(
            'user_id', sa.Integer(), sa.ForeignKey('users.id', ondelete='CASCADE'),
            nullable=False,
        ),
        sa.Column('status', sa.String(length=12), nullable=False),
        sa.Column('message', sa.String(length=1000), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('decided_by', sa.String(length=40), nullable=True),
        sa.Column('note', sa.String(length=500), nullable=True),
    )
    op.create_index('ix_artist_claims_artist', 'artist_claims', ['artist_id', 'status'])
    op.create_index('ix_artist_claims_user_id', 'artist_claims', ['user_id'])
    op.create_table(
        'artist_pages',
        sa.Column(
            'artist_id', sa.Integer(), sa.ForeignKey('artists.id', ondelete='CASCADE'),
            primary_key=True, nullable=False,
        ),
        sa.Column('bio', sa.Text(), nullable=False),
        sa.Column('avatar_blob', sa.String(length=64), nullable=True),
        sa.Column('header_blob', sa.String(length=64), nullable=True),
        sa.Column(
            'pick_release_id', sa.Integer(),
            sa.ForeignKey('releases.id', ondelete='SET NULL'), nullable=True,
        ),
        sa.Column(
            'pick_track_id', sa.Integer(), sa.ForeignKey('tracks.id', ondelete='SET NULL'),
            nullable=True,
        ),
        sa.Column('pick_note', sa.String(length=200), nullable=True),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index('ix_artist_pages_avatar_blob', 'artist_pages', ['avatar_blob'])
    op.create_index('ix_artist_pages_header_blob', 'artist_pages', ['header_blob'])
    op.create_table(
        'pitches',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column(
            'release_id', sa.Integer(), sa.ForeignKey('releases.id', ondelete='CASCADE'),
            nullable=False, unique=True,
        ),
        sa.Column(
            'track_id', sa.Integer(), sa.ForeignKey('tracks.id', ondelete='CASCADE'),
            nullable=False,
        ),
        sa.Column('pitched_by', sa.String(length=40), nullable=False),
        sa.Column('genres', sa.JSON(), nullable=False),
        sa.Column('moods', sa.JSON(), nullable=False),
        sa.Column('story', sa.Text(), nullable=False),
        sa.Column('status', sa.String(length=12), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('reviewed_at', sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index('ix_pitches_track_id', 'pitches', ['track_id'])
    with op.batch_alter_table('playlists') as batch:
        batch.add_column(
            sa.Column('editorial', sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table('playlists') as batch:
        batch.drop_column('editorial')
    op.drop_table('pitches')
    op.drop_table('artist_pages')
    op.drop_table('artist_claims')
