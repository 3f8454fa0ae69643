"""comparisons: a framework's comparison group and sharing, register indicators' Kolada KPIs

Revision ID: 7b1e4c9d2f60
Revises: 7b2e4f9c3d18
Create Date: 2026-12-07 11:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7b1e4c9d2f60'
down_revision = '7b2e4f9c3d18'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('comparison_settings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('framework_id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.String(length=20), nullable=True),
    sa.Column('group_title', sa.String(length=300), nullable=True),
    sa.Column('group_members', sa.JSON(), nullable=False),
    sa.Column('show_members', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('share_survey', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['framework_id'], ['indicator_frameworks.id'], name=op.f('fk_comparison_settings_framework_id_indicator_frameworks'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_comparison_settings')),
    sa.UniqueConstraint('framework_id', name=op.f('uq_comparison_settings_framework_id'))
    )
    op.create_table('register_comparisons',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('indicator_id', sa.Integer(), nullable=False),
    sa.Column('kpi', sa.String(length=20), nullable=False),
    sa.Column('gender', sa.String(length=1), server_default='T', nullable=False),
    sa.Column('kpi_title', sa.String(length=500), nullable=True),
    sa.Column('areas', sa.JSON(), nullable=False),
    sa.Column('problems', sa.JSON(), nullable=False),
    sa.Column('fetched_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['indicator_id'], ['indicators.id'], name=op.f('fk_register_comparisons_indicator_id_indicators'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_register_comparisons')),
    sa.UniqueConstraint('indicator_id', name=op.f('uq_register_comparisons_indicator_id'))
    )


def downgrade():
    op.drop_table('register_comparisons')
    op.drop_table('comparison_settings')
