"""derived table of a version token per team, for keys of cached team figures

A cached team chart was keyed by a summary of every member's evidence, read on each request:
one aggregate over all their evidence. `team_versions` holds a token per team that every
write a team figure shows replaces (tracker/operations/team_versions.py), so the key is one
read. Teams without a row yet get one at their next change; this revision gives every team one.

Revision ID: 8c1d4e7f2a90
Revises: 3e9f2b7a5c14
Create Date: 2026-12-02 09:30:00

"""
import uuid

from alembic import op
import sqlalchemy as sa


revision = '8c1d4e7f2a90'
down_revision = '3e9f2b7a5c14'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('team_versions',
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_team_versions_team_id_teams')),
    sa.PrimaryKeyConstraint('team_id', name=op.f('pk_team_versions')),
    info={'derived': True}
    )
    teams = sa.table('teams', sa.column('id', sa.Integer))
    versions = sa.table('team_versions', sa.column('team_id', sa.Integer), sa.column('token', sa.String))
    op.execute(
        versions.insert().from_select(
            ['team_id', 'token'], sa.select(teams.c.id, sa.literal(uuid.uuid4().hex))
        )
    )


def downgrade():
    op.drop_table('team_versions')
