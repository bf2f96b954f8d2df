"""model.same_pretraining_as (one training run, one set of numbers), model.no_6nd_reason, claim.quote_absent

Revision ID: 0007
Revises: 0006 (re-chained onto 0006 at merge)
Create Date: 2026-12-02

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel


# revision identifiers, used by Alembic.
revision: str = '0007'
down_revision: Union[str, None] = '0006'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('model', schema=None) as batch_op:
        batch_op.add_column(sa.Column('same_pretraining_as', sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        batch_op.add_column(sa.Column('no_6nd_reason', sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        batch_op.create_foreign_key(op.f('fk_model_same_pretraining_as_model'), 'model', ['same_pretraining_as'], ['id'])
    with op.batch_alter_table('claim', schema=None) as batch_op:
        batch_op.add_column(sa.Column('quote_absent', sqlmodel.sql.sqltypes.AutoString(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('claim', schema=None) as batch_op:
        batch_op.drop_column('quote_absent')
    with op.batch_alter_table('model', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('fk_model_same_pretraining_as_model'), type_='foreignkey')
        batch_op.drop_column('same_pretraining_as')
        batch_op.drop_column('no_6nd_reason')
