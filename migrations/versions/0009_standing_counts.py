"""derived table of how many engineers of each team stand at each readiness per role

The company view counted, on each view, one readiness step per active engineer and live role.
`standing_counts` holds those counts per team, role and readiness on each engineer's last step,
kept by every write (tracker/operations/standing_counts.py); this revision fills it from
`readiness_steps` and the people already there.

Revision ID: d2a7c4e9f1b6
Revises: 8c1d4e7f2a90
Create Date: 2026-12-02 10:00:00

"""
import datetime

from alembic import op
import sqlalchemy as sa


revision = 'd2a7c4e9f1b6'
down_revision = '8c1d4e7f2a90'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('standing_counts',
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('role_id', sa.Integer(), nullable=False),
    sa.Column('tenths', sa.Integer(), nullable=False),
    sa.Column('engineers', sa.Integer(), nullable=False),
    sa.Column('latest_on', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['role_id'], ['target_roles.id'], name=op.f('fk_standing_counts_role_id_target_roles')),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_standing_counts_team_id_teams')),
    sa.PrimaryKeyConstraint('team_id', 'role_id', 'tenths', name=op.f('pk_standing_counts')),
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
    counted = (
        sa.select(
            users.c.team_id,
            roles.c.id,
            sa.func.coalesce(steps.c.tenths, sa.literal_column('-1')),
            sa.func.count(),
            sa.func.max(steps.c.from_on),
        )
        .select_from(users)
        .join(roles, roles.c.archived_at.is_(None))
        .outerjoin(
            steps,
            sa.and_(
                steps.c.user_id == users.c.id,
                steps.c.role_id == roles.c.id,
                steps.c.until_on == datetime.date(9999, 12, 31),
            ),
        )
        .where(users.c.team_id.is_not(None), users.c.active.is_(sa.true()), engineer)
        .group_by(users.c.team_id, roles.c.id, steps.c.tenths)
    )
    counts = sa.table(
        'standing_counts',
        *(sa.column(name) for name in ('team_id', 'role_id', 'tenths', 'engineers', 'latest_on')),
    )
    op.execute(counts.insert().from_select([c.name for c in counts.columns], counted))


def downgrade():
    op.drop_table('standing_counts')
