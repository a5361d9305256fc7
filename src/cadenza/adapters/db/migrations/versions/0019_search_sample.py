"""search: GIN indexes per kind over one entry in 256 and one in 16 (PostgreSQL), read first

Revision ID: 0019
Revises: 0018
Create Date: 2026-11-26 07:00:00
"""

from alembic import op


revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None

KINDS = ('track', 'release', 'artist')


def upgrade() -> None:
    if op.get_bind().dialect.name != 'postgresql':
        return  # SQLite's FTS5 hands its matches over as it reads them: nothing to add
    # A GIN scan reads a word's every match before the first row comes out ("life" matches
    # 100,000 entries of a 1,000,000-track catalog: 21 ms). The sample holds one entry in 16
    # (by id, so spread evenly), where a common word's first matches cost a sixteenth, and
    # one in 256 for the commonest (the 16 completions of "lo": 500,000 matches).
    for kind in KINDS:
        for every in (16, 256):
            op.execute(
                f"CREATE INDEX ix_search_entries_sample{every}_{kind} ON search_entries "
                f"USING gin (document) WHERE kind = '{kind}' AND (id % {every}) = 0"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name != 'postgresql':
        return
    for kind in KINDS:
        for every in (16, 256):
            op.execute(f'DROP INDEX ix_search_entries_sample{every}_{kind}')
