"""retention

Revision ID: 0005
Revises: 0004

Each point's retention period, when its link code was made (codes expire) and how many claims by one worker
in how many minutes are unusual; when a worker's claims were held; when a signal was anonymised; when an account was last seen. A report whose
signal was anonymised, or whose reporter's account was removed, keeps no link to the reporter.
"""
import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('points', schema=None) as batch_op:
        batch_op.add_column(sa.Column('retention_days', sa.Integer(), server_default='90', nullable=False))
        batch_op.add_column(sa.Column('link_code_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('claim_limit', sa.Integer(), server_default='5', nullable=False))
        batch_op.add_column(sa.Column('claim_window_minutes', sa.Integer(), server_default='10', nullable=False))
    with op.batch_alter_table('signals', schema=None) as batch_op:
        batch_op.add_column(sa.Column('anonymised_at', sa.DateTime(), nullable=True))
    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('seen_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('claims_held_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('claims_allowed_at', sa.DateTime(), nullable=True))
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.alter_column('reporter_id', existing_type=sa.BigInteger(), nullable=True)


def downgrade() -> None:
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.alter_column('reporter_id', existing_type=sa.BigInteger(), nullable=False)
    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.drop_column('claims_allowed_at')
        batch_op.drop_column('claims_held_at')
        batch_op.drop_column('seen_at')
    with op.batch_alter_table('signals', schema=None) as batch_op:
        batch_op.drop_column('anonymised_at')
    with op.batch_alter_table('points', schema=None) as batch_op:
        batch_op.drop_column('claim_window_minutes')
        batch_op.drop_column('claim_limit')
        batch_op.drop_column('link_code_at')
        batch_op.drop_column('retention_days')
