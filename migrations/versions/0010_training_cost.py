"""training cost: hardware_price (Epoch's price series), price_index (FRED), the model's cost columns

Revision ID: 0010
Revises: 0008
Create Date: 2026-12-07

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel


# revision identifiers, used by Alembic.
revision: str = '0010'
down_revision: Union[str, None] = '0016'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

COST_COLUMNS = ('training_cost_cloud_usd', 'training_cost_amortized_usd', 'training_cost_upfront_usd')


def upgrade() -> None:
    text = sqlmodel.sql.sqltypes.AutoString
    op.create_table(
        'hardware_price',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('hardware_id', text(), nullable=False),
        sa.Column('chip_name', text(), nullable=False),
        sa.Column('price_date', text(), nullable=False),
        sa.Column('provider', text(), nullable=True),
        sa.Column('location', text(), nullable=True),
        sa.Column('on_demand_usd_per_hour', sa.Float(), nullable=True),
        sa.Column('commit_1y_usd_per_hour', sa.Float(), nullable=True),
        sa.Column('commit_3y_usd_per_hour', sa.Float(), nullable=True),
        sa.Column('purchase_usd', sa.Float(), nullable=True),
        sa.Column('single_unit', sa.Boolean(), nullable=True),
        sa.Column('price_url', text(), nullable=True),
        sa.Column('source_id', text(), nullable=False),
        sa.Column('locator', text(), nullable=False),
        sa.Column('origin', text(), nullable=False),
        sa.Column('origin_ref', text(), nullable=True),
        sa.ForeignKeyConstraint(['hardware_id'], ['hardware.id'], name=op.f('fk_hardware_price_hardware_id_hardware')),
        sa.ForeignKeyConstraint(['source_id'], ['source.id'], name=op.f('fk_hardware_price_source_id_source')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_hardware_price')),
    )
    with op.batch_alter_table('hardware_price', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_hardware_price_hardware_id'), ['hardware_id'], unique=False)
    op.create_table(
        'price_index',
        sa.Column('series', text(), nullable=False),
        sa.Column('month', text(), nullable=False),
        sa.Column('value', sa.Float(), nullable=False),
        sa.Column('source_id', text(), nullable=False),
        sa.Column('origin', text(), nullable=False),
        sa.ForeignKeyConstraint(['source_id'], ['source.id'], name=op.f('fk_price_index_source_id_source')),
        sa.PrimaryKeyConstraint('series', 'month', name=op.f('pk_price_index')),
    )
    with op.batch_alter_table('model', schema=None) as batch_op:
        for column in COST_COLUMNS:
            batch_op.add_column(sa.Column(column, sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('model', schema=None) as batch_op:
        for column in reversed(COST_COLUMNS):
            batch_op.drop_column(column)
    with op.batch_alter_table('hardware_price', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_hardware_price_hardware_id'))
    op.drop_table('price_index')
    op.drop_table('hardware_price')
