"""search (SQLite): a text index of the most played entries alone

`search_popular_fts` holds the FTS rows of the entries ranked among each kind's most played
(`popular_rank`, 500 a kind): the popular branch of a query asks it, a doclist of a few
thousand rows at most, where asking `search_fts` for a common word (or a two-letter start)
AND the popular entries' own word stepped through the word's doclist over the whole catalog.

Revision ID: 0057
Revises: 0056
Create Date: 2026-12-07 21:40:00
"""

from alembic import op


revision = '0057'
down_revision = '0056'
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':  # a partial GIN index serves it there
        return
    op.execute(
        "CREATE VIRTUAL TABLE search_popular_fts USING fts5("
        "name, artists, album, genres, kind, "
        "tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3')"
    )
    op.execute(
        "INSERT INTO search_popular_fts(rowid, name, artists, album, genres, kind) "
        "SELECT id, name_words, artist_words, album_words, genre_words, 'kind' || kind "
        "FROM search_entries WHERE popular_rank IS NOT NULL"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != 'postgresql':
        op.execute('DROP TABLE search_popular_fts')
