"""devices: playback devices and speaker groups

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-26 01:30:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('playback_devices',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('supports_volume', sa.Boolean(), nullable=False),
    sa.Column('volume', sa.Integer(), nullable=True),
    sa.Column('clock_offset_ms', sa.Float(), nullable=True),
    sa.Column('clock_rtt_ms', sa.Float(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['session_id'], ['sessions.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('playback_devices', schema=None) as batch_op:
        batch_op.create_index('ix_playback_device_user', ['user_id', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_playback_devices_session_id'), ['session_id'], unique=False)

    op.create_table('speaker_groups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('speaker_groups', schema=None) as batch_op:
        batch_op.create_index('uq_speaker_group_name', ['user_id', 'name'], unique=True)

    op.create_table('speaker_group_members',
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('device_id', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['device_id'], ['playback_devices.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['group_id'], ['speaker_groups.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('group_id', 'device_id')
    )
    with op.batch_alter_table('speaker_group_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_speaker_group_members_device_id'), ['device_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('speaker_group_members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_speaker_group_members_device_id'))
    op.drop_table('speaker_group_members')
    with op.batch_alter_table('speaker_groups', schema=None) as batch_op:
        batch_op.drop_index('uq_speaker_group_name')
    op.drop_table('speaker_groups')
    with op.batch_alter_table('playback_devices', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_playback_devices_session_id'))
        batch_op.drop_index('ix_playback_device_user')
    op.drop_table('playback_devices')
