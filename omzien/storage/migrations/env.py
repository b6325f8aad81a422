"""Alembic runs on the connection that ``omzien.storage.db.upgrade`` hands it."""

from alembic import context

from omzien.storage.models import Base

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
