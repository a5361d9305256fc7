"""rooms: publishing a recording as an episode runs in the background, polled

`room_episode_jobs` keeps each publishing of a room's recording to a show (one per room and
show: publishing twice finds it), its stage, progress, episode or error; a server restarted
mid-publish runs the queued and processing ones again.

Revision ID: 0056
Revises: 0055
Create Date: 2026-12-07 21:20:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0056'
down_revision = '0055'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'room_episode_jobs',
        sa.Column('id', sa.String(36), primary_key=True),
        sa.Column('room_id', sa.Integer, sa.ForeignKey('rooms.id', ondelete='CASCADE'),
                  nullable=False),
        sa.Column('show_id', sa.Integer,
                  sa.ForeignKey('podcast_shows.id', ondelete='CASCADE'), nullable=False),
        sa.Column('account_id', sa.Integer, sa.ForeignKey('users.id', ondelete='CASCADE'),
                  nullable=False),
        sa.Column('title', sa.String(300), nullable=False),
        sa.Column('notes', sa.Text, nullable=False),
        sa.Column('status', sa.String(12), nullable=False),
        sa.Column('stage', sa.String(20), nullable=True),
        sa.Column('progress', sa.Float, nullable=False),
        sa.Column('episode_id', sa.Integer, nullable=True),
        sa.Column('error_code', sa.String(40), nullable=True),
        sa.Column('error_message', sa.Text, nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint('room_id', 'show_id', name='uq_room_episode_jobs_room_show'),
    )
    op.create_index('ix_room_episode_jobs_status', 'room_episode_jobs', ['status'])


def downgrade() -> None:
    op.drop_index('ix_room_episode_jobs_status', table_name='room_episode_jobs')
    op.drop_table('room_episode_jobs')
