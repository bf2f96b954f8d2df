"""checkpoint: format and quantisation re-uploads of a trained model (one row per trained model)

Revision ID: 0009
Revises: 0008 (re-chained at merge)
Create Date: 2026-12-07

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel


# revision identifiers, used by Alembic.
revision: str = '0009'
down_revision: Union[str, None] = '0008'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        'checkpoint',
        sa.Column('id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('model_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('name', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('format', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column('hf_repo_id', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column('organization_id', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column('source_id', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column('origin', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.ForeignKeyConstraint(['model_id'], ['model.id'], name=op.f('fk_checkpoint_model_id_model')),
        sa.ForeignKeyConstraint(['organization_id'], ['organization.id'],
                                name=op.f('fk_checkpoint_organization_id_organization')),
        sa.ForeignKeyConstraint(['source_id'], ['source.id'], name=op.f('fk_checkpoint_source_id_source')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_checkpoint')),
    )
    with op.batch_alter_table('checkpoint', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_checkpoint_model_id'), ['model_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('checkpoint', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_checkpoint_model_id'))
    op.drop_table('checkpoint')
