"""derived tables figures read: each engineer's earliest counting evidence; the catalogue's version

Team and company figures need, per engineer, only the earliest date of each module, kind and
counting status. `evidence_firsts` holds exactly that, kept in step by every write
(tracker/operations/firsts.py), so a team of 1,000 reads about 6,000 rows instead of grouping
50,000 pieces of evidence. This revision fills it from the evidence already there.

`catalogue_version` holds one random token that every catalogue change replaces in its own
transaction, so a process can keep the catalogue it read while the token is unchanged.

The covering index that served that grouping goes; an index on (user_id, date) comes, so a
team's last activity is one index seek per engineer instead of a walk over their evidence.

Revision ID: 254047fd1c24
Revises: 4b8e6c1d2f30
Create Date: 2026-12-02 03:30:38

"""
from alembic import op
import uuid

import sqlalchemy as sa


revision = '254047fd1c24'
down_revision = '4b8e6c1d2f30'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('evidence_firsts',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('module_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('completion', 'attempt', name='evidence_kind', native_enum=False, length=16), nullable=False),
    sa.Column('status', sa.Enum('valid', 'pending', 'verified', 'rejected', 'withdrawn', name='evidence_status', native_enum=False, length=16), nullable=False),
    sa.Column('first_on', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['module_id'], ['modules.id'], name=op.f('fk_evidence_firsts_module_id_modules')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_evidence_firsts_user_id_users')),
    sa.PrimaryKeyConstraint('user_id', 'module_id', 'kind', 'status', name=op.f('pk_evidence_firsts')),
    info={'derived': True}
    )
    evidence = sa.table(
        'evidence',
        sa.column('user_id', sa.Integer),
        sa.column('module_id', sa.Integer),
        sa.column('kind', sa.String),
        sa.column('status', sa.String),
        sa.column('date', sa.Date),
        sa.column('passed', sa.Boolean),
    )
    firsts = sa.table(
        'evidence_firsts',
        sa.column('user_id'),
        sa.column('module_id'),
        sa.column('kind'),
        sa.column('status'),
        sa.column('first_on'),
    )
    earliest = (
        sa.select(
            evidence.c.user_id,
            evidence.c.module_id,
            evidence.c.kind,
            evidence.c.status,
            sa.func.min(evidence.c.date),
        )
        .where(
            evidence.c.status.in_(['valid', 'verified']),
            sa.or_(evidence.c.kind == 'completion', evidence.c.passed.is_(sa.true())),
        )
        .group_by(evidence.c.user_id, evidence.c.module_id, evidence.c.kind, evidence.c.status)
    )
    op.execute(
        firsts.insert().from_select(
            ['user_id', 'module_id', 'kind', 'status', 'first_on'], earliest
        )
    )


    op.create_table('catalogue_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=32), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_catalogue_version')),
    info={'derived': True}
    )
    version = sa.table('catalogue_version', sa.column('id'), sa.column('token'))
    op.execute(version.insert().values(id=1, token=uuid.uuid4().hex))
    with op.batch_alter_table('evidence', schema=None) as batch_op:
        batch_op.drop_index('ix_evidence_user_counting')
        batch_op.create_index('ix_evidence_user_date', ['user_id', 'date'], unique=False)


def downgrade():
    with op.batch_alter_table('evidence', schema=None) as batch_op:
        batch_op.drop_index('ix_evidence_user_date')
        batch_op.create_index(
            'ix_evidence_user_counting',
            ['user_id', 'status', 'kind', 'passed', 'module_id', 'date'],
            unique=False,
        )
    op.drop_table('catalogue_version')
    op.drop_table('evidence_firsts')
