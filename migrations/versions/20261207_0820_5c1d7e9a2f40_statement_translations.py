"""statement translations, interpreters' languages, events that require translations

Revision ID: 5c1d7e9a2f40
Revises: c3a9d51e7f20
Create Date: 2026-12-07 08:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5c1d7e9a2f40'
down_revision = 'c3a9d51e7f20'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('dialog_statement_translations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('statement_id', sa.Integer(), nullable=False),
    sa.Column('language', sa.String(length=10), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('status', sa.Enum('machine', 'approved', name='dialog_translation_status', native_enum=False, length=10), nullable=False),
    sa.Column('translator_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['statement_id'], ['dialog_statements.id'], name=op.f('fk_dialog_statement_translations_statement_id_dialog_statements'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['translator_id'], ['users.id'], name=op.f('fk_dialog_statement_translations_translator_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dialog_statement_translations')),
    sa.UniqueConstraint('statement_id', 'language', name=op.f('uq_dialog_statement_translations_statement_id_language'))
    )
    with op.batch_alter_table('dialog_statement_translations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dialog_statement_translations_statement_id'), ['statement_id'], unique=False)

    with op.batch_alter_table('dialog_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('require_translations', sa.Boolean(), server_default=sa.false(), nullable=False))

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('languages', sa.JSON(), server_default='[]', nullable=False))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('languages')

    with op.batch_alter_table('dialog_events', schema=None) as batch_op:
        batch_op.drop_column('require_translations')

    with op.batch_alter_table('dialog_statement_translations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dialog_statement_translations_statement_id'))

    op.drop_table('dialog_statement_translations')
