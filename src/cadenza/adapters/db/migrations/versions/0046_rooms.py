"""live audio rooms: rooms, per-room blocks, reports, and notices to the host's followers

Revision ID: 0046
Revises: 0044
Create Date: 2026-12-07 14:30:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0046'
down_revision = '0044'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'rooms',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('host_id', sa.Integer(), nullable=False),
        sa.Column('title', sa.String(length=120), nullable=False),
        sa.Column('topics', sa.JSON(), nullable=False),
        sa.Column('state', sa.String(length=12), nullable=False),
        sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('recorded', sa.Boolean(), nullable=False),
        sa.Column('recording_blob', sa.String(length=64), nullable=True),
        sa.Column('recording_seconds', sa.Float(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['host_id'], ['users.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_rooms_state_starts', 'rooms', ['state', 'starts_at'])
    op.create_index('ix_rooms_host', 'rooms', ['host_id'])
    op.create_table(
        'room_blocks',
        sa.Column('room_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('blocked_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['room_id'], ['rooms.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('room_id', 'user_id'),
    )
    op.create_table(
        'room_reports',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('room_id', sa.Integer(), nullable=False),
        sa.Column('reporter_id', sa.Integer(), nullable=False),
        sa.Column('subject_id', sa.Integer(), nullable=True),
        sa.Column('reason', sa.String(length=1000), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['room_id'], ['rooms.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['reporter_id'], ['users.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['subject_id'], ['users.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_room_reports_created', 'room_reports', ['created_at'])
    op.create_table(
        'room_notices',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('room_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['room_id'], ['rooms.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('user_id', 'room_id'),
    )
    op.create_index('ix_room_notices_user', 'room_notices', ['user_id', 'created_at'])


def downgrade() -> None:
    op.drop_index('ix_room_notices_user', table_name='room_notices')
    op.drop_table('room_notices')
    op.drop_index('ix_room_reports_created', table_name='room_reports')
    op.drop_table('room_reports')
    op.drop_table('room_blocks')
    op.drop_index('ix_rooms_host', table_name='rooms')
    op.drop_index('ix_rooms_state_starts', table_name='rooms')
    op.drop_table('rooms')
