"""the clock's news for a group's overview, and an index for the overview

Revision ID: 0011
Revises: 0010

The sweep stores its alerts in one short transaction and brings the groups' overviews up to date in
short transactions after it. ``points.overview_pending`` says, in between, that a group has news its
overview does not show yet: set with the alerts, cleared with the overview, so a crash in between loses
nothing. ``ix_signals_point_status_alert`` finds the claimed signals the overview lists as still without
contact (``last_alert`` is ``contact_late``) without reading every claimed signal of the point.
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
    op.create_index('ix_signals_point_status_alert', 'signals', ['point_id', 'status', 'last_alert', 'due_contact_at'])


def downgrade() -> None:
    op.drop_index('ix_signals_point_status_alert', table_name='signals')
    with op.batch_alter_table('points', schema=None) as batch_op:
        batch_op.drop_column('overview_pending')
