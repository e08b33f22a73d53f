"""integration accounts, and xAPI statements that wait for a mapping

Integration accounts (a learning platform, a directory) own API tokens with scopes and are
not people: a token now belongs to a person or to an integration, never both. xAPI
statements record who or what sent them and why one was not recorded; L&D's mappings of
activity ids to modules and of addresses to people get their own tables. Existing
statements keep their outcome; their reason starts empty.

Revision ID: 9e4f1a2b3c6d
Revises: 7c1d2e3f4a5b
Create Date: 2026-12-01 21:40:00

"""
from alembic import op
import sqlalchemy as sa


revision = '9e4f1a2b3c6d'
down_revision = '7c1d2e3f4a5b'
branch_labels = None
depends_on = None

OUTCOME = sa.Enum('recorded', 'unmatched', 'not_recorded', 'ignored', name='xapi_outcome', native_enum=False, length=16)


def upgrade():
    op.create_table('integrations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('scopes', sa.String(length=64), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('revoked_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_integrations_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_integrations')),
    sa.UniqueConstraint('name', name=op.f('uq_integrations_name'))
    )
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.add_column(sa.Column('integration_id', sa.Integer(), nullable=True))
        batch_op.alter_column('user_id', existing_type=sa.Integer(), nullable=True)
        batch_op.create_index(batch_op.f('ix_api_tokens_integration_id'), ['integration_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_api_tokens_integration_id_integrations'), 'integrations', ['integration_id'], ['id'])
        batch_op.create_check_constraint('one_owner', '(user_id IS NULL) <> (integration_id IS NULL)')

    op.create_table('xapi_activity_links',
    sa.Column('activity', sa.String(length=500), nullable=False),
    sa.Column('module_id', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_xapi_activity_links_created_by_id_users')),
    sa.ForeignKeyConstraint(['module_id'], ['modules.id'], name=op.f('fk_xapi_activity_links_module_id_modules')),
    sa.PrimaryKeyConstraint('activity', name=op.f('pk_xapi_activity_links'))
    )
    with op.batch_alter_table('xapi_activity_links', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_xapi_activity_links_module_id'), ['module_id'], unique=False)

    op.create_table('xapi_actor_links',
    sa.Column('address', sa.String(length=254), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_xapi_actor_links_created_by_id_users')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_xapi_actor_links_user_id_users')),
    sa.PrimaryKeyConstraint('address', name=op.f('pk_xapi_actor_links'))
    )
    with op.batch_alter_table('xapi_actor_links', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_xapi_actor_links_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('xapi_statements', schema=None) as batch_op:
        batch_op.add_column(sa.Column('received_via_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('reason', sa.String(length=300), nullable=False, server_default=''))
        batch_op.alter_column('outcome', existing_type=sa.String(length=32), type_=OUTCOME, existing_nullable=False)
        batch_op.create_foreign_key(batch_op.f('fk_xapi_statements_received_via_id_integrations'), 'integrations', ['received_via_id'], ['id'])
        batch_op.create_index(batch_op.f('ix_xapi_statements_actor_email'), ['actor_email'], unique=False)
        batch_op.create_index('ix_xapi_statements_outcome_activity', ['outcome', 'activity'], unique=False)
    with op.batch_alter_table('xapi_statements', schema=None) as batch_op:
        batch_op.alter_column('reason', server_default=None)


def downgrade():
    # Tokens of integrations and the mappings have no place in the older schema: they go.
    with op.batch_alter_table('xapi_statements', schema=None) as batch_op:
        batch_op.drop_index('ix_xapi_statements_outcome_activity')
        batch_op.drop_index(batch_op.f('ix_xapi_statements_actor_email'))
        batch_op.drop_constraint(batch_op.f('fk_xapi_statements_received_via_id_integrations'), type_='foreignkey')
        batch_op.drop_column('reason')
        batch_op.alter_column('outcome', existing_type=OUTCOME, type_=sa.String(length=32), existing_nullable=False)
        batch_op.drop_column('received_via_id')
    with op.batch_alter_table('xapi_actor_links', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_xapi_actor_links_user_id'))
    op.drop_table('xapi_actor_links')
    with op.batch_alter_table('xapi_activity_links', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_xapi_activity_links_module_id'))
    op.drop_table('xapi_activity_links')
    op.execute('DELETE FROM api_tokens WHERE user_id IS NULL')
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_constraint('one_owner', type_='check')
        batch_op.drop_constraint(batch_op.f('fk_api_tokens_integration_id_integrations'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_api_tokens_integration_id'))
        batch_op.alter_column('user_id', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column('integration_id')
    op.drop_table('integrations')
