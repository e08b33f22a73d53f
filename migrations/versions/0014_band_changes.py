"""derived table of by how many each team's engineers in each band change on each day

A team's trend read every step of every engineer of the team that reached into its 26 weeks
(about 3,000 rows for a team of 1,000). `band_changes` holds those steps netted per team, live
role, day and band, kept with `standing_counts` by every write
(tracker/operations/band_changes.py); this revision fills it from `readiness_steps` and the
people already there.

Revision ID: 4b8e1f6c2d73
Revises: 9d4b7e2a6f35
Create Date: 2026-12-03 10:30:00

"""
import datetime

from alembic import op
import sqlalchemy as sa


revision = '4b8e1f6c2d73'
down_revision = '9d4b7e2a6f35'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('band_changes',
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('role_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('band', sa.String(length=16), nullable=False),
    sa.Column('engineers', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['role_id'], ['target_roles.id'], name=op.f('fk_band_changes_role_id_target_roles')),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_band_changes_team_id_teams')),
    sa.PrimaryKeyConstraint('team_id', 'role_id', 'day', 'band', name=op.f('pk_band_changes')),
    info={'derived': True}
    )
    users = sa.table(
        'users',
        sa.column('id', sa.Integer),
        sa.column('team_id', sa.Integer),
        sa.column('active', sa.Boolean),
    )
    user_roles = sa.table('user_roles', sa.column('user_id', sa.Integer), sa.column('role', sa.String))
    roles = sa.table('target_roles', sa.column('id', sa.Integer), sa.column('archived_at', sa.DateTime))
    steps = sa.table(
        'readiness_steps',
        sa.column('user_id', sa.Integer),
        sa.column('role_id', sa.Integer),
        sa.column('from_on', sa.Date),
        sa.column('until_on', sa.Date),
        sa.column('tenths', sa.Integer),
    )
    engineer = sa.exists().where(user_roles.c.user_id == users.c.id, user_roles.c.role == 'engineer')
    people = (users.c.team_id.is_not(None), users.c.active.is_(sa.true()), engineer)
    live = roles.c.archived_at.is_(None)
    banded = sa.case(
        (steps.c.tenths >= 1000, sa.literal('ready', sa.String)),
        (steps.c.tenths >= 750, sa.literal('nearly_ready', sa.String)),
        (steps.c.tenths > 0, sa.literal('in_progress', sa.String)),
        else_=sa.literal('not_started', sa.String),
    )
    of_steps = (
        sa.select(users.c.team_id, steps.c.role_id, steps.c.from_on, banded, sa.literal(1, sa.Integer))
        .select_from(users)
        .join(steps, steps.c.user_id == users.c.id)
        .join(roles, sa.and_(roles.c.id == steps.c.role_id, live))
        .where(*people)
    )
    ends = of_steps.with_only_columns(
        users.c.team_id, steps.c.role_id, steps.c.until_on, banded, sa.literal(-1, sa.Integer)
    ).where(steps.c.until_on != datetime.date(9999, 12, 31))
    has_steps = sa.exists().where(steps.c.user_id == users.c.id, steps.c.role_id == roles.c.id)
    without = (
        sa.select(
            users.c.team_id,
            roles.c.id,
            sa.literal(datetime.date.min, sa.Date),
            sa.literal('none', sa.String),
            sa.literal(1, sa.Integer),
        )
        .select_from(users)
        .join(roles, live)
        .where(*people, sa.not_(has_steps))
    )
    changes = sa.union_all(of_steps, ends, without).subquery()
    team, role, day, band, one = changes.c
    counted = (
        sa.select(team, role, day, band, sa.func.sum(one))
        .group_by(team, role, day, band)
        .having(sa.func.sum(one) != 0)
    )
    table = sa.table(
        'band_changes',
        *(sa.column(name) for name in ('team_id', 'role_id', 'day', 'band', 'engineers')),
    )
    op.execute(table.insert().from_select([c.name for c in table.columns], counted))


def downgrade():
    op.drop_table('band_changes')
