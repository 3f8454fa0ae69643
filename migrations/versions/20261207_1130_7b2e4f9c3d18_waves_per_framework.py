"""waves per framework

A survey may be the wave of one year in several of the organisation's frameworks (each
computes the indicators it follows under its own rules): the survey is unique per
framework, no longer across all of them.

Revision ID: 7b2e4f9c3d18
Revises: daa27706645a
Create Date: 2026-12-07 11:30:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '7b2e4f9c3d18'
down_revision = 'daa27706645a'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('indicator_waves', schema=None) as batch_op:
        batch_op.drop_constraint('uq_indicator_waves_survey_id', type_='unique')
        batch_op.create_unique_constraint(
            batch_op.f('uq_indicator_waves_framework_id_survey_id'), ['framework_id', 'survey_id'])
        batch_op.create_index(batch_op.f('ix_indicator_waves_survey_id'), ['survey_id'],
                              unique=False)


def downgrade():
    # A survey counts in one framework again: the wave linked first keeps it.
    op.execute(sa.text(
        "DELETE FROM indicator_waves WHERE id NOT IN "
        "(SELECT MIN(w.id) FROM indicator_waves w GROUP BY w.survey_id)"))
    with op.batch_alter_table('indicator_waves', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_indicator_waves_survey_id'))
        batch_op.drop_constraint('uq_indicator_waves_framework_id_survey_id', type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_indicator_waves_survey_id'),
                                          ['survey_id'])
