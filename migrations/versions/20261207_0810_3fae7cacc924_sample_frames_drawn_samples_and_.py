"""sample frames, drawn samples and fieldwork outcomes; the fieldwork role (users.role is a
plain string column, so the new value needs no schema change)

Revision ID: 3fae7cacc924
Revises: 3f1c2a7d9e10
Create Date: 2026-12-07 08:10:56.729565

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3fae7cacc924'
down_revision = '3f1c2a7d9e10'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('sample_frames',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('survey_id', sa.Integer(), nullable=False),
    sa.Column('salt', sa.String(length=32), nullable=False),
    sa.Column('file_name', sa.String(length=200), nullable=False),
    sa.Column('row_count', sa.Integer(), nullable=False),
    sa.Column('skipped', sa.JSON(), nullable=False),
    sa.Column('imported_at', sa.DateTime(), nullable=False),
    sa.Column('imported_by_id', sa.Integer(), nullable=True),
    sa.Column('strata_columns', sa.JSON(), nullable=False),
    sa.Column('allocation', sa.JSON(), nullable=False),
    sa.Column('seed', sa.BigInteger(), nullable=True),
    sa.Column('drawn_at', sa.DateTime(), nullable=True),
    sa.Column('purged_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['imported_by_id'], ['users.id'], name=op.f('fk_sample_frames_imported_by_id_users')),
    sa.ForeignKeyConstraint(['survey_id'], ['surveys.id'], name=op.f('fk_sample_frames_survey_id_surveys'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sample_frames')),
    sa.UniqueConstraint('survey_id', name=op.f('uq_sample_frames_survey_id'))
    )
    op.create_table('sample_frame_rows',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('frame_id', sa.Integer(), nullable=False),
    sa.Column('line', sa.Integer(), nullable=False),
    sa.Column('person_hash', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('care_of', sa.String(length=200), nullable=False),
    sa.Column('street', sa.String(length=200), nullable=False),
    sa.Column('postal_code', sa.String(length=5), nullable=False),
    sa.Column('town', sa.String(length=100), nullable=False),
    sa.Column('birth_year', sa.Integer(), nullable=False),
    sa.Column('gender', sa.String(length=20), nullable=False),
    sa.Column('district', sa.String(length=100), nullable=False),
    sa.Column('birth_country_group', sa.String(length=40), nullable=False),
    sa.Column('language', sa.String(length=35), nullable=True),
    sa.Column('mobile', sa.String(length=30), nullable=True),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.ForeignKeyConstraint(['frame_id'], ['sample_frames.id'], name=op.f('fk_sample_frame_rows_frame_id_sample_frames'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sample_frame_rows')),
    sa.UniqueConstraint('frame_id', 'person_hash', name=op.f('uq_sample_frame_rows_frame_id_person_hash'))
    )
    with op.batch_alter_table('sample_frame_rows', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sample_frame_rows_frame_id'), ['frame_id'], unique=False)

    op.create_table('sample_mailings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('frame_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('letter', 'reminder_1', 'reminder_2', 'other', name='mailing_kind', native_enum=False, length=12), nullable=False),
    sa.Column('sent_on', sa.Date(), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['frame_id'], ['sample_frames.id'], name=op.f('fk_sample_mailings_frame_id_sample_frames'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sample_mailings'))
    )
    with op.batch_alter_table('sample_mailings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sample_mailings_frame_id'), ['frame_id'], unique=False)

    op.create_table('sample_strata',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('frame_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=300), nullable=False),
    sa.Column('values', sa.JSON(), nullable=False),
    sa.Column('population', sa.Integer(), nullable=False),
    sa.Column('sample_size', sa.Integer(), nullable=False),
    sa.Column('factor', sa.Double(), nullable=False),
    sa.CheckConstraint('sample_size <= population', name=op.f('ck_sample_strata_sample_within_population')),
    sa.ForeignKeyConstraint(['frame_id'], ['sample_frames.id'], name=op.f('fk_sample_strata_frame_id_sample_frames'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sample_strata')),
    sa.UniqueConstraint('frame_id', 'key', name=op.f('uq_sample_strata_frame_id_key'))
    )
    with op.batch_alter_table('sample_strata', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sample_strata_frame_id'), ['frame_id'], unique=False)

    op.create_table('sample_members',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('frame_id', sa.Integer(), nullable=False),
    sa.Column('stratum_id', sa.Integer(), nullable=False),
    sa.Column('frame_row_id', sa.Integer(), nullable=True),
    sa.Column('access_code', sa.String(length=16), nullable=False),
    sa.Column('language', sa.String(length=35), nullable=True),
    sa.Column('response_id', sa.Integer(), nullable=True),
    sa.Column('outcome', sa.Enum('complete', 'partial', 'refused', 'non_contact', 'deceased', 'unable', 'language_barrier', 'no_reply', 'unknown_address', 'other_unknown', 'moved_out', 'not_eligible', name='sample_outcome', native_enum=False, length=20), nullable=True),
    sa.Column('channel', sa.Enum('web', 'paper', 'interview', name='sample_channel', native_enum=False, length=10), nullable=True),
    sa.Column('outcome_on', sa.Date(), nullable=True),
    sa.Column('code_used_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['frame_id'], ['sample_frames.id'], name=op.f('fk_sample_members_frame_id_sample_frames'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['frame_row_id'], ['sample_frame_rows.id'], name=op.f('fk_sample_members_frame_row_id_sample_frame_rows'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['response_id'], ['responses.id'], name=op.f('fk_sample_members_response_id_responses'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['stratum_id'], ['sample_strata.id'], name=op.f('fk_sample_members_stratum_id_sample_strata'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sample_members')),
    sa.UniqueConstraint('frame_id', 'access_code', name=op.f('uq_sample_members_frame_id_access_code')),
    sa.UniqueConstraint('response_id', name=op.f('uq_sample_members_response_id'))
    )
    with op.batch_alter_table('sample_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sample_members_frame_id'), ['frame_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_sample_members_frame_row_id'), ['frame_row_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_sample_members_stratum_id'), ['stratum_id'], unique=False)

    op.create_table('sample_frame_uploads',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('survey_id', sa.Integer(), nullable=False),
    sa.Column('file_name', sa.String(length=200), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.Column('districts', sa.JSON(), nullable=False),
    sa.Column('skip', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['survey_id'], ['surveys.id'], name=op.f('fk_sample_frame_uploads_survey_id_surveys'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sample_frame_uploads'))
    )
    with op.batch_alter_table('sample_frame_uploads', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sample_frame_uploads_survey_id'), ['survey_id'], unique=False)


def downgrade():
    with op.batch_alter_table('sample_frame_uploads', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sample_frame_uploads_survey_id'))

    op.drop_table('sample_frame_uploads')

    with op.batch_alter_table('sample_members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sample_members_stratum_id'))
        batch_op.drop_index(batch_op.f('ix_sample_members_frame_row_id'))
        batch_op.drop_index(batch_op.f('ix_sample_members_frame_id'))

    op.drop_table('sample_members')
    with op.batch_alter_table('sample_strata', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sample_strata_frame_id'))

    op.drop_table('sample_strata')
    with op.batch_alter_table('sample_mailings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sample_mailings_frame_id'))

    op.drop_table('sample_mailings')
    with op.batch_alter_table('sample_frame_rows', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sample_frame_rows_frame_id'))

    op.drop_table('sample_frame_rows')
    op.drop_table('sample_frames')
