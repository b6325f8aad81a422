"""The Alembic migrations build exactly the schema the models describe."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from omzien.storage.db import upgrade
from omzien.storage.models import Base


async def test_migrations_match_the_models(engine) -> None:
    await upgrade(engine)  # a second upgrade changes nothing
    async with engine.connect() as connection:
        differences = await connection.run_sync(
            lambda sync: compare_metadata(MigrationContext.configure(sync), Base.metadata))
    assert differences == []
