"""releases.premium_only: a release whose deals allow subscription streaming alone plays for
paying listeners only (Free listeners see it and cannot stream it)

Revision ID: 0038
Revises: 0037
Create Date: 2026-12-07 05:45:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0038'
down_revision = '0037'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('releases') as batch:
        batch.add_column(
            sa.Column('premium_only', sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table('releases') as batch:
        batch.drop_column('premium_only')
