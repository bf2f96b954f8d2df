"""model: data set tokens apart from tokens seen, epochs, a source's utilisation and frontier flag (the cost columns came with 0010)

Revision ID: 0014
Revises: 0011
Create Date: 2026-12-07

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0014'
down_revision: Union[str, None] = '0011'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

COLUMNS = (('training_dataset_tokens', sa.Float()), ('training_epochs', sa.Float()),
           ('hardware_utilization_mfu', sa.Float()), ('hardware_utilization_hfu', sa.Float()),
           ('frontier_model', sa.Boolean()))


def upgrade() -> None:
    with op.batch_alter_table('model', schema=None) as batch_op:
        for name, kind in COLUMNS:
            batch_op.add_column(sa.Column(name, kind, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('model', schema=None) as batch_op:
        for name, _ in reversed(COLUMNS):
            batch_op.drop_column(name)
