"""offer catalogue

Revision ID: 0003
Revises: 0002

The catalogue of offers (stored as its CSV columns), and anonymous search statistics.
"""
import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('offer_searches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('needs', sa.JSON(), nullable=False),
    sa.Column('area', sa.Integer(), nullable=True),
    sa.Column('age_group', sa.String(length=8), nullable=True),
    sa.Column('going_out', sa.String(length=8), nullable=True),
    sa.Column('free_only', sa.Boolean(), nullable=False),
    sa.Column('typed', sa.Boolean(), nullable=False),
    sa.Column('results', sa.Integer(), nullable=False),
    sa.Column('opened', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('offer_searches', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_offer_searches_at'), ['at'], unique=False)

    op.create_table('offers',
    sa.Column('id', sa.String(length=80), nullable=False),
    sa.Column('record_type', sa.String(length=8), nullable=False),
    sa.Column('columns', sa.JSON(), nullable=False),
    sa.Column('origin', sa.String(length=8), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )


def downgrade() -> None:
    op.drop_table('offers')
    with op.batch_alter_table('offer_searches', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_offer_searches_at'))

    op.drop_table('offer_searches')
