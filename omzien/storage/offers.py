"""The catalogue in the database: offers stored by id as their CSV columns, and anonymous search figures."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable, Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from omzien.core.logs import error_summary
from omzien.flows.offers import Offer
from omzien.storage import catalogue, db
from omzien.storage.models import OfferRecord, OfferSearch, utcnow

if TYPE_CHECKING:
    from omzien.flows.matching.index import Index

SHIPPED = "shipped"
IMPORTED = "import"

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Stored:
    created: int
    updated: int
    unchanged: int


async def store(session: AsyncSession, offers: Iterable[Offer], origin: str, now: datetime | None = None,
                replace_imported: bool = True) -> Stored:
    """Add new offers and update changed ones by id; an identical offer is left as it is.

    With ``replace_imported`` false (the shipped catalogue at start-up), an offer a municipality
    imported itself is never overwritten.
    """
    now = now or utcnow()
    existing = {record.id: record for record in await session.scalars(select(OfferRecord))}
    created = updated = unchanged = 0
    for offer in offers:
        columns = catalogue.offer_columns(offer)
        record = existing.get(offer.id)
        if record is None:
            session.add(OfferRecord(id=offer.id, record_type=offer.record_type, columns=columns, origin=origin,
                                    updated_at=now))
            created += 1
        elif record.columns == columns or (not replace_imported and record.origin == IMPORTED):
            unchanged += 1
        else:
            record.columns, record.record_type, record.origin, record.updated_at = (
                columns, offer.record_type, origin, now)
            updated += 1
    await session.flush()
    return Stored(created, updated, unchanged)


async def ensure_shipped(session: AsyncSession, demo: bool = False) -> Stored:
    """The catalogue that comes with Omzien, brought up to date; a second time changes nothing."""
    return await store(session, catalogue.shipped(demo=demo), SHIPPED, replace_imported=False)


async def method_ids(session: AsyncSession) -> set[str]:
    return set(await session.scalars(select(OfferRecord.id).where(OfferRecord.record_type == "method")))


async def load(session: AsyncSession) -> list[Offer]:
    """Every offer and method, in id order (rows were checked when they were stored)."""
    records: Sequence[OfferRecord] = (await session.scalars(select(OfferRecord).order_by(OfferRecord.id))).all()
    offers, errors = catalogue.from_columns(record.columns for record in records)
    assert not errors, errors[:3]
    return offers


async def by_ids(session: AsyncSession, ids: Sequence[str]) -> list[Offer]:
    """Some offers, in the order asked (those that no longer exist are left out)."""
    if not ids:
        return []
    records = (await session.scalars(select(OfferRecord).where(OfferRecord.id.in_(ids)))).all()
    found, errors = catalogue.from_columns((record.columns for record in records), await method_ids(session))
    assert not errors, errors[:3]
    order = {offer_id: place for place, offer_id in enumerate(ids)}
    return sorted(found, key=lambda offer: order[offer.id])


class Catalogue:
    """The offers with their search index, built anew when the stored catalogue has changed.

    Neither the look at the stored catalogue nor a build holds up the bot: a search starts them in the
    background (one at a time) and answers with the index it has. The look is one short read; the build runs
    in a process of its own, which reads the rows itself (``offer_index``). Only the very first search, with no
    index yet, waits for it (about a second at a few thousand offers) — a resident would rather wait a moment
    than hear that there is nothing. A failed build is logged, and the index in use stays.
    """

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self.sessions = sessions
        self.version: tuple[object, ...] | None = None
        self.index = _index(())
        self.by_id: Mapping[str, Offer] = {}
        self.has_local = False  # whether any offer is local: only then is a postcode worth asking for
        self.refreshing: asyncio.Task[None] | None = None

    async def current(self) -> Catalogue:
        """The catalogue as it is in memory; whether the stored one has changed is looked at meanwhile."""
        if self.refreshing is None:
            self.refreshing = asyncio.create_task(self._refresh())
            self.refreshing.add_done_callback(lambda task: task.cancelled() or task.exception())  # logged there
        if self.version is None:
            await asyncio.shield(self.refreshing)
        return self

    async def close(self) -> None:
        """Stop a build that is under way (and its process): the bot stops."""
        if self.refreshing is not None:
            self.refreshing.cancel()
            with suppress(asyncio.CancelledError, Exception):
                await self.refreshing

    async def _refresh(self) -> None:
        from omzien.storage import offer_index  # the matcher and numpy: not for a command that only stores

        try:
            # on a thread (``db.background``): at 100,000 offers max(updated_at) reads the whole table, ~80 ms
            async with AsyncSession(db.background(self.sessions.kw["bind"])) as session:
                version = tuple((await session.execute(
                    select(func.count(), func.max(OfferRecord.updated_at)))).one())
            if version == self.version:
                return
            built = await offer_index.build(self.sessions.kw["bind"].url.render_as_string(hide_password=False))
            previous = self.index
            self.index, self.by_id, self.version, self.has_local = (
                built.index, built.offers, built.version, built.has_local)
            log.info("Offer index built: %d offers", len(built.offers))
            await offer_index.let_go(previous)
        except Exception as error:
            log.error("Offer index not built: %s", error_summary(error))
            raise
        finally:
            self.refreshing = None


def _index(offers: Iterable[Offer]) -> Index:
    """The matcher's index, loaded on first use: a command that only stores offers does not need it."""
    from omzien.flows.matching.index import Index

    return Index(offers)


def _to_the_hour(moment: datetime) -> datetime:
    return moment.replace(minute=0, second=0, microsecond=0)


async def record_search(session: AsyncSession, now: datetime, *, needs: Iterable[str], area: int | None,
                        age_group: str | None, going_out: str | None, free_only: bool, typed: bool,
                        results: int, local_results: int | None = None) -> int:
    """Keep, for improving the offer, what was chosen and how much was found; returns the row's id."""
    search = OfferSearch(at=_to_the_hour(now), needs=sorted(needs), area=area, age_group=age_group,
                         going_out=going_out, free_only=free_only, typed=typed, results=results,
                         local_results=local_results)
    session.add(search)
    await session.flush()
    return search.id


async def record_opened(session: AsyncSession, search_id: int | None, offer_id: str) -> None:
    search = await session.get(OfferSearch, search_id) if search_id else None
    if search is not None and offer_id not in search.opened:
        search.opened = [*search.opened, offer_id]
