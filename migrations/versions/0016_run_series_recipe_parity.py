"""run_series: what each run series holds equal between its arms (recipe parity, issue 16)

Revision ID: 0016
Revises: 0008
Create Date: 2026-12-07

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel


# revision identifiers, used by Alembic.
revision: str = '0016'
down_revision: Union[str, None] = '0009'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    text = sqlmodel.sql.sqltypes.AutoString
    op.create_table('run_series',
    sa.Column('id', text(), nullable=False),
    sa.Column('source_id', text(), nullable=False),
    sa.Column('locator', text(), nullable=True),
    sa.Column('arms', text(), nullable=True),
    sa.Column('tokens_per_parameter', text(), nullable=False),
    sa.Column('data', text(), nullable=False),
    sa.Column('tokenizer', text(), nullable=False),
    sa.Column('schedule', text(), nullable=False),
    sa.Column('tuning_budget', text(), nullable=False),
    sa.Column('loss', text(), nullable=False),
    sa.Column('parity', text(), nullable=False),
    sa.Column('note', text(), nullable=True),
    sa.Column('origin', text(), nullable=False),
    sa.Column('origin_ref', text(), nullable=True),
    sa.ForeignKeyConstraint(['source_id'], ['source.id'], name=op.f('fk_run_series_source_id_source')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_run_series'))
    )
    with op.batch_alter_table('run_series', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_run_series_source_id'), ['source_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('run_series', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_run_series_source_id'))
    op.drop_table('run_series')
