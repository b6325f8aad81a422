"""figures: follow-up, goals per area, the signallers' monthly thank-you, speed

Revision ID: 0010
Revises: 0009

Each point's goals on counts per area (signals a year from a 4-digit area). A signaller's yes to one short
monthly message about their neighbourhood, and when the last one went. An index on the events by kind, so
the follow-up figures (referred, followed up, reopened) read those few rows only.
"""
import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('points', schema=None) as batch_op:
        batch_op.add_column(sa.Column('area_goals', sa.JSON(), server_default='{}', nullable=False))
    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('monthly_thanks', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('monthly_thanks_at', sa.DateTime(), nullable=True))
    op.create_index('ix_events_kind_signal', 'events', ['kind', 'signal_id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_events_kind_signal', table_name='events')
    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.drop_column('monthly_thanks_at')
        batch_op.drop_column('monthly_thanks')
    with op.batch_alter_table('points', schema=None) as batch_op:
        batch_op.drop_column('area_goals')
