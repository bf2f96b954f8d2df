"""innovation_summary: (a) the gain at the smallest measured compute, (b) the trend, heterogeneity, comparison

Revision ID: 0011
Revises: 0008 (re-chained at merge)
Create Date: 2026-12-07

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel


# revision identifiers, used by Alembic.
revision: str = '0011'
down_revision: Union[str, None] = '0013'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

FLOATS = ('gain_small', 'gain_small_lower', 'gain_small_upper', 'compute_small', 'tau', 'i_squared')


def upgrade() -> None:
    with op.batch_alter_table('innovation_summary', schema=None) as batch_op:
        for name in FLOATS:
            batch_op.add_column(sa.Column(name, sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('trend', sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        batch_op.add_column(sa.Column('series_disagree', sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column('comparison', sqlmodel.sql.sqltypes.AutoString(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('innovation_summary', schema=None) as batch_op:
        for name in ('comparison', 'series_disagree', 'trend', *reversed(FLOATS)):
            batch_op.drop_column(name)
