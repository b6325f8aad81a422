"""Counts for monitoring, read when /metrics or /readyz is asked: cheap aggregate queries, never personal data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from omzien.flows.signal import Status
from omzien.storage.models import OutboxMessage, Signal
from omzien.storage.outbox import WAITING


@dataclass(frozen=True)
class OutboxDepth:
    waiting: int  # rows not yet sent, including those waiting for their moment
    oldest_due: datetime | None  # since when the oldest row that may go out now has waited


async def outbox_depth(session: AsyncSession, now: datetime) -> OutboxDepth:
    """How many messages wait, and since when the oldest due one waits (a retry counts from its new moment)."""
    due = or_(OutboxMessage.not_before.is_(None), OutboxMessage.not_before <= now)
    waiting, oldest_created, oldest_retry = (await session.execute(
        select(func.count(),
               func.min(OutboxMessage.created_at).filter(due, OutboxMessage.not_before.is_(None)),
               func.min(OutboxMessage.not_before).filter(due))
        .where(OutboxMessage.status.in_(WAITING)))).one()
    oldest = min((t for t in (oldest_created, oldest_retry) if t is not None), default=None)
    return OutboxDepth(waiting, oldest)


async def signals_by_point(session: AsyncSession, now: datetime) -> dict[int, tuple[int, int]]:
    """Per point id: how many signals are open, and how many of those are late. The rule of
    ``omzien.storage.sla.overdue_counts``, for every point in one query."""
    late = or_(
        (Signal.status == Status.NEW) & (Signal.due_claim_at <= now),
        (Signal.status == Status.CLAIMED) & Signal.contacted_at.is_(None) & (Signal.due_contact_at <= now),
        (Signal.status == Status.CLAIMED) & (Signal.due_close_at <= now),
    )
    rows = await session.execute(
        select(Signal.point_id, func.count(), func.count().filter(late))
        .where(Signal.point_id.is_not(None), Signal.status.in_((Status.NEW, Status.CLAIMED)))
        .group_by(Signal.point_id))
    return {point_id: (open_count, late_count) for point_id, open_count, late_count in rows}

