"""listeners follow and block each other, share what they play (opt-in), private sessions;
Blends and their invites; playlists in the search index

Revision ID: 0028
Revises: 0025
Create Date: 2026-12-07 02:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0028'
down_revision = '0027'
branch_labels = None
depends_on = None


def _user(name: str, primary: bool = True) -> sa.Column:
    return sa.Column(
        name, sa.Integer(), sa.ForeignKey('users.id', ondelete='CASCADE'),
        primary_key=primary, nullable=False,
    )


def upgrade() -> None:
    op.create_table(
        'listener_follows', _user('follower_id'), _user('followed_id'),
        sa.Column('followed_at', sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index('ix_listener_follows_followed', 'listener_follows', ['followed_id'])
    op.create_table(
        'listener_blocks', _user('blocker_id'), _user('blocked_id'),
        sa.Column('blocked_at', sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index('ix_listener_blocks_blocked', 'listener_blocks', ['blocked_id'])
    op.create_table(
        'activity_sharing', _user('user_id'),
        sa.Column('share_activity', sa.Boolean(), nullable=False),
        sa.Column('private_since', sa.DateTime(timezone=True), nullable=True),
    )
    op.create_table(
        'private_sessions',
        sa.Column('id', sa.Integer(), primary_key=True),
        _user('user_id', primary=False),
        sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('ended_at', sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index('ix_private_sessions_user', 'private_sessions', ['user_id', 'ended_at'])
    op.create_table(
        'blends',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('refreshed_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('match_score', sa.Integer(), nullable=False),
    )
    op.create_table(
        'blend_members',
        sa.Column(
            'blend_id', sa.Integer(), sa.ForeignKey('blends.id', ondelete='CASCADE'),
            primary_key=True, nullable=False,
        ),
        _user('user_id'),
        sa.Column('joined_at', sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index('ix_blend_members_user', 'blend_members', ['user_id'])
    op.create_table(
        'blend_tracks',
        sa.Column(
            'blend_id', sa.Integer(), sa.ForeignKey('blends.id', ondelete='CASCADE'),
            primary_key=True, nullable=False,
        ),
        sa.Column('position', sa.Integer(), primary_key=True, nullable=False),
        sa.Column('track_id', sa.Integer(), nullable=False),
        sa.Column(
            'member_id', sa.Integer(), sa.ForeignKey('users.id', ondelete='SET NULL'),
            nullable=True,
        ),
    )
    op.create_table(
        'blend_invites',
        sa.Column('token_hash', sa.String(length=64), primary_key=True),
        _user('inviter_id', primary=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index('ix_blend_invites_inviter', 'blend_invites', ['inviter_id'])
    # Playlists now have entries in the search index: it is emptied, and the start-up indexes
    # the catalog and the playlists again (services/search.py, index_if_empty), as 0011 did.
    op.execute('DELETE FROM search_entries')
    op.execute('DELETE FROM search_words')
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(
            "CREATE INDEX ix_search_entries_document_playlist ON search_entries "
            "USING gin (document) WHERE kind = 'playlist'"
        )
    else:
        op.execute('DELETE FROM search_fts')
        op.execute('DELETE FROM search_words_tri')


def downgrade() -> None:
    op.execute("DELETE FROM search_entries WHERE kind = 'playlist'")
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP INDEX ix_search_entries_document_playlist')
    else:
        op.execute(
            "DELETE FROM search_fts WHERE rowid NOT IN (SELECT id FROM search_entries)"
        )
    for table in (
        'blend_invites', 'blend_tracks', 'blend_members', 'blends', 'private_sessions',
        'activity_sharing', 'listener_blocks', 'listener_follows',
    ):
        op.drop_table(table)
