"""ads: an index for the open breaks and one for a listener's ads heard

Revision ID: 0012
Revises: 0011
"""

from alembic import op


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_ad_breaks_open', 'ad_breaks', ['closed_at', 'opened_at'])
    op.create_index('ix_ad_impressions_account_at', 'ad_impressions', ['account_id', 'at'])


def downgrade() -> None:
    op.drop_index('ix_ad_impressions_account_at', table_name='ad_impressions')
    op.drop_index('ix_ad_breaks_open', table_name='ad_breaks')
