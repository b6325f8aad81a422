"""signallers

Revision ID: 0008
Revises: 0007

Partners of a signal point, each with its own start link; which partner brought an account (counted, never
named), and how many reports an account made (for the thank-you after the 1st, 5th and 25th; counted from the
reports already stored). Roles, signs and consent answers are new values in existing columns.
"""
import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'partners',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('point_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=100), nullable=False),
        sa.Column('code', sa.String(length=16), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['point_id'], ['points.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('code'),
    )
    with op.batch_alter_table('partners', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_partners_point_id'), ['point_id'], unique=False)
    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reports_made', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('partner_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_accounts_partner_id'), ['partner_id'], unique=False)
        batch_op.create_foreign_key('fk_accounts_partner_id_partners', 'partners', ['partner_id'], ['id'],
                                    ondelete='SET NULL')
    op.execute("UPDATE accounts SET reports_made = "
               "(SELECT count(*) FROM reports WHERE reports.reporter_id = accounts.id)")


def downgrade() -> None:
    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.drop_constraint('fk_accounts_partner_id_partners', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_accounts_partner_id'))
        batch_op.drop_column('partner_id')
        batch_op.drop_column('reports_made')
    with op.batch_alter_table('partners', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_partners_point_id'))
    op.drop_table('partners')
