"""frameworks, goal trees and action plans

An organisation may now hold several frameworks: the one each organisation had becomes its
default framework (is_default), so its waves, dashboards, report and API carry on unchanged.

Revision ID: 29a89fe3d8e1
Revises: 5c1d7e9a2f40
Create Date: 2026-12-07 08:16:23.833646

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '29a89fe3d8e1'
down_revision = '5c1d7e9a2f40'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('org_units',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.Enum('committee', 'administration', 'company', name='unit_kind', native_enum=False, length=20), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_org_units_organisation_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_org_units')),
    sa.UniqueConstraint('organisation_id', 'name', name=op.f('uq_org_units_organisation_id_name'))
    )
    with op.batch_alter_table('org_units', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_org_units_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('actions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.JSON(), nullable=False),
    sa.Column('description', sa.JSON(), nullable=False),
    sa.Column('contact_name', sa.String(length=200), nullable=False),
    sa.Column('contact', sa.String(length=254), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=True),
    sa.Column('status', sa.Enum('planned', 'started', 'done', 'stopped', name='action_status', native_enum=False, length=10), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('ends_on IS NULL OR ends_on >= starts_on', name=op.f('ck_actions_ends_after_start')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_actions_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['unit_id'], ['org_units.id'], name=op.f('fk_actions_unit_id_org_units'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_actions'))
    )
    with op.batch_alter_table('actions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_actions_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_actions_unit_id'), ['unit_id'], unique=False)

    op.create_table('unit_reporters',
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['unit_id'], ['org_units.id'], name=op.f('fk_unit_reporters_unit_id_org_units'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_unit_reporters_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('unit_id', 'user_id', name=op.f('pk_unit_reporters'))
    )
    with op.batch_alter_table('unit_reporters', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_unit_reporters_user_id'), ['user_id'], unique=False)

    op.create_table('action_links',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('action_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('target_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['action_id'], ['actions.id'], name=op.f('fk_action_links_action_id_actions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_action_links')),
    sa.UniqueConstraint('action_id', 'kind', 'target_id', name=op.f('uq_action_links_action_id_kind_target_id'))
    )
    with op.batch_alter_table('action_links', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_action_links_action_id'), ['action_id'], unique=False)

    op.create_table('action_updates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('action_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('planned', 'started', 'done', 'stopped', name='action_update_status', native_enum=False, length=10), nullable=False),
    sa.Column('on_date', sa.Date(), nullable=False),
    sa.Column('comment', sa.String(length=500), nullable=False),
    sa.Column('by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['action_id'], ['actions.id'], name=op.f('fk_action_updates_action_id_actions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['by_id'], ['users.id'], name=op.f('fk_action_updates_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_action_updates'))
    )
    with op.batch_alter_table('action_updates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_action_updates_action_id'), ['action_id'], unique=False)

    op.create_table('action_goals',
    sa.Column('action_id', sa.Integer(), nullable=False),
    sa.Column('goal_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['action_id'], ['actions.id'], name=op.f('fk_action_goals_action_id_actions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['goal_id'], ['goals.id'], name=op.f('fk_action_goals_goal_id_goals'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('action_id', 'goal_id', name=op.f('pk_action_goals'))
    )
    with op.batch_alter_table('action_goals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_action_goals_goal_id'), ['goal_id'], unique=False)

    op.create_table('action_indicators',
    sa.Column('action_id', sa.Integer(), nullable=False),
    sa.Column('indicator_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['action_id'], ['actions.id'], name=op.f('fk_action_indicators_action_id_actions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['indicator_id'], ['indicators.id'], name=op.f('fk_action_indicators_indicator_id_indicators'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('action_id', 'indicator_id', name=op.f('pk_action_indicators'))
    )
    with op.batch_alter_table('action_indicators', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_action_indicators_indicator_id'), ['indicator_id'], unique=False)

    op.create_table('goal_indicators',
    sa.Column('goal_id', sa.Integer(), nullable=False),
    sa.Column('indicator_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['goal_id'], ['goals.id'], name=op.f('fk_goal_indicators_goal_id_goals'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['indicator_id'], ['indicators.id'], name=op.f('fk_goal_indicators_indicator_id_indicators'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('goal_id', 'indicator_id', name=op.f('pk_goal_indicators'))
    )
    with op.batch_alter_table('goal_indicators', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_goal_indicators_indicator_id'), ['indicator_id'], unique=False)

    with op.batch_alter_table('goals', schema=None) as batch_op:
        batch_op.add_column(sa.Column('archived_at', sa.DateTime(), nullable=True))
        batch_op.create_index(batch_op.f('ix_goals_parent_id'), ['parent_id'], unique=False)

    with op.batch_alter_table('indicator_frameworks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('is_default', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('position', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('archived_at', sa.DateTime(), nullable=True))
        batch_op.drop_constraint(batch_op.f('uq_indicator_frameworks_organisation_id'), type_='unique')
        batch_op.create_index(batch_op.f('ix_indicator_frameworks_organisation_id'), ['organisation_id'], unique=False)

    # every framework so far was its organisation's only one: it is the default
    op.execute(sa.text("UPDATE indicator_frameworks SET is_default = :yes").bindparams(yes=True))


def downgrade():
    # one framework per organisation again: the others (and their goals) go
    op.execute(sa.text("DELETE FROM indicator_frameworks WHERE NOT is_default"))
    with op.batch_alter_table('indicator_frameworks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_indicator_frameworks_organisation_id'))
        batch_op.create_unique_constraint(batch_op.f('uq_indicator_frameworks_organisation_id'), ['organisation_id'])
        batch_op.drop_column('archived_at')
        batch_op.drop_column('position')
        batch_op.drop_column('is_default')

    with op.batch_alter_table('goals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_goals_parent_id'))
        batch_op.drop_column('archived_at')

    with op.batch_alter_table('goal_indicators', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_goal_indicators_indicator_id'))

    op.drop_table('goal_indicators')
    with op.batch_alter_table('action_indicators', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_action_indicators_indicator_id'))

    op.drop_table('action_indicators')
    with op.batch_alter_table('action_goals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_action_goals_goal_id'))

    op.drop_table('action_goals')
    with op.batch_alter_table('action_updates', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_action_updates_action_id'))

    op.drop_table('action_updates')
    with op.batch_alter_table('action_links', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_action_links_action_id'))

    op.drop_table('action_links')
    with op.batch_alter_table('unit_reporters', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_unit_reporters_user_id'))

    op.drop_table('unit_reporters')
    with op.batch_alter_table('actions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_actions_unit_id'))
        batch_op.drop_index(batch_op.f('ix_actions_organisation_id'))

    op.drop_table('actions')
    with op.batch_alter_table('org_units', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_org_units_organisation_id'))

    op.drop_table('org_units')
