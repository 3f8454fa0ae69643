"""area summaries

An analyst's plain-language summary of a focus area, per report year and language.

Revision ID: 7e2f4a9c3b18
Revises: 7b1e4c9d2f60
Create Date: 2026-12-07 11:10:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '7e2f4a9c3b18'
down_revision = '7b1e4c9d2f60'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'area_summaries',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('focus_area_id', sa.Integer(), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('language', sa.String(length=10), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('updated_by_id', sa.Integer(), nullable=True),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['focus_area_id'], ['focus_areas.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('focus_area_id', 'year', 'language'),
    )
    with op.batch_alter_table('area_summaries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_area_summaries_focus_area_id'), ['focus_area_id'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('area_summaries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_area_summaries_focus_area_id'))
    op.drop_table('area_summaries')
