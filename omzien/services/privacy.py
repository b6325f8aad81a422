"""Retention as a use case: anonymise what has had its time, then make sure the bytes are gone."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from omzien.flows.address import Address
from omzien.storage import privacy, rekeying
from omzien.storage.db import session_factory
from omzien.storage.models import Account
from omzien.storage.sealing import keys_of


async def forget(session: AsyncSession, account: Account) -> bool:
    """/vergeetmij: the account goes, its reports stay without it; not while it holds open signals."""
    if await privacy.holds_signals(session, account.id):
        return False
    await privacy.forget_account(session, account)
    return True


async def erase(engine: AsyncEngine, address: Address, now: datetime) -> list[str]:
    """Everything personal about one address goes now, everywhere; the anonymous counts stay."""
    async with session_factory(engine).begin() as session:
        references = await privacy.erase_address(session, address.key, now)
    if references:
        await privacy.scrub_files(engine)
    return references


async def rotate_key(engine: AsyncEngine) -> dict[str, int]:
    """Everything sealed comes under the engine's current key (a batch per transaction), then the old bytes
    go from the files. Returns how many rows per table were sealed anew."""
    async with engine.connect() as connection:
        done = await connection.run_sync(lambda sync: rekeying.reseal(sync, keys_of(engine.dialect),
                                                                      commit_batches=True))
    await privacy.scrub_files(engine)
    return done


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
