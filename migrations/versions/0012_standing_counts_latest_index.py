"""an index of the day the team counts hold from

Every read of `standing_counts` (the dashboard's bands, the company view, the team grid) first
asks the latest `latest_on`; without an index that is a scan of every team's counts (12 ms at
100,000 engineers on SQLite, on each first view of a dashboard).

Revision ID: 2f6a8d4c1e97
Revises: 7c3d9a1e5b24
Create Date: 2026-12-02 17:10:00

"""
from alembic import op


revision = '2f6a8d4c1e97'
down_revision = '7c3d9a1e5b24'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        op.f('ix_standing_counts_latest_on'), 'standing_counts', ['latest_on'], unique=False
    )


def downgrade():
    op.drop_index(op.f('ix_standing_counts_latest_on'), table_name='standing_counts')
