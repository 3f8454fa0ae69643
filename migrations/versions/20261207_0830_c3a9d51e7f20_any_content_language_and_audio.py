"""any content language (BCP 47 tags, interface per language) and recorded audio

Revision ID: c3a9d51e7f20
Revises: 3fae7cacc924
Create Date: 2026-12-07 08:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c3a9d51e7f20'
down_revision = '3fae7cacc924'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('surveys', schema=None) as batch_op:
        batch_op.alter_column('default_language', existing_type=sa.String(length=10),
                              type_=sa.String(length=35), existing_nullable=False)
        batch_op.add_column(sa.Column('interface_languages', sa.JSON(), server_default='{}',
                                      nullable=False))
    with op.batch_alter_table('survey_questions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('audio', sa.JSON(), server_default='{}', nullable=False))
    with op.batch_alter_table('responses', schema=None) as batch_op:
        batch_op.alter_column('language', existing_type=sa.String(length=10),
                              type_=sa.String(length=35), existing_nullable=False)


def downgrade():
    with op.batch_alter_table('responses', schema=None) as batch_op:
        batch_op.alter_column('language', existing_type=sa.String(length=35),
                              type_=sa.String(length=10), existing_nullable=False)
    with op.batch_alter_table('survey_questions', schema=None) as batch_op:
        batch_op.drop_column('audio')
    with op.batch_alter_table('surveys', schema=None) as batch_op:
        batch_op.drop_column('interface_languages')
        batch_op.alter_column('default_language', existing_type=sa.String(length=35),
                              type_=sa.String(length=10), existing_nullable=False)
