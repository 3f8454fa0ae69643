"""survey definition version

Every change of a survey's pages or questions gives the survey a new definition version,
so answering pages can keep the definition per version instead of reading it per request.

Revision ID: 9d4e2b7c1a05
Revises: 5c0d7e1a2b44
Create Date: 2026-12-07 09:40:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '9d4e2b7c1a05'
down_revision = '5c0d7e1a2b44'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('surveys', schema=None) as batch_op:
        batch_op.add_column(sa.Column('definition_version', sa.String(length=16),
                                      server_default='0', nullable=False))


def downgrade():
    with op.batch_alter_table('surveys', schema=None) as batch_op:
        batch_op.drop_column('definition_version')
