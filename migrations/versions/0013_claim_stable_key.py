"""claim.stable_key: a claim's key that survives rebuilds (its citable URL /claim/<stable_key>)

Revision ID: 0013
Revises: 0008 (re-chained at merge)
Create Date: 2026-12-07

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel


# revision identifiers, used by Alembic.
revision: str = '0013'
down_revision: Union[str, None] = '0010'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('claim', schema=None) as batch_op:
        batch_op.add_column(sa.Column('stable_key', sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        batch_op.create_index('ix_claim_stable_key', ['stable_key'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('claim', schema=None) as batch_op:
        batch_op.drop_index('ix_claim_stable_key')
        batch_op.drop_column('stable_key')
