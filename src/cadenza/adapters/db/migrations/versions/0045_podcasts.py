"""podcasts: shows (from a feed or hosted), episodes, follows, listening progress, podcast plays

Revision ID: 0045
Revises: 0044
Create Date: 2026-12-07 14:30:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0045'
down_revision = '0052'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'podcast_shows',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('feed_url', sa.String(length=2000), nullable=True),
        sa.Column('owner_id', sa.Integer(), nullable=True),
        sa.Column('title', sa.String(length=500), nullable=False),
        sa.Column('publisher', sa.String(length=500), nullable=False),
        sa.Column('description_html', sa.Text(), nullable=False),
        sa.Column('link', sa.String(length=2000), nullable=True),
        sa.Column('language', sa.String(length=20), nullable=True),
        sa.Column('explicit', sa.Boolean(), nullable=False),
        sa.Column('artwork_blob', sa.String(length=64), nullable=True),
        sa.Column('artwork_generated', sa.Boolean(), nullable=False),
        sa.Column('podcast_guid', sa.String(length=100), nullable=True),
        sa.Column('categories', sa.JSON(), nullable=False),
        sa.Column('persons', sa.JSON(), nullable=False),
        sa.Column('etag', sa.String(length=500), nullable=True),
        sa.Column('last_modified', sa.String(length=100), nullable=True),
        sa.Column('failures', sa.Integer(), nullable=False),
        sa.Column('next_fetch_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('last_fetched_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('last_error', sa.String(length=60), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['owner_id'], ['users.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('feed_url'),
    )
    op.create_index('ix_podcast_shows_next_fetch_at', 'podcast_shows', ['next_fetch_at'])
    op.create_index('ix_podcast_shows_owner_id', 'podcast_shows', ['owner_id'])
    op.create_table(
        'podcast_episodes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('show_id', sa.Integer(), nullable=False),
        sa.Column('guid', sa.String(length=500), nullable=False),
        sa.Column('title', sa.String(length=500), nullable=False),
        sa.Column('description_html', sa.Text(), nullable=False),
        sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('duration_ms', sa.Integer(), nullable=True),
        sa.Column('explicit', sa.Boolean(), nullable=False),
        sa.Column('season', sa.Integer(), nullable=True),
        sa.Column('number', sa.Integer(), nullable=True),
        sa.Column('enclosure_url', sa.String(length=2000), nullable=True),
        sa.Column('enclosure_type', sa.String(length=100), nullable=True),
        sa.Column('enclosure_length', sa.BigInteger(), nullable=True),
        sa.Column('chapters_url', sa.String(length=2000), nullable=True),
        sa.Column('transcript_url', sa.String(length=2000), nullable=True),
        sa.Column('transcript_type', sa.String(length=60), nullable=True),
        sa.Column('chapters', sa.JSON(), nullable=False),
        sa.Column('transcript', sa.JSON(), nullable=False),
        sa.Column('persons', sa.JSON(), nullable=False),
        sa.Column('audio', sa.String(length=10), nullable=False),
        sa.Column('audio_error', sa.String(length=60), nullable=True),
        sa.Column('ladder', sa.JSON(), nullable=False),
        sa.Column('gain_db', sa.Float(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['show_id'], ['podcast_shows.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('show_id', 'guid', name='uq_podcast_episodes_show_guid'),
    )
    op.create_index(
        'ix_podcast_episodes_show_published', 'podcast_episodes', ['show_id', 'published_at']
    )
    op.create_index('ix_podcast_episodes_audio', 'podcast_episodes', ['audio'])
    op.create_table(
        'podcast_follows',
        sa.Column('account_id', sa.Integer(), nullable=False),
        sa.Column('show_id', sa.Integer(), nullable=False),
        sa.Column('followed_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['account_id'], ['users.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['show_id'], ['podcast_shows.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('account_id', 'show_id'),
    )
    op.create_index('ix_podcast_follows_show_id', 'podcast_follows', ['show_id'])
    op.create_table(
        'podcast_progress',
        sa.Column('account_id', sa.Integer(), nullable=False),
        sa.Column('episode_id', sa.Integer(), nullable=False),
        sa.Column('position_ms', sa.Integer(), nullable=False),
        sa.Column('furthest_ms', sa.Integer(), nullable=False),
        sa.Column('played', sa.Boolean(), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['account_id'], ['users.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['episode_id'], ['podcast_episodes.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('account_id', 'episode_id'),
    )
    op.create_index('ix_podcast_progress_episode_id', 'podcast_progress', ['episode_id'])
    op.create_table(
        'podcast_plays',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('account_id', sa.Integer(), nullable=False),
        sa.Column('episode_id', sa.Integer(), nullable=False),
        sa.Column('show_id', sa.Integer(), nullable=False),
        sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['account_id'], ['users.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['episode_id'], ['podcast_episodes.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['show_id'], ['podcast_shows.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_podcast_plays_show_started', 'podcast_plays', ['show_id', 'started_at'])
    op.create_index('ix_podcast_plays_episode_id', 'podcast_plays', ['episode_id'])
    op.create_table(
        'podcast_blobs',
        sa.Column('digest', sa.String(length=64), nullable=False),
        sa.Column('show_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['show_id'], ['podcast_shows.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('digest', 'show_id'),
    )
    # Shows and episodes have entries in the search index (adapters/db/search_podcasts.py);
    # PostgreSQL's text index is one per kind.
    if op.get_bind().dialect.name == 'postgresql':
        for kind in ('show', 'episode'):
            op.execute(
                f"CREATE INDEX ix_search_entries_document_{kind} ON search_entries "
                f"USING gin (document) WHERE kind = '{kind}'"
            )


def downgrade() -> None:
    op.execute("DELETE FROM search_entries WHERE kind IN ('show', 'episode')")
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP INDEX ix_search_entries_document_show')
        op.execute('DROP INDEX ix_search_entries_document_episode')
    else:
        op.execute(
            "DELETE FROM search_fts WHERE rowid NOT IN (SELECT id FROM search_entries)"
        )
    for table in (
        'podcast_blobs', 'podcast_plays', 'podcast_progress', 'podcast_follows', 'podcast_episodes',
        'podcast_shows',
    ):
        op.drop_table(table)
