"""an index that answers figures for many people from the index alone

Team and company figures read, per engineer, the earliest evidence of each module, kind,
status and pass that can count. With every column it reads in one index, the database never
visits the evidence rows themselves (a team of 1,000 with 50 pieces each: ~150 ms -> ~50 ms on
SQLite).

Revision ID: 4b8e6c1d2f30
Revises: 9e4f1a2b3c6d
Create Date: 2026-12-01 22:10:00

"""
from alembic import op

revision = '4b8e6c1d2f30'
down_revision = '9e4f1a2b3c6d'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('evidence', schema=None) as batch_op:
        batch_op.create_index(
            'ix_evidence_user_counting',
            ['user_id', 'status', 'kind', 'passed', 'module_id', 'date'],
            unique=False,
        )


def downgrade():
    with op.batch_alter_table('evidence', schema=None) as batch_op:
        batch_op.drop_index('ix_evidence_user_counting')
