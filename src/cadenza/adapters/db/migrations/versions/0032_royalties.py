"""royalties: closed months, their pools and lines under each model, payouts to distributors;
and an index on plays.royalty_month (a close reads its month's streams)

Revision ID: 0032
Revises: 0031
Create Date: 2026-12-07 05:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0032'
down_revision = '0031'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'royalty_months',
        sa.Column('month', sa.String(length=7), nullable=False),
        sa.Column('model', sa.String(length=20), nullable=False),
        sa.Column('closed_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('payable_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('streams', sa.BigInteger(), nullable=False),
        sa.Column('rules', sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint('month'),
    )
    op.create_table(
        'royalty_pools',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('month', sa.String(length=7), nullable=False),
        sa.Column('market', sa.String(length=2), nullable=False),
        sa.Column('model', sa.String(length=20), nullable=False),
        sa.Column('currency', sa.String(length=3), nullable=False),
        sa.Column('pool_cents', sa.BigInteger(), nullable=False),
        sa.Column('paid_cents', sa.BigInteger(), nullable=False),
        sa.Column('streams', sa.BigInteger(), nullable=False),
        sa.Column('flagged_streams', sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(['month'], ['royalty_months.month'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('uq_royalty_pool', 'royalty_pools', ['month', 'market', 'model'], unique=True)
    op.create_table(
        'royalty_lines',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('month', sa.String(length=7), nullable=False),
        sa.Column('model', sa.String(length=20), nullable=False),
        sa.Column('market', sa.String(length=2), nullable=False),
        sa.Column('track_id', sa.Integer(), nullable=False),
        sa.Column('distributor_id', sa.Integer(), nullable=False),
        sa.Column('isrc', sa.String(length=12), nullable=True),
        sa.Column('title', sa.String(length=1000), nullable=False),
        sa.Column('streams', sa.BigInteger(), nullable=False),
        sa.Column('amount_cents', sa.BigInteger(), nullable=False),
        sa.Column('currency', sa.String(length=3), nullable=False),
        sa.ForeignKeyConstraint(['month'], ['royalty_months.month'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index(
        'ix_royalty_lines_statement', 'royalty_lines', ['month', 'model', 'distributor_id']
    )
    op.create_table(
        'royalty_payouts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('distributor_id', sa.Integer(), nullable=False),
        sa.Column('month', sa.String(length=7), nullable=False),
        sa.Column('currency', sa.String(length=3), nullable=False),
        sa.Column('amount_cents', sa.BigInteger(), nullable=False),
        sa.Column('lines', sa.Integer(), nullable=False),
        sa.Column('paid_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['month'], ['royalty_months.month'], ondelete='RESTRICT'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index(
        'uq_royalty_payout', 'royalty_payouts', ['distributor_id', 'month', 'currency'],
        unique=True,
    )
    op.create_index(
        op.f('ix_royalty_payouts_distributor_id'), 'royalty_payouts', ['distributor_id']
    )
    op.create_index('ix_plays_royalty_month', 'plays', ['royalty_month'])


def downgrade() -> None:
    op.drop_index('ix_plays_royalty_month', table_name='plays')
    op.drop_index(op.f('ix_royalty_payouts_distributor_id'), table_name='royalty_payouts')
    op.drop_index('uq_royalty_payout', table_name='royalty_payouts')
    op.drop_table('royalty_payouts')
    op.drop_index('ix_royalty_lines_statement', table_name='royalty_lines')
    op.drop_table('royalty_lines')
    op.drop_index('uq_royalty_pool', table_name='royalty_pools')
    op.drop_table('royalty_pools')
    op.drop_table('royalty_months')
