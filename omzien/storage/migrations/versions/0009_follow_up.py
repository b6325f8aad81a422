"""follow-up

Revision ID: 0009
Revises: 0008

After closing: which offers a signal was referred to, where it was forwarded, and the follow-up check and the
resident's "did it help?" (when they are asked, what was answered); each point's weeks until the follow-up check.
Case entries: notes, attempts and a question to the reporter with its answer (their text sealed at rest).
"""
import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('points', schema=None) as batch_op:
        batch_op.add_column(sa.Column('follow_up_weeks', sa.Integer(), server_default='4', nullable=False))
    with op.batch_alter_table('signals', schema=None) as batch_op:
        batch_op.add_column(sa.Column('referred_offers', sa.JSON(), server_default='[]', nullable=False))
        batch_op.add_column(sa.Column('forwarded_to', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('follow_up_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('follow_up_answer', sa.String(length=12), nullable=True))
        batch_op.add_column(sa.Column('resident_ask_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('resident_answer', sa.String(length=12), nullable=True))
        batch_op.create_index(batch_op.f('ix_signals_follow_up_at'), ['follow_up_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_signals_resident_ask_at'), ['resident_ask_at'], unique=False)
    op.create_table(
        'case_entries',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('signal_id', sa.Integer(), nullable=False),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.Column('author_id', sa.BigInteger(), nullable=True),
        sa.Column('kind', sa.String(length=12), nullable=False),
        sa.Column('detail', sa.String(length=16), nullable=True),
        sa.Column('text', sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(['signal_id'], ['signals.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('case_entries', schema=None) as batch_op:
        batch_op.create_index('ix_case_entries_signal_at', ['signal_id', 'at'], unique=False)


def downgrade() -> None:
    op.drop_table('case_entries')
    with op.batch_alter_table('signals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_signals_resident_ask_at'))
        batch_op.drop_index(batch_op.f('ix_signals_follow_up_at'))
        batch_op.drop_column('resident_answer')
        batch_op.drop_column('resident_ask_at')
        batch_op.drop_column('follow_up_answer')
        batch_op.drop_column('follow_up_at')
        batch_op.drop_column('forwarded_to')
        batch_op.drop_column('referred_offers')
    with op.batch_alter_table('points', schema=None) as batch_op:
        batch_op.drop_column('follow_up_weeks')
