"""dialogue events for young people, languages spoken at home

An event can be for children and young people (what under-13s write waits for a moderator);
the check-in asks the languages spoken at home.

Revision ID: e4b7a2c9d013
Revises: 9d4e2b7c1a05
Create Date: 2026-12-07 11:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'e4b7a2c9d013'
down_revision = '9d4e2b7c1a05'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('dialog_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('for_young_people', sa.Boolean(),
                                      server_default=sa.false(), nullable=False))
    with op.batch_alter_table('dialog_participants', schema=None) as batch_op:
        batch_op.add_column(sa.Column('home_languages', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('dialog_participants', schema=None) as batch_op:
        batch_op.drop_column('home_languages')
    with op.batch_alter_table('dialog_events', schema=None) as batch_op:
        batch_op.drop_column('for_young_people')
