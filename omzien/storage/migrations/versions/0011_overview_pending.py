"""the clock's news for a group's overview

Revision ID: 0011
Revises: 0010

The sweep stores its alerts in one short transaction and brings each group's overview up to date in
a short transaction of its own. ``points.overview_pending`` says, in between, that a group has news its
overview does not show yet: set with the alerts, cleared with the overview, so a crash in between loses
nothing.
"""
import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('points', schema=None) as batch_op:
        batch_op.add_column(sa.Column('overview_pending', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('points', schema=None) as batch_op:
        batch_op.drop_column('overview_pending')
