"""search (SQLite): the vocabulary's words under deletions of their start, for typos

`search_spellings` keeps each word under its start (six letters) with a letter deleted or
none, and under its first four and five letters with one deleted (domain.search.spelling_keys);
a typed word's own deletions find its neighbours there, a few dozen keys, where the trigram
table scored every word sharing three letters with it (12 ms a typo at 1,000,000 tracks).

Revision ID: 0055
Revises: 0054
Create Date: 2026-12-07 18:25:00
"""

from alembic import op
import sqlalchemy as sa

from cadenza.domain.search import spelling_keys


revision = '0055'
down_revision = '0054'
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == 'postgresql':  # pg_trgm over the vocabulary answers typos there
        return
    op.execute(
        'CREATE TABLE search_spellings (key TEXT NOT NULL, word TEXT NOT NULL, '
        'PRIMARY KEY (key, word)) WITHOUT ROWID'
    )
    insert = sa.text('INSERT OR IGNORE INTO search_spellings(key, word) VALUES (:k, :w)')
    rows = []
    for (word,) in bind.execute(sa.text('SELECT word FROM search_words')):
        rows += [{'k': k, 'w': word} for k in spelling_keys(word)]
        if len(rows) >= 50_000:
            bind.execute(insert, rows)
            rows = []
    if rows:
        bind.execute(insert, rows)


def downgrade() -> None:
    if op.get_bind().dialect.name != 'postgresql':
        op.execute('DROP TABLE search_spellings')
