"""letter batches and each person's letter, e-mail or SMS of a mailing

Revision ID: 5c0d7e1a2b44
Revises: dd20e90b6b86
Create Date: 2026-12-07 08:50:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5c0d7e1a2b44'
down_revision = 'dd20e90b6b86'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('sample_deliveries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('mailing_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.Enum('letter', 'email', 'sms', name='delivery_channel', native_enum=False, length=10), nullable=False),
    sa.Column('sent_at', sa.DateTime(), nullable=True),
    sa.Column('error', sa.String(length=300), nullable=True),
    sa.ForeignKeyConstraint(['mailing_id'], ['sample_mailings.id'], name=op.f('fk_sample_deliveries_mailing_id_sample_mailings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['member_id'], ['sample_members.id'], name=op.f('fk_sample_deliveries_member_id_sample_members'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sample_deliveries')),
    sa.UniqueConstraint('mailing_id', 'member_id', 'channel', name=op.f('uq_sample_deliveries_mailing_id_member_id_channel'))
    )
    with op.batch_alter_table('sample_deliveries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sample_deliveries_mailing_id'), ['mailing_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_sample_deliveries_member_id'), ['member_id'], unique=False)

    op.create_table('sample_letter_batches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('mailing_id', sa.Integer(), nullable=False),
    sa.Column('job_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['job_id'], ['jobs.id'], name=op.f('fk_sample_letter_batches_job_id_jobs'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['mailing_id'], ['sample_mailings.id'], name=op.f('fk_sample_letter_batches_mailing_id_sample_mailings'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sample_letter_batches')),
    sa.UniqueConstraint('mailing_id', name=op.f('uq_sample_letter_batches_mailing_id'))
    )


def downgrade():
    op.drop_table('sample_letter_batches')
    with op.batch_alter_table('sample_deliveries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sample_deliveries_member_id'))
        batch_op.drop_index(batch_op.f('ix_sample_deliveries_mailing_id'))
    op.drop_table('sample_deliveries')
