"""What a signal carries besides its state: case entries, the referral, and the questions that come back later.

- Case entries (notes, attempts, a question to the reporter and its answer) are kept for whoever holds the
  signal; their text is sealed at rest and goes when the signal is anonymised.
- A close with contact or a referral plans the follow-up check ``Point.follow_up_weeks`` working weeks on;
  a resident's own call-back plans "Heeft het geholpen?" ``RESIDENT_ASKED_AFTER`` on. The sweep takes what is
  due (``take_due_questions``), once.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import String, select, type_coerce, update
from sqlalchemy.ext.asyncio import AsyncSession

from omzien.flows.signal import (
    FOLLOWED_UP_OUTCOMES,
    RESIDENT_ASKED_AFTER,
    Action,
    EventKind,
    Observation,
    Status,
    allowed,
)
from omzien.storage.models import CaseEntry, Signal
from omzien.storage.points import policy_of
from omzien.storage.signals import get_signal, record, transition


def plan_after_close(signal: Signal, now: datetime) -> None:
    """The questions that come back to a closed signal later."""
    if signal.outcome in FOLLOWED_UP_OUTCOMES and signal.point is not None:
        working = policy_of(signal.point).working
        signal.follow_up_at = working.add(now, working.days(5 * signal.point.follow_up_weeks))
        signal.follow_up_answer = None
    if any(Observation.ASKS_FOR_CALL in report.observations for report in signal.reports):
        signal.resident_ask_at, signal.resident_answer = now + RESIDENT_ASKED_AFTER, None


def refer(session: AsyncSession, signal: Signal, offer_ids: Sequence[str], worker_id: int, now: datetime) -> None:
    """The offers the worker chose for the resident; each leaves an event (the figures count them)."""
    signal.referred_offers = list(offer_ids)
    for offer_id in offer_ids:
        record(session, signal.id, EventKind.REFERRED, now, worker_id, detail=offer_id[:64])


async def take_due_questions(session: AsyncSession, now: datetime, limit: int = 100
                             ) -> tuple[list[Signal], list[Signal]]:
    """The signals whose follow-up check, and those whose question to the resident, is due now; each is taken
    once (the moment is cleared in the transaction that queues the question)."""
    follow_ups = (await session.scalars(
        select(Signal).where(Signal.follow_up_at <= now, Signal.status == Status.CLOSED).order_by(Signal.follow_up_at)
        .limit(limit).with_for_update(skip_locked=True, of=Signal))).unique().all()
    residents = (await session.scalars(
        select(Signal).where(Signal.resident_ask_at <= now, Signal.status == Status.CLOSED)
        .order_by(Signal.resident_ask_at).limit(limit).with_for_update(skip_locked=True, of=Signal))).unique().all()
    for signal in follow_ups:
        signal.follow_up_at = None
    for signal in residents:
        signal.resident_ask_at = None
    return list(follow_ups), list(residents)


async def answer(session: AsyncSession, signal_id: int, actor_id: int | None, column: str, value: str,
                 now: datetime) -> Signal | None:
    """Store the answer of the follow-up check (``follow_up_answer``) or the resident (``resident_answer``) once."""
    signal = await get_signal(session, signal_id)
    if signal is None or getattr(signal, column) is not None or signal.anonymised_at is not None:
        return None
    done = await transition(session, signal_id, Action.FOLLOW_UP, Status(signal.status), actor_id, now,
                            {column: value}, detail=value) if allowed(signal.status, Action.FOLLOW_UP) else False
    if not done:
        return None
    return await session.get_one(Signal, signal_id, populate_existing=True)


async def add_entry(session: AsyncSession, signal_id: int, author_id: int | None, kind: str, now: datetime,
                    text: str | None = None, detail: str | None = None) -> None:
    session.add(CaseEntry(signal_id=signal_id, author_id=author_id, kind=kind, text=text, detail=detail, at=now))
    record(session, signal_id, EventKind.NOTED, now, author_id, detail=kind)


async def entries(session: AsyncSession, signal_id: int) -> Sequence[CaseEntry]:
    return (await session.scalars(select(CaseEntry).where(CaseEntry.signal_id == signal_id)
                                  .order_by(CaseEntry.at, CaseEntry.id))).all()


async def earlier_on_address(session: AsyncSession, signal: Signal) -> Sequence[Signal]:
    """Earlier signals on the same address that still have it (within the retention period), newest first."""
    return (await session.scalars(
        select(Signal).where(type_coerce(Signal.address_key, String) == signal.address_key, Signal.id != signal.id,
                             Signal.anonymised_at.is_(None), Signal.created_at < signal.created_at)
        .order_by(Signal.created_at.desc()).limit(5))).unique().all()


async def forget_entries(session: AsyncSession, signal_ids: list[int]) -> None:
    """Anonymising: the text and the author of every entry go."""
    await session.execute(update(CaseEntry).where(CaseEntry.signal_id.in_(signal_ids)).values(text=None, author_id=None)
                          .execution_options(synchronize_session=False))
