"""plays and users: the columns the creators' features share (trusted counts, royalties, fraud,
artist statistics); each feature's own tables come in its own migration

- plays.country: the listener's market when the play started (royalties split per market)
- plays.not_counted_reason: why a play that was listened to does not count (null when it counts)
- plays.source: where the listener started it (artist page, own playlist, editorial, algorithmic,
  search, other), for the artists' statistics and the artist-centric royalty model
- plays.royalty_month: the month (YYYY-MM) whose royalties included this stream, set on closing
- plays.flagged_artificial: set by the fraud job, cleared on review; such streams earn nothing
- users.city, users.gender: optional, for the artists' audience figures

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-07 04:45:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0030'
down_revision = '0029'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('plays') as batch:
        batch.add_column(sa.Column('country', sa.String(length=2), nullable=True))
        batch.add_column(sa.Column('not_counted_reason', sa.String(length=24), nullable=True))
        batch.add_column(sa.Column('source', sa.String(length=24), nullable=True))
        batch.add_column(sa.Column('royalty_month', sa.String(length=7), nullable=True))
        batch.add_column(
            sa.Column(
                'flagged_artificial', sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )
    op.execute(
        "UPDATE plays SET country = (SELECT u.country FROM users u WHERE u.id = plays.user_id)"
    )
    with op.batch_alter_table('users') as batch:
        batch.add_column(sa.Column('city', sa.String(length=100), nullable=True))
        batch.add_column(sa.Column('gender', sa.String(length=20), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('users') as batch:
        batch.drop_column('gender')
        batch.drop_column('city')
    with op.batch_alter_table('plays') as batch:
        for column in ('flagged_artificial', 'royalty_month', 'source', 'not_counted_reason',
                       'country'):
            batch.drop_column(column)
