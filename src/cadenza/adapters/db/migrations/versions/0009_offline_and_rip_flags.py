"""offline downloads (devices, downloads) and rip-detection flags

Revision ID: 0009
Revises: 0007
"""

from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('download_devices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('subscription_id', sa.Integer(), nullable=True),
    sa.Column('registered_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('checked_in_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('licence_expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('download_devices', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_download_devices_user_id'), ['user_id'], unique=False)

    op.create_table('downloads',
    sa.Column('device_id', sa.Integer(), nullable=False),
    sa.Column('track_id', sa.Integer(), nullable=False),
    sa.Column('quality', sa.String(length=10), nullable=False),
    sa.Column('added_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['device_id'], ['download_devices.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('device_id', 'track_id')
    )
    op.create_table('rip_flags',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('flagged_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('audio_seconds', sa.Float(), nullable=False),
    sa.Column('allowed_seconds', sa.Float(), nullable=False),
    sa.Column('window_seconds', sa.Float(), nullable=False),
    sa.Column('evidence', sa.JSON(), nullable=False),
    sa.Column('reviewed_by', sa.Integer(), nullable=True),
    sa.Column('reviewed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['reviewed_by'], ['users.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('rip_flags', schema=None) as batch_op:
        batch_op.create_index('ix_rip_flags_status', ['status', 'flagged_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_rip_flags_user_id'), ['user_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('rip_flags', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rip_flags_user_id'))
        batch_op.drop_index('ix_rip_flags_status')
    op.drop_table('rip_flags')
    op.drop_table('downloads')
    with op.batch_alter_table('download_devices', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_download_devices_user_id'))
    op.drop_table('download_devices')
