"""claim history: self-assessments as they were made, so claims can be read as of a date

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


def upgrade():
    op.create_table('claim_history',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('competency_id', sa.Integer(), nullable=False),
    sa.Column('level', sa.Integer(), nullable=False),
    sa.Column('claimed_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('level BETWEEN 0 AND 4', name=op.f('ck_claim_history_level_range')),
    sa.ForeignKeyConstraint(['competency_id'], ['competencies.id'], name=op.f('fk_claim_history_competency_id_competencies')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_claim_history_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_claim_history'))
    )
    with op.batch_alter_table('claim_history', schema=None) as batch_op:
        batch_op.create_index('ix_claim_history_user_claimed', ['user_id', 'claimed_at'], unique=False)
    # Every claim made so far enters the history at the time it was last changed.
    op.execute(
        'INSERT INTO claim_history (user_id, competency_id, level, claimed_at) '
        'SELECT user_id, competency_id, level, updated_at FROM self_assessments'
    )


def downgrade():
    with op.batch_alter_table('claim_history', schema=None) as batch_op:
        batch_op.drop_index('ix_claim_history_user_claimed')
    op.drop_table('claim_history')
