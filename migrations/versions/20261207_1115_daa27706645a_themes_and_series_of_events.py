"""themes and series of events

An organisation's themes, their tags on dialogue statements and free-text answers, their
goals; series of dialogue events, and the statement a carried-over statement copies.

Revision ID: daa27706645a
Revises: e4b7a2c9d013
Create Date: 2026-12-07 11:15:15.310430

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'daa27706645a'
down_revision = 'e4b7a2c9d013'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('event_series',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_event_series_organisation_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_event_series'))
    )
    with op.batch_alter_table('event_series', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_event_series_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('themes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.JSON(), nullable=False),
    sa.Column('key', sa.String(length=100), nullable=False),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_themes_organisation_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_themes')),
    sa.UniqueConstraint('organisation_id', 'key', name=op.f('uq_themes_organisation_id_key'))
    )
    with op.batch_alter_table('themes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_themes_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('event_series_members',
    sa.Column('series_id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['dialog_events.id'], name=op.f('fk_event_series_members_event_id_dialog_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['series_id'], ['event_series.id'], name=op.f('fk_event_series_members_series_id_event_series'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('event_id', name=op.f('pk_event_series_members'))
    )
    with op.batch_alter_table('event_series_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_event_series_members_series_id'), ['series_id'], unique=False)

    op.create_table('theme_goals',
    sa.Column('theme_id', sa.Integer(), nullable=False),
    sa.Column('goal_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['goal_id'], ['goals.id'], name=op.f('fk_theme_goals_goal_id_goals'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['theme_id'], ['themes.id'], name=op.f('fk_theme_goals_theme_id_themes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('theme_id', 'goal_id', name=op.f('pk_theme_goals'))
    )
    with op.batch_alter_table('theme_goals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_theme_goals_goal_id'), ['goal_id'], unique=False)

    op.create_table('theme_answers',
    sa.Column('answer_id', sa.Integer(), nullable=False),
    sa.Column('theme_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['answer_id'], ['answers.id'], name=op.f('fk_theme_answers_answer_id_answers'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['theme_id'], ['themes.id'], name=op.f('fk_theme_answers_theme_id_themes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('answer_id', 'theme_id', name=op.f('pk_theme_answers'))
    )
    with op.batch_alter_table('theme_answers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_theme_answers_theme_id'), ['theme_id'], unique=False)

    op.create_table('theme_statements',
    sa.Column('statement_id', sa.Integer(), nullable=False),
    sa.Column('theme_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['statement_id'], ['dialog_statements.id'], name=op.f('fk_theme_statements_statement_id_dialog_statements'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['theme_id'], ['themes.id'], name=op.f('fk_theme_statements_theme_id_themes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('statement_id', 'theme_id', name=op.f('pk_theme_statements'))
    )
    with op.batch_alter_table('theme_statements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_theme_statements_theme_id'), ['theme_id'], unique=False)

    with op.batch_alter_table('dialog_statements', schema=None) as batch_op:
        batch_op.add_column(sa.Column('carried_from_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_dialog_statements_carried_from_id'), ['carried_from_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_dialog_statements_carried_from_id_dialog_statements'), 'dialog_statements', ['carried_from_id'], ['id'], ondelete='SET NULL')



def downgrade():
    with op.batch_alter_table('dialog_statements', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_dialog_statements_carried_from_id_dialog_statements'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_dialog_statements_carried_from_id'))
        batch_op.drop_column('carried_from_id')

    with op.batch_alter_table('theme_statements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_theme_statements_theme_id'))

    op.drop_table('theme_statements')
    with op.batch_alter_table('theme_answers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_theme_answers_theme_id'))

    op.drop_table('theme_answers')
    with op.batch_alter_table('theme_goals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_theme_goals_goal_id'))

    op.drop_table('theme_goals')
    with op.batch_alter_table('event_series_members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_event_series_members_series_id'))

    op.drop_table('event_series_members')
    with op.batch_alter_table('themes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_themes_organisation_id'))

    op.drop_table('themes')
    with op.batch_alter_table('event_series', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_event_series_organisation_id'))

    op.drop_table('event_series')
