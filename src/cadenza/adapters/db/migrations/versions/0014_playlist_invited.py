"""playlist followers remember whether they came through an invite

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-26 02:40:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('playlist_followers', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('invited', sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    # How existing followers got in was not recorded. Followers of playlists that are private
    # now keep their access (the owner may remove them); those of public ones count as plain.
    op.execute(
        "UPDATE playlist_followers SET invited = (collaborator OR playlist_id IN "
        "(SELECT id FROM playlists WHERE NOT public))"
    )


def downgrade() -> None:
    with op.batch_alter_table('playlist_followers', schema=None) as batch_op:
        batch_op.drop_column('invited')
