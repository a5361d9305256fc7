"""tracks.tempo_bpm: beats per minute measured from the audio at ingest, a content signal of
the recommendations (null: no clear pulse, or ingested before it was measured)

Revision ID: 0037
Revises: 0034
Create Date: 2026-12-07 05:05:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0037'
down_revision = '0034'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('tracks') as batch:
        batch.add_column(sa.Column('tempo_bpm', sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('tracks') as batch:
        batch.drop_column('tempo_bpm')
