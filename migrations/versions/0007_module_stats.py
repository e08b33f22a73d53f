"""derived table of how each module's evidence adds up, per value of hours

The company view's module insight (completions, pass rate, median hours, rejection rate)
counted every piece of evidence on each view. `module_stats` holds those counts per module and
value of hours, kept by every write (tracker/operations/module_stats.py); this revision fills
it from the evidence already there.

Revision ID: 3e9f2b7a5c14
Revises: 7c41d0e9a8b2
Create Date: 2026-12-02 07:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '3e9f2b7a5c14'
down_revision = '7c41d0e9a8b2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('module_stats',
    sa.Column('module_id', sa.Integer(), nullable=False),
    sa.Column('hours_tenths', sa.Integer(), nullable=False),
    sa.Column('pieces', sa.Integer(), nullable=False),
    sa.Column('completions', sa.Integer(), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('passed', sa.Integer(), nullable=False),
    sa.Column('rejected', sa.Integer(), nullable=False),
    sa.Column('decided', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['module_id'], ['modules.id'], name=op.f('fk_module_stats_module_id_modules')),
    sa.PrimaryKeyConstraint('module_id', 'hours_tenths', name=op.f('pk_module_stats')),
    info={'derived': True}
    )
    evidence = sa.table(
        'evidence',
        sa.column('module_id', sa.Integer),
        sa.column('hours', sa.Numeric),
        sa.column('kind', sa.String),
        sa.column('status', sa.String),
        sa.column('passed', sa.Boolean),
        sa.column('decided_at', sa.DateTime),
    )
    hours = sa.case(
        (evidence.c.hours.is_(None), -1),
        else_=sa.cast(sa.func.round(evidence.c.hours * 10), sa.Integer),
    )

    def count(when):
        return sa.func.sum(sa.case((when, 1), else_=0))

    counted = (
        sa.select(
            evidence.c.module_id,
            hours,
            sa.func.count(),
            count(evidence.c.kind == 'completion'),
            count(evidence.c.kind == 'attempt'),
            count(evidence.c.passed.is_(sa.true())),
            count(evidence.c.status == 'rejected'),
            count(evidence.c.decided_at.is_not(None)),
        )
        .where(evidence.c.status != 'withdrawn')
        .group_by(evidence.c.module_id, hours)
    )
    stats = sa.table(
        'module_stats',
        *(sa.column(name) for name in (
            'module_id', 'hours_tenths', 'pieces', 'completions', 'attempts', 'passed',
            'rejected', 'decided',
        )),
    )
    op.execute(stats.insert().from_select([c.name for c in stats.columns], counted))


def downgrade():
    op.drop_table('module_stats')
