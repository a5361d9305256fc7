"""bring your history: imports and imported plays (never counted streams), Spotify URIs learned
by matching, scrobbling tokens, and forwarding plays to ListenBrainz or Last.fm

Revision ID: 0043
Revises: 0041
Create Date: 2026-12-07 11:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0043'
down_revision = '0041'
branch_labels = None
depends_on = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    op.create_table(
        'history_imports',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('source', sa.String(length=16), nullable=False),
        sa.Column('file_name', sa.String(length=255), nullable=False),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('total', sa.Integer(), nullable=False),
        sa.Column('processed', sa.Integer(), nullable=False),
        sa.Column('matched', sa.Integer(), nullable=False),
        sa.Column('unmatched', sa.Integer(), nullable=False),
        sa.Column('skipped', sa.Integer(), nullable=False),
        sa.Column('added', sa.Integer(), nullable=False),
        sa.Column('top_unmatched', sa.JSON(), nullable=False),
        sa.Column('error', sa.String(length=200), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_history_imports_user', 'history_imports', ['user_id', 'created_at'])
    op.create_table(
        'history_plays',
        sa.Column('id', BIG_ID, nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('import_id', sa.Integer(), nullable=True),
        sa.Column('source', sa.String(length=16), nullable=False),
        sa.Column('track_id', sa.Integer(), nullable=False),
        sa.Column('played_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('listened_ms', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['import_id'], ['history_imports.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['track_id'], ['tracks.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index(
        'uq_history_play', 'history_plays', ['user_id', 'source', 'played_at', 'track_id'],
        unique=True,
    )
    op.create_index('ix_history_plays_recent', 'history_plays', ['user_id', 'played_at'])
    op.create_index('ix_history_plays_import', 'history_plays', ['import_id'])
    op.create_index('ix_history_plays_track_id', 'history_plays', ['track_id'])
    op.create_table(
        'track_spotify_uris',
        sa.Column('uri', sa.String(length=40), nullable=False),
        sa.Column('track_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['track_id'], ['tracks.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('uri'),
    )
    op.create_index('ix_track_spotify_uris_track_id', 'track_spotify_uris', ['track_id'])
    op.create_table(
        'scrobble_tokens',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('user_id'),
        sa.UniqueConstraint('token_hash'),
    )
    op.create_table(
        'scrobble_forwarding',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('service', sa.String(length=16), nullable=False),
        sa.Column('sealed_secret', sa.Text(), nullable=False),
        sa.Column('remote_user', sa.String(length=100), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('user_id', 'service'),
    )
    op.create_table(
        'scrobble_outbox',
        sa.Column('id', BIG_ID, nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('service', sa.String(length=16), nullable=False),
        sa.Column('artist', sa.String(length=1000), nullable=False),
        sa.Column('title', sa.String(length=1000), nullable=False),
        sa.Column('album', sa.String(length=1000), nullable=False),
        sa.Column('duration_ms', sa.Integer(), nullable=False),
        sa.Column('played_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('status', sa.String(length=8), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('last_error', sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_scrobble_outbox_due', 'scrobble_outbox', ['status', 'next_attempt_at'])
    op.create_index('ix_scrobble_outbox_user', 'scrobble_outbox', ['user_id', 'service'])


def downgrade() -> None:
    op.drop_table('scrobble_outbox')
    op.drop_table('scrobble_forwarding')
    op.drop_table('scrobble_tokens')
    op.drop_table('track_spotify_uris')
    op.drop_table('history_plays')
    op.drop_table('history_imports')
