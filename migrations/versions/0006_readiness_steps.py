"""derived table of each engineer's readiness per role from one change to the next

Team and company figures read two rows per engineer and role (readiness as of the day and
8 weeks before) from `readiness_steps` instead of computing them from evidence. The rows are
computed by the app's readiness rules, so this revision creates the table empty and leaves
`catalogue_version.steps_rules` unset: until `flask figures rebuild` (or the first catalogue
change) fills it, figures are computed from evidence as before, and are the same.

Revision ID: 7c41d0e9a8b2
Revises: 254047fd1c24
Create Date: 2026-12-02 07:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '7c41d0e9a8b2'
down_revision = '254047fd1c24'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('readiness_steps',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('role_id', sa.Integer(), nullable=False),
    sa.Column('from_on', sa.Date(), nullable=False),
    sa.Column('until_on', sa.Date(), nullable=False),
    sa.Column('tenths', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['role_id'], ['target_roles.id'], name=op.f('fk_readiness_steps_role_id_target_roles')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_readiness_steps_user_id_users')),
    sa.PrimaryKeyConstraint('user_id', 'role_id', 'from_on', name=op.f('pk_readiness_steps')),
    info={'derived': True},
    sqlite_with_rowid=False,
    )
    with op.batch_alter_table('catalogue_version', schema=None) as batch_op:
        batch_op.add_column(sa.Column('steps_rules', sa.String(length=64), nullable=True))


def downgrade():
    with op.batch_alter_table('catalogue_version', schema=None) as batch_op:
        batch_op.drop_column('steps_rules')
    op.drop_table('readiness_steps')
