"""urgent signals

Revision ID: 0004
Revises: 0003

A signal whose report points to suicidal thoughts or a life in danger is urgent: it is to be picked up
within the point's urgent allowance (by default a quarter of a working day, so the same day).
"""
import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('points', schema=None) as batch_op:
        batch_op.add_column(sa.Column('urgent_claim_days', sa.Float(), server_default='0.25', nullable=False))
    with op.batch_alter_table('signals', schema=None) as batch_op:
        batch_op.add_column(sa.Column('urgent', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('signals', schema=None) as batch_op:
        batch_op.drop_column('urgent')
    with op.batch_alter_table('points', schema=None) as batch_op:
        batch_op.drop_column('urgent_claim_days')
