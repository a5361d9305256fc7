"""pruning indexes for sessions and one-time tokens; the takedown history; download device
registrations (swaps per 30 days); spent stream tickets

Revision ID: 0018
Revises: 0014
Create Date: 2026-11-26 04:30:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0018'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_sessions_expires_at', 'sessions', ['expires_at'])
    op.create_index('ix_one_time_tokens_expires_at', 'one_time_tokens', ['expires_at'])
    op.create_table('takedown_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('release_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=12), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor', sa.String(length=40), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=True),
    sa.ForeignKeyConstraint(['release_id'], ['releases.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_takedown_events_release_id', 'takedown_events', ['release_id'])


    op.create_table('download_device_registrations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('registered_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(
        'ix_device_registrations_user',
        'download_device_registrations',
        ['user_id', 'registered_at'],
    )
    # The devices registered so far count; those removed before this revision are unknown.
    op.execute(
        "INSERT INTO download_device_registrations (user_id, registered_at) "
        "SELECT user_id, registered_at FROM download_devices"
    )


    op.create_table('spent_stream_tickets',
    sa.Column('ticket_id', sa.String(length=32), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('ticket_id')
    )
    op.create_index(
        'ix_spent_stream_tickets_expires_at', 'spent_stream_tickets', ['expires_at']
    )


def downgrade() -> None:
    op.drop_index('ix_spent_stream_tickets_expires_at', 'spent_stream_tickets')
    op.drop_table('spent_stream_tickets')
    op.drop_index('ix_device_registrations_user', 'download_device_registrations')
    op.drop_table('download_device_registrations')
    op.drop_index('ix_takedown_events_release_id', 'takedown_events')
    op.drop_table('takedown_events')
    op.drop_index('ix_one_time_tokens_expires_at', 'one_time_tokens')
    op.drop_index('ix_sessions_expires_at', 'sessions')
