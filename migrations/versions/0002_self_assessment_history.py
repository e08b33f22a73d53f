"""self-assessments become a dated history, so claims can be read as of a date

Each row is now one claim as it was made (id, user, competency, level, claimed_at); the latest
row per competency is the current claim. Existing claims enter the history at the time they
were last changed.

Revision ID: 7c1d2e3f4a5b
Revises: 5994b9aa692c
Create Date: 2026-12-01 11:45:00

"""
from alembic import op
import sqlalchemy as sa


revision = '7c1d2e3f4a5b'
down_revision = '5994b9aa692c'
branch_labels = None
depends_on = None


def _copy_aside():
    op.create_table('self_assessments_copy',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('competency_id', sa.Integer(), nullable=False),
    sa.Column('level', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    )


def upgrade():
    _copy_aside()
    op.execute(
        'INSERT INTO self_assessments_copy (user_id, competency_id, level, at) '
        'SELECT user_id, competency_id, level, updated_at FROM self_assessments'
    )
    op.drop_table('self_assessments')
    op.create_table('self_assessments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('competency_id', sa.Integer(), nullable=False),
    sa.Column('level', sa.Integer(), nullable=False),
    sa.Column('claimed_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('level BETWEEN 0 AND 4', name=op.f('ck_self_assessments_level_range')),
    sa.ForeignKeyConstraint(['competency_id'], ['competencies.id'], name=op.f('fk_self_assessments_competency_id_competencies')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_self_assessments_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_self_assessments'))
    )
    with op.batch_alter_table('self_assessments', schema=None) as batch_op:
        batch_op.create_index('ix_self_assessments_user_claimed', ['user_id', 'claimed_at'], unique=False)
    op.execute(
        'INSERT INTO self_assessments (user_id, competency_id, level, claimed_at) '
        'SELECT user_id, competency_id, level, at FROM self_assessments_copy'
    )
    op.drop_table('self_assessments_copy')


def downgrade():
    # Back to one row per (person, competency): the latest claim of each.
    _copy_aside()
    op.execute(
        'INSERT INTO self_assessments_copy (user_id, competency_id, level, at) '
        'SELECT s.user_id, s.competency_id, s.level, s.claimed_at FROM self_assessments s '
        'WHERE s.id = (SELECT MAX(t.id) FROM self_assessments t '
        'WHERE t.user_id = s.user_id AND t.competency_id = s.competency_id)'
    )
    with op.batch_alter_table('self_assessments', schema=None) as batch_op:
        batch_op.drop_index('ix_self_assessments_user_claimed')
    op.drop_table('self_assessments')
    op.create_table('self_assessments',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('competency_id', sa.Integer(), nullable=False),
    sa.Column('level', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('level BETWEEN 0 AND 4', name=op.f('ck_self_assessments_level_range')),
    sa.ForeignKeyConstraint(['competency_id'], ['competencies.id'], name=op.f('fk_self_assessments_competency_id_competencies')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_self_assessments_user_id_users')),
    sa.PrimaryKeyConstraint('user_id', 'competency_id', name=op.f('pk_self_assessments'))
    )
    op.execute(
        'INSERT INTO self_assessments (user_id, competency_id, level, updated_at) '
        'SELECT user_id, competency_id, level, at FROM self_assessments_copy'
    )
    op.drop_table('self_assessments_copy')
