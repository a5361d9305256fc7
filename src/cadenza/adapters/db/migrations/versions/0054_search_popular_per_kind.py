"""search (SQLite): a popular entry's FTS row names its kind's popular word ("kindpopulartrack")

The popular branch of a search asks the text index for that word alone (a few hundred rows)
instead of "kindtrack AND kindpopular", which stepped through every entry of the kind. Only
the ranked entries' rows (a few hundred a kind) are written again; "kindpopular" stays, so
the code before this revision reads the same rows.

Revision ID: 0054
Revises: 0045
Create Date: 2026-12-07 15:20:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0054'
down_revision = '0048'
branch_labels = None
depends_on = None

_RANKED = (
    'SELECT id, kind, name_words, artist_words, album_words, genre_words '
    'FROM search_entries WHERE popular_rank IS NOT NULL'
)
_INSERT = sa.text(
    'INSERT INTO search_fts(rowid, name, artists, album, genres, kind) '
    'VALUES (:id, :name_words, :artist_words, :album_words, :genre_words, :kind_word)'
)


def _rewrite(per_kind: bool) -> None:
    bind = op.get_bind()
    if bind.dialect.name == 'postgresql':  # its text index has no kind words
        return
    rows = [dict(r._mapping) for r in bind.execute(sa.text(_RANKED))]
    bind.execute(
        sa.text(
            'DELETE FROM search_fts WHERE rowid IN '
            '(SELECT id FROM search_entries WHERE popular_rank IS NOT NULL)'
        )
    )
    for row in rows:
        words = f"kind{row['kind']} kindpopular"
        row['kind_word'] = words + (f" kindpopular{row['kind']}" if per_kind else '')
    if rows:
        bind.execute(_INSERT, rows)


def upgrade() -> None:
    _rewrite(per_kind=True)


def downgrade() -> None:
    _rewrite(per_kind=False)
