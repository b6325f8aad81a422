"""figures

Revision ID: 0007
Revises: 0006

The goals of a point (the share of signals to pick up, contact and close within the deadline), when its
coordinators last got the monthly figures, how many of a resident's results were local, and the indexes
the figures read by period.
"""
import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('points', schema=None) as batch_op:
        batch_op.add_column(sa.Column('goal_claim', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('goal_contact', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('goal_close', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('figures_sent_at', sa.DateTime(), nullable=True))
    with op.batch_alter_table('offer_searches', schema=None) as batch_op:
        batch_op.add_column(sa.Column('local_results', sa.Integer(), nullable=True))
    op.create_index('ix_signals_created_at', 'signals', ['created_at'])
    op.create_index('ix_signals_point_created', 'signals', ['point_id', 'created_at'])
    op.create_index('ix_events_at', 'events', ['at'])


def downgrade() -> None:
    op.drop_index('ix_events_at', table_name='events')
    op.drop_index('ix_signals_point_created', table_name='signals')
    op.drop_index('ix_signals_created_at', table_name='signals')
    with op.batch_alter_table('offer_searches', schema=None) as batch_op:
        batch_op.drop_column('local_results')
    with op.batch_alter_table('points', schema=None) as batch_op:
        batch_op.drop_column('figures_sent_at')
        batch_op.drop_column('goal_close')
        batch_op.drop_column('goal_contact')
        batch_op.drop_column('goal_claim')
