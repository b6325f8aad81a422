"""service levels

Revision ID: 0002
Revises: 0001

Deadlines and alerts on signals, the service level of each point. Signals still open get their
deadlines from the first sweep after the upgrade (next_alert 'plan'), counted from their report.
"""
import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('points', schema=None) as batch_op:
        batch_op.add_column(sa.Column('claim_days', sa.Float(), server_default='1', nullable=False))
        batch_op.add_column(sa.Column('contact_days', sa.Float(), server_default='3', nullable=False))
        batch_op.add_column(sa.Column('close_days', sa.Float(), server_default='10', nullable=False))
        batch_op.add_column(sa.Column('time_zone', sa.String(length=40), server_default='Europe/Amsterdam', nullable=False))
        batch_op.add_column(sa.Column('opens', sa.String(length=5), server_default='09:00', nullable=False))
        batch_op.add_column(sa.Column('closes', sa.String(length=5), server_default='17:00', nullable=False))
        batch_op.add_column(sa.Column('weekdays', sa.String(length=7), server_default='01234', nullable=False))
        batch_op.add_column(sa.Column('closed_days', sa.JSON(), server_default='[]', nullable=False))
        batch_op.add_column(sa.Column('coordinators', sa.JSON(), server_default='[]', nullable=False))
        batch_op.add_column(sa.Column('fallback_chat_id', sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column('overview_message_id', sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column('overview_outbox_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('overview_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('summary_at', sa.DateTime(), nullable=True))

    with op.batch_alter_table('signals', schema=None) as batch_op:
        batch_op.add_column(sa.Column('waiting_since', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('due_claim_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('due_contact_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('due_close_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('contacted_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('paused_until', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('next_alert', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('next_alert_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('last_alert', sa.String(length=16), nullable=True))
        batch_op.drop_index('ix_signals_point_status')
        batch_op.create_index('ix_signals_point_status_due', ['point_id', 'status', 'due_claim_at'], unique=False)
        batch_op.create_index('ix_signals_next_alert_at', ['next_alert_at'], unique=False, postgresql_where=sa.text('next_alert_at IS NOT NULL'), sqlite_where=sa.text('next_alert_at IS NOT NULL'))

    op.execute("UPDATE signals SET next_alert = 'plan', next_alert_at = created_at "
               "WHERE status IN ('new', 'claimed')")


def downgrade() -> None:
    with op.batch_alter_table('signals', schema=None) as batch_op:
        batch_op.drop_index('ix_signals_next_alert_at', postgresql_where=sa.text('next_alert_at IS NOT NULL'), sqlite_where=sa.text('next_alert_at IS NOT NULL'))
        batch_op.drop_index('ix_signals_point_status_due')
        batch_op.create_index('ix_signals_point_status', ['point_id', 'status'], unique=False)
        batch_op.drop_column('last_alert')
        batch_op.drop_column('next_alert_at')
        batch_op.drop_column('next_alert')
        batch_op.drop_column('paused_until')
        batch_op.drop_column('contacted_at')
        batch_op.drop_column('due_close_at')
        batch_op.drop_column('due_contact_at')
        batch_op.drop_column('due_claim_at')
        batch_op.drop_column('waiting_since')

    with op.batch_alter_table('points', schema=None) as batch_op:
        batch_op.drop_column('summary_at')
        batch_op.drop_column('overview_at')
        batch_op.drop_column('overview_outbox_id')
        batch_op.drop_column('overview_message_id')
        batch_op.drop_column('fallback_chat_id')
        batch_op.drop_column('coordinators')
        batch_op.drop_column('closed_days')
        batch_op.drop_column('weekdays')
        batch_op.drop_column('closes')
        batch_op.drop_column('opens')
        batch_op.drop_column('time_zone')
        batch_op.drop_column('close_days')
        batch_op.drop_column('contact_days')
        batch_op.drop_column('claim_days')
