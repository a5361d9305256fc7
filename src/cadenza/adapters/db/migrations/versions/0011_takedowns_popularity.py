"""takedowns (releases.taken_down_at) and search popularity rolled up daily

Revision ID: 0011
Revises: 0007
"""

from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = '0007'
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


def downgrade() -> None:
    op.drop_table('search_popularity')
    with op.batch_alter_table('releases') as batch:
        batch.drop_column('taken_down_at')
