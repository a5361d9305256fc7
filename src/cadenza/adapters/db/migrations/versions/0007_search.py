"""search index: entries, words, FTS5 (SQLite) or tsvector + pg_trgm (PostgreSQL)

Revision ID: 0007
Revises: 0006
"""

from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('search_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('entity_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('name_words', sa.Text(), nullable=False),
    sa.Column('name_key', sa.String(length=200), nullable=False),
    sa.Column('artist_words', sa.Text(), nullable=False),
    sa.Column('album_words', sa.Text(), nullable=False),
    sa.Column('genre_words', sa.Text(), nullable=False),
    sa.Column('isrc', sa.String(length=12), nullable=True),
    sa.Column('upc', sa.String(length=14), nullable=True),
    sa.Column('release_id', sa.Integer(), nullable=True),
    sa.Column('release_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('year', sa.Integer(), nullable=True),
    sa.Column('territories', sa.Text(), nullable=False),
    sa.Column('explicit', sa.Boolean(), nullable=False),
    sa.Column('distributor_id', sa.Integer(), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('kind', 'entity_id', name='uq_search_entry')
    )
    op.create_index('ix_search_entries_release', 'search_entries', ['release_id'])
    op.create_index('ix_search_entries_isrc', 'search_entries', ['isrc'])
    op.create_index('ix_search_entries_upc', 'search_entries', ['upc'])
    op.create_index(
        'ix_search_entries_name', 'search_entries', ['kind', 'name_key'],
        postgresql_ops={'name_key': 'text_pattern_ops'},
    )
    op.create_table('search_words',
    sa.Column('word', sa.String(length=200), nullable=False),
    sa.PrimaryKeyConstraint('word')
    )
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('CREATE EXTENSION IF NOT EXISTS pg_trgm')
        op.execute(
            "ALTER TABLE search_entries ADD COLUMN document tsvector GENERATED ALWAYS AS ("
            "setweight(to_tsvector('simple', name_words), 'A') || "
            "setweight(to_tsvector('simple', artist_words), 'B') || "
            "setweight(to_tsvector('simple', album_words), 'C') || "
            "setweight(to_tsvector('simple', genre_words), 'D') || "
            "setweight(to_tsvector('simple', 'kind' || kind), 'D')) STORED"
        )
        op.execute('CREATE INDEX ix_search_entries_document ON search_entries USING gin (document)')
        op.execute('CREATE INDEX ix_search_words_trgm ON search_words USING gin (word gin_trgm_ops)')
    else:
        # rowid = search_entries.id; unicode61 folds case, the words come folded already.
        op.execute(
            "CREATE VIRTUAL TABLE search_fts USING fts5("
            "name, artists, album, genres, kind, "
            "tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3')"
        )
        op.execute("CREATE VIRTUAL TABLE search_words_tri USING fts5(word, tokenize = 'trigram')")


def downgrade() -> None:
    if op.get_bind().dialect.name != 'postgresql':
        op.execute('DROP TABLE search_fts')
        op.execute('DROP TABLE search_words_tri')
    op.drop_table('search_words')
    op.drop_table('search_entries')
