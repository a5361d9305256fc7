"""peer-assisted delivery: the tracker's live peers, the files each holds, reports of peers
that sent bad chunks

Revision ID: 0048
Revises: 0044
Create Date: 2026-12-07 14:30:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0048'
down_revision = '0045'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'peers',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('host', sa.String(length=45), nullable=False),
        sa.Column('port', sa.Integer(), nullable=False),
        sa.Column('region', sa.String(length=32), nullable=True),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('user_id', 'host', 'port', name='uq_peers_address'),
    )
    op.create_index('ix_peers_expires_at', 'peers', ['expires_at'])
    op.create_table(
        'peer_blobs',
        sa.Column('peer_id', sa.Integer(), nullable=False),
        sa.Column('blob', sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(['peer_id'], ['peers.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('peer_id', 'blob'),
    )
    op.create_index('ix_peer_blobs_blob', 'peer_blobs', ['blob'])
    op.create_table(
        'peer_reports',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('reporter_id', sa.Integer(), nullable=False),
        sa.Column('host', sa.String(length=45), nullable=False),
        sa.Column('port', sa.Integer(), nullable=False),
        sa.Column('reported_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['reporter_id'], ['users.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('reporter_id', 'host', 'port', name='uq_peer_reports_once'),
    )
    op.create_index('ix_peer_reports_at', 'peer_reports', ['reported_at'])


def downgrade() -> None:
    op.drop_index('ix_peer_reports_at', table_name='peer_reports')
    op.drop_table('peer_reports')
    op.drop_index('ix_peer_blobs_blob', table_name='peer_blobs')
    op.drop_table('peer_blobs')
    op.drop_index('ix_peers_expires_at', table_name='peers')
    op.drop_table('peers')
