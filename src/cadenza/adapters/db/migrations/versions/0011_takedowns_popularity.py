"""takedowns (releases.taken_down_at) and search popularity rolled up daily

Revision ID: 0011
Revises: 0010
"""

from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('releases', sa.Column('taken_down_at', sa.DateTime(timezone=True), nullable=True))
    op.create_table('search_popularity',
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('entity_id', sa.Integer(), nullable=False),
    sa.Column('country', sa.String(length=2), nullable=False),
    sa.Column('streams', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('kind', 'entity_id', 'country')
    )
    op.add_column(
        'search_words',
        sa.Column('entries', sa.Integer(), server_default=sa.text('0'), nullable=False),
    )
    # Artists' entries now carry their visibility and words their counts: the index is emptied,
    # and the start-up indexes a catalog with an empty index again (services/search.py).
    op.execute('DELETE FROM search_entries')
    op.execute('DELETE FROM search_words')
    if op.get_bind().dialect.name != 'postgresql':
        op.execute('DELETE FROM search_fts')
        op.execute('DELETE FROM search_words_tri')
    if op.get_bind().dialect.name == 'postgresql':
        # One GIN index per kind: a query of one kind never intersects with every other kind's.
        for kind in ('track', 'release', 'artist'):
            op.execute(
                f"CREATE INDEX ix_search_entries_document_{kind} ON search_entries "
                f"USING gin (document) WHERE kind = '{kind}'"
            )
        op.execute('DROP INDEX ix_search_entries_document')
        op.execute(
            'CREATE INDEX ix_search_words_prefix ON search_words (word text_pattern_ops, entries)'
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP INDEX ix_search_words_prefix')
        for kind in ('track', 'release', 'artist'):
            op.execute(f'DROP INDEX ix_search_entries_document_{kind}')
        op.execute('CREATE INDEX ix_search_entries_document ON search_entries USING gin (document)')
    op.drop_column('search_words', 'entries')
    op.drop_table('search_popularity')
    with op.batch_alter_table('releases') as batch:
        batch.drop_column('taken_down_at')
