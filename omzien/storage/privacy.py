"""Retention: personal data goes when its time is up; what is needed for the figures stays, anonymous.

- A closed signal, ``retention_days`` after closing (per point, default 90): its postcode and house number,
  every note (with a call-back's phone number), the link to each reporter and the name of the claimer go;
  the 4-digit area (a column of its own), the signs, the consent answers, the outcome and the times stay.
  Its events keep what happened and when, not who; its case entries (notes, attempts, a question to the reporter
  and its answer) lose their text and author.
- An unrouted signal, and one on hold that no coordinator decided on, the same number of days after it was
  reported.
- An account that was not seen for ``ACCOUNT_DAYS`` and is not needed by an open signal.

On SQLite the database is then rewritten (``VACUUM``) and its write-ahead log emptied, so the old
bytes are gone from both files, not only from the rows.
"""

from __future__ import annotations

import asyncio
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import String, and_, cast, delete, exists, func, literal, or_, select, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from omzien.flows.signal import OPEN_STATUSES, EventKind, Status
from omzien.storage import followup, outbox
from omzien.storage.db import BUSY_TIMEOUT
from omzien.storage.models import Account, CaseEntry, Event, Point, Report, Signal

DEFAULT_RETENTION_DAYS = 90
ACCOUNT_DAYS = 365


@dataclass(frozen=True)
class Purged:
    signals: int  # closed or unrouted signals anonymised
    accounts: int  # accounts removed

    @property
    def anything(self) -> bool:
        return bool(self.signals or self.accounts)


async def purge(session: AsyncSession, now: datetime) -> Purged:
    """Anonymise what has had its time and remove accounts nobody needs; returns the counts."""
    points = {point_id: days for point_id, days in await session.execute(select(Point.id, Point.retention_days))}
    due: list[int] = []
    for signal_id, point_id, status, closed_at, created_at in await session.execute(
            select(Signal.id, Signal.point_id, Signal.status, Signal.closed_at, Signal.created_at)
            .where(Signal.anonymised_at.is_(None),
                   Signal.status.in_((Status.CLOSED, Status.UNROUTED, Status.ON_HOLD)))):
        days = timedelta(days=points.get(point_id, DEFAULT_RETENTION_DAYS))
        since = closed_at if status == Status.CLOSED else created_at
        if since is not None and since + days <= now:
            due.append(signal_id)
    for chunk in (due[i:i + 500] for i in range(0, len(due), 500)):
        await _anonymise(session, chunk, now)
    return Purged(signals=len(due), accounts=await _forget_accounts(session, now))


async def erase_address(session: AsyncSession, address_key: str, now: datetime) -> list[str]:
    """A resident objects: every signal on this address loses its personal data now, open or not (an open one
    is closed as well, so nobody goes on with it). Returns the references."""
    found = (await session.execute(select(Signal.id, Signal.reference, Signal.status)
                                   .where(Signal.address_key == address_key))).all()
    ids = [signal_id for signal_id, _reference, _status in found]
    if ids:
        await session.execute(update(Signal).where(Signal.id.in_(ids), Signal.status != Status.CLOSED)
                              .values(status=Status.CLOSED, closed_at=now, next_alert=None, next_alert_at=None)
                              .execution_options(synchronize_session=False))
        await _anonymise(session, ids, now)
        session.add_all(Event(signal_id=signal_id, kind=EventKind.ERASED, at=now) for signal_id in ids)
    return [reference for _id, reference, _status in found]


async def reports_of(session: AsyncSession, account_id: int) -> list[tuple[str, datetime, str]]:
    """A signaller's own reports: reference, when, and the signal's status — nothing about the resident."""
    rows = await session.execute(select(Signal.reference, Report.created_at, Signal.status)
                                 .join(Signal, Signal.id == Report.signal_id)
                                 .where(Report.reporter_id == account_id).order_by(Report.created_at))
    return [(reference, at, status) for reference, at, status in rows]


async def holds_signals(session: AsyncSession, account_id: int) -> bool:
    return bool(await session.scalar(select(exists().where(Signal.claimed_by == account_id,
                                                           Signal.status.in_(OPEN_STATUSES)))))


