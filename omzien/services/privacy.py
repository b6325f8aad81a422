"""Retention as a use case: anonymise what has had its time, then make sure the bytes are gone."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncEngine

from omzien.storage import privacy
from omzien.storage.db import session_factory


async def purge(engine: AsyncEngine, now: datetime, dry_run: bool = False) -> privacy.Purged:
    """One purge at ``now``; with ``dry_run`` it counts and changes nothing."""
    async with session_factory(engine)() as session, session.begin():
        purged = await privacy.purge(session, now)
        if dry_run:
            await session.rollback()
            return purged
    if purged.anything:
        await privacy.scrub_files(engine)
    return purged
