"""sealed at rest

Revision ID: 0006
Revises: 0005

Address, note and phone are sealed (AES-GCM) with a key kept outside the database, and so are the drafts of
conversations and the messages waiting to be sent, which can hold them (``omzien.storage.sealing``): their
columns become text wide enough for a sealed value, every stored value is sealed under the engine's current
key, and a signal's address key becomes a keyed hash. Going back opens them again. When an account's reports
were put on hold (more than ten in an hour) and from when they are counted again.
"""
import sqlalchemy as sa
from alembic import op

from omzien.storage.rekeying import open_all, reseal
from omzien.storage.sealing import keys_of

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

TABLES = ("signals", "reports", "outbox", "conversation_states")


def upgrade() -> None:
    with op.batch_alter_table('signals', schema=None) as batch_op:
        batch_op.alter_column('postcode', existing_type=sa.String(length=6), type_=sa.Text(), existing_nullable=False)
        batch_op.alter_column('house', existing_type=sa.String(length=12), type_=sa.Text(), existing_nullable=False)
        batch_op.alter_column('address_key', existing_type=sa.String(length=20), type_=sa.String(length=64),
                              existing_nullable=False)
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.alter_column('payload', existing_type=sa.JSON(), type_=sa.Text(), existing_nullable=False,
                              postgresql_using='payload::text')
    with op.batch_alter_table('conversation_states', schema=None) as batch_op:
        batch_op.alter_column('data', existing_type=sa.JSON(), type_=sa.Text(), existing_nullable=False,
                              postgresql_using='data::text')
    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reports_held_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('reports_allowed_at', sa.DateTime(), nullable=True))
    reseal(op.get_bind(), keys_of(op.get_bind().dialect), tables=TABLES)


def downgrade() -> None:
    open_all(op.get_bind(), keys_of(op.get_bind().dialect), tables=TABLES)
    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.drop_column('reports_allowed_at')
        batch_op.drop_column('reports_held_at')
    with op.batch_alter_table('conversation_states', schema=None) as batch_op:
        batch_op.alter_column('data', existing_type=sa.Text(), type_=sa.JSON(), existing_nullable=False,
                              postgresql_using='data::json')
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.alter_column('payload', existing_type=sa.Text(), type_=sa.JSON(), existing_nullable=False,
                              postgresql_using='payload::json')
    with op.batch_alter_table('signals', schema=None) as batch_op:
        batch_op.alter_column('address_key', existing_type=sa.String(length=64), type_=sa.String(length=20),
                              existing_nullable=False)
        batch_op.alter_column('house', existing_type=sa.Text(), type_=sa.String(length=12), existing_nullable=False)
        batch_op.alter_column('postcode', existing_type=sa.Text(), type_=sa.String(length=6), existing_nullable=False)