async def forget_account(session: AsyncSession, account: Account) -> None:
    """The account goes; the reports stay, no longer linked to anyone, and so do the events, without who."""
    await session.execute(update(Report).where(Report.reporter_id == account.id).values(reporter_id=None)
                          .execution_options(synchronize_session=False))
    await session.execute(update(Event).where(Event.actor_id == account.id).values(actor_id=None)
                          .execution_options(synchronize_session=False))
    await session.execute(update(CaseEntry).where(CaseEntry.author_id == account.id).values(author_id=None)
                          .execution_options(synchronize_session=False))
    await session.delete(account)
    await session.flush()


async def history(session: AsyncSession, reference: str) -> list[tuple[datetime, str, str, str]] | None:
    signal_id = await session.scalar(select(Signal.id).where(Signal.reference == reference.strip().upper()))
    if signal_id is None:
        return None
    rows = await session.execute(
        select(Event.at, Event.kind, Event.actor_id, Account.first_name, Event.detail)
        .outerjoin(Account, Account.id == Event.actor_id).where(Event.signal_id == signal_id)
        .order_by(Event.at, Event.id))
    return [(at, kind, "" if actor is None else f"{actor} {name or ''}".strip(), detail or "")
            for at, kind, actor, name, detail in rows]


async def _anonymise(session: AsyncSession, signal_ids: list[int], now: datetime) -> None:
    await session.execute(
        update(Signal).where(Signal.id.in_(signal_ids))
        .values(house="", postcode="",
                address_key=literal("x").concat(cast(Signal.id, String)), claimed_by=None, anonymised_at=now)
        .execution_options(synchronize_session=False))
    await session.execute(update(Report).where(Report.signal_id.in_(signal_ids)).values(note=None, reporter_id=None)
                          .execution_options(synchronize_session=False))
    await session.execute(update(Event).where(Event.signal_id.in_(signal_ids)).values(actor_id=None)
                          .execution_options(synchronize_session=False))
    await outbox.forget_signals(session, signal_ids)
    await followup.forget_entries(session, signal_ids)


async def _forget_accounts(session: AsyncSession, now: datetime) -> int:
    """Accounts not seen for a year that no open signal needs (as reporter or claimer) are removed."""
    unused = func.coalesce(Account.seen_at, Account.created_at) < now - timedelta(days=ACCOUNT_DAYS)
    needed = or_(
        exists().where(Signal.claimed_by == Account.id, Signal.status.in_(OPEN_STATUSES)),
        exists().where(and_(Report.reporter_id == Account.id, Report.signal_id == Signal.id,
                            Signal.anonymised_at.is_(None))))
    ids = list(await session.scalars(select(Account.id).where(unused, ~needed)))
    if not ids:
        return 0
    await session.execute(update(Report).where(Report.reporter_id.in_(ids)).values(reporter_id=None)
                          .execution_options(synchronize_session=False))
    await session.execute(update(Event).where(Event.actor_id.in_(ids)).values(actor_id=None)
                          .execution_options(synchronize_session=False))
    await session.execute(update(CaseEntry).where(CaseEntry.author_id.in_(ids)).values(author_id=None)
                          .execution_options(synchronize_session=False))
    await session.execute(delete(Account).where(Account.id.in_(ids)).execution_options(synchronize_session=False))
    return len(ids)


async def scrub_files(engine: AsyncEngine) -> None:
    """SQLite keeps old bytes in free pages and in its write-ahead log: rewrite the file and empty the log.

    On a thread with a connection of its own: rewriting a large file takes seconds, and the bot's own
    connections run on the event loop (``omzien.storage.sqlite_inline``), which must go on meanwhile.
    """
    if engine.dialect.name != "sqlite" or not engine.url.database or engine.url.database == ":memory:":
        return
    await asyncio.to_thread(_scrub, engine.url.database)


def _scrub(path: str) -> None:
    connection = sqlite3.connect(path, timeout=BUSY_TIMEOUT, isolation_level=None)
    try:
        connection.execute("PRAGMA secure_delete=ON")
        connection.execute("VACUUM")
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        connection.close()
