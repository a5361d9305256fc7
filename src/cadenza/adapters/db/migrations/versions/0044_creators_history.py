"""the creators' side: membership spans (who was on which shared plan when, backfilled from
today's members, each from when they joined, under their subscription's plan); DDEX deal
schedules (each deal's territories and dates, for the deal clock); the artists' statistics
per month (tracks, facets, recency), filled from the daily ones

Revision ID: 0044
Revises: 0043
Create Date: 2026-12-07 11:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0044'
down_revision = '0043'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'membership_spans',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('subscription_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('plan', sa.String(length=30), nullable=False),
        sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index(
        'ix_membership_spans_subscription', 'membership_spans',
        ['subscription_id', 'started_at'],
    )
    op.create_index('ix_membership_spans_user_id', 'membership_spans', ['user_id'])
    op.create_table(
        'deal_schedules',
        sa.Column('release_id', sa.Integer(), nullable=False),
        sa.Column('distributor_id', sa.Integer(), nullable=False),
        sa.Column('windows', sa.JSON(), nullable=False),
        sa.Column('next_change_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['release_id'], ['releases.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('release_id'),
    )
    op.create_index(
        'ix_deal_schedules_next_change_at', 'deal_schedules', ['next_change_at']
    )
    clustered = {'sqlite_with_rowid': False}
    for table, keys, count in (
        ('stats_track_months', [('track_id', sa.Integer())], 'streams'),
        ('stats_facet_months', [('facet', sa.String(8)), ('value', sa.String(120))], 'streams'),
        ('stats_recency_months', [('facet', sa.String(8)), ('value', sa.String(120))], 'listeners'),
    ):
        op.create_table(
            table,
            sa.Column('artist_id', sa.Integer(), nullable=False),
            sa.Column('month', sa.Date(), nullable=False),
            *(sa.Column(name, kind, nullable=False) for name, kind in keys),
            sa.Column(count, sa.BigInteger(), nullable=False),
            sa.PrimaryKeyConstraint('artist_id', 'month', *(name for name, _ in keys)),
            **clustered,
        )
    month = (
        "CAST(date_trunc('month', {0}) AS DATE)"
        if op.get_bind().dialect.name == 'postgresql'
        else "date({0}, 'start of month')"
    )
    for table, source, day, keys, count in (
        ('stats_track_months', 'stats_track_days', 'day', 'track_id', 'streams'),
        ('stats_facet_months', 'stats_facet_days', 'day', 'facet, value', 'streams'),
        ('stats_recency_months', 'stats_recency', 'last_day', 'facet, value', 'listeners'),
    ):
        op.execute(
            f"INSERT INTO {table} (artist_id, month, {keys}, {count}) "
            f"SELECT artist_id, {month.format(day)}, {keys}, SUM({count}) FROM {source} "
            f"GROUP BY artist_id, {month.format(day)}, {keys}"
        )
    op.execute(
        "INSERT INTO membership_spans (subscription_id, user_id, plan, started_at) "
        "SELECT m.subscription_id, m.user_id, s.plan, m.joined_at "
        "FROM memberships m JOIN subscriptions s ON s.id = m.subscription_id"
    )


def downgrade() -> None:
    for table in ('stats_recency_months', 'stats_facet_months', 'stats_track_months'):
        op.drop_table(table)
    op.drop_index('ix_deal_schedules_next_change_at', table_name='deal_schedules')
    op.drop_table('deal_schedules')
    op.drop_index('ix_membership_spans_user_id', table_name='membership_spans')
    op.drop_index('ix_membership_spans_subscription', table_name='membership_spans')
    op.drop_table('membership_spans')
