"""identity from the company's directory: single sign-on subject and SCIM external ids

`users.sso_subject` is the OpenID Connect provider's `sub` for a person, stored at their first
single sign-on so a later change of email still finds them; `users.external_id` and
`teams.external_id` hold the `externalId` a SCIM client gave a person or a group;
`users.deprovisioned_at` says when a SCIM client deleted a person, who is kept, inactive.

Revision ID: 5b8e2f0c7a13
Revises: d2a7c4e9f1b6
Create Date: 2026-12-02 12:40:00

"""
from alembic import op
import sqlalchemy as sa


revision = '5b8e2f0c7a13'
down_revision = 'd2a7c4e9f1b6'
branch_labels = None
depends_on = None


def upgrade():
    # plain ADD COLUMN and a unique index: no table copy, so SQLite keeps the rows that
    # reference people as they are
    op.add_column('users', sa.Column('sso_subject', sa.String(length=255), nullable=True))
    op.add_column('users', sa.Column('external_id', sa.String(length=255), nullable=True))
    op.add_column('users', sa.Column('deprovisioned_at', sa.DateTime(), nullable=True))
    op.create_index(op.f('ix_users_sso_subject'), 'users', ['sso_subject'], unique=True)
    op.add_column('teams', sa.Column('external_id', sa.String(length=255), nullable=True))


def downgrade():
    op.drop_column('teams', 'external_id')
    op.drop_index(op.f('ix_users_sso_subject'), table_name='users')
    op.drop_column('users', 'deprovisioned_at')
    op.drop_column('users', 'external_id')
    op.drop_column('users', 'sso_subject')
