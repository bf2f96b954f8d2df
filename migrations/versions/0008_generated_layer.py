"""generated layer: warnings on models and hardware, hardware origin

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel


# revision identifiers, used by Alembic.
revision: str = '0008'
down_revision: Union[str, None] = '0007'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('hardware', schema=None) as batch_op:
        batch_op.add_column(sa.Column('origin', sqlmodel.sql.sqltypes.AutoString(), nullable=False,
                                      server_default='curated'))
        batch_op.add_column(sa.Column('warnings', sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        batch_op.add_column(sa.Column('warning_fields', sqlmodel.sql.sqltypes.AutoString(), nullable=True))
    with op.batch_alter_table('model', schema=None) as batch_op:
        batch_op.add_column(sa.Column('warnings', sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        batch_op.add_column(sa.Column('warning_fields', sqlmodel.sql.sqltypes.AutoString(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('model', schema=None) as batch_op:
        batch_op.drop_column('warning_fields')
        batch_op.drop_column('warnings')
    with op.batch_alter_table('hardware', schema=None) as batch_op:
        batch_op.drop_column('warning_fields')
        batch_op.drop_column('warnings')
        batch_op.drop_column('origin')
