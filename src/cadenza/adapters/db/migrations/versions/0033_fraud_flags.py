"""fraud_flags: accounts whose counted streams the fraud job flagged as artificial, with the
evidence (score, reasons, window) and the admin's review (cleared or confirmed);
listening_addresses: the addresses each account posted listening events from, per day

Revision ID: 0033
Revises: 0035
Create Date: 2026-12-07 05:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0033'
down_revision = '0035'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'fraud_flags',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('score', sa.Float(), nullable=False),
        sa.Column('reasons', sa.JSON(), nullable=False),
        sa.Column('streams', sa.Integer(), nullable=False),
        sa.Column('window_start', sa.DateTime(timezone=True), nullable=False),
        sa.Column('window_end', sa.DateTime(timezone=True), nullable=False),
        sa.Column('flagged_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('reviewed_by', sa.Integer(), nullable=True),
        sa.Column('reviewed_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('cleared', sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_fraud_flags_user_id', 'fraud_flags', ['user_id'])
    op.create_index('ix_fraud_flags_open', 'fraud_flags', ['reviewed_at', 'flagged_at'])
    op.create_table(
        'listening_addresses',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('ip', sa.String(length=45), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('user_id', 'ip', 'day'),
    )


def downgrade() -> None:
    op.drop_table('listening_addresses')
    op.drop_index('ix_fraud_flags_open', table_name='fraud_flags')
    op.drop_index('ix_fraud_flags_user_id', table_name='fraud_flags')
    op.drop_table('fraud_flags')
