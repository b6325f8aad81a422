"""Changes of a signal after the fact: the claimer's undo, a reopen, and a coordinator's reassign and move.

Each is one conditional UPDATE through ``signals.transition`` (so of two at once exactly one wins, and the
event row is written), followed by the clock columns it needs (``omzien.storage.sla``).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from omzien.flows.signal import REOPEN_DAYS, UNDO_MINUTES, Action, EventKind, Status
from omzien.storage import sla
from omzien.storage.models import Event, Signal
from omzien.storage.signals import get_signal, transition

_AFTER_CLOSING = {"closed_at": None, "outcome": None, "referred_offers": [], "forwarded_to": None,
                  "follow_up_at": None, "follow_up_answer": None, "resident_ask_at": None, "resident_answer": None}


async def undo(session: AsyncSession, signal_id: int, worker_id: int, now: datetime) -> bool:
    """Take back one's own close or give-back within ``UNDO_MINUTES``: the signal is theirs again, as it was."""
    signal = await get_signal(session, signal_id)
    if signal is None:
        return False
    since = now - timedelta(minutes=UNDO_MINUTES)
    if signal.status == Status.CLOSED and signal.claimed_by == worker_id and signal.anonymised_at is None \
            and signal.closed_at is not None and signal.closed_at >= since:
        done = await transition(session, signal_id, Action.UNDO, Status.CLOSED, worker_id, now, _AFTER_CLOSING,
                                Signal.claimed_by == worker_id)
    elif signal.status == Status.NEW and await _gave_back_since(session, signal_id, worker_id, since):
        done = await transition(session, signal_id, Action.UNDO, Status.NEW, worker_id, now,
                                {"claimed_by": worker_id, "claimed_at": now, "address_delivered": False})
    else:
        return False
    if done:
        signal = await session.get_one(Signal, signal_id, populate_existing=True)
        sla.replan(signal, signal.point, now)
    return done


async def _gave_back_since(session: AsyncSession, signal_id: int, worker_id: int, since: datetime) -> bool:
    """The last thing that happened to it was this worker giving it back (not leaving the group), after ``since``."""
    last = (await session.execute(select(Event.kind, Event.actor_id, Event.at, Event.detail)
                                  .where(Event.signal_id == signal_id, Event.kind != EventKind.ALERT)
                                  .order_by(Event.at.desc(), Event.id.desc()).limit(1))).first()
    return last is not None and last.kind == EventKind.RELEASED and last.actor_id == worker_id \
        and last.at >= since and last.detail is None


async def reopen(session: AsyncSession, signal_id: int, actor_id: int | None, now: datetime) -> bool:
    """A closed signal waits in the group again, with a new claim window (within ``REOPEN_DAYS`` of closing).
    The answers that reopened it stay (the events keep every answer for the figures)."""
    signal = await get_signal(session, signal_id)
    if signal is None or signal.status != Status.CLOSED or signal.anonymised_at is not None \
            or signal.point is None or signal.closed_at is None \
            or signal.closed_at < now - timedelta(days=REOPEN_DAYS):
        return False
    done = await transition(session, signal_id, Action.REOPEN, Status.CLOSED, actor_id, now,
                            {**_AFTER_CLOSING, "follow_up_answer": signal.follow_up_answer,
                             "resident_answer": signal.resident_answer, "claimed_by": None, "claimed_at": None,
                             "address_delivered": False, "contacted_at": None, "paused_until": None})
    if done:
        signal = await session.get_one(Signal, signal_id, populate_existing=True)
        sla.restart_claim_window(signal, signal.point, now)
    return done


async def reassign(session: AsyncSession, signal_id: int, worker_id: int, coordinator_id: int,
                   now: datetime) -> int | None:
    """Give a waiting or claimed signal to ``worker_id``; returns who had it (0: nobody), or None if it cannot."""
    signal = await get_signal(session, signal_id)
    if signal is None or signal.claimed_by == worker_id or signal.status not in (Status.NEW, Status.CLAIMED):
        return None
    before = signal.claimed_by or 0
    done = await transition(session, signal_id, Action.REASSIGN, Status(signal.status), coordinator_id, now,
                            {"claimed_by": worker_id, "claimed_at": now, "address_delivered": False,
                             "paused_until": None}, detail=str(worker_id))
    if not done:
        return None
    signal = await session.get_one(Signal, signal_id, populate_existing=True)
    sla.replan(signal, signal.point, now)
    return before


async def move(session: AsyncSession, signal_id: int, point_id: int, coordinator_id: int,
               now: datetime) -> tuple[int, int] | None:
    """Move a waiting or claimed signal to another point (wrong area): it waits there as new, with a new card.
    Returns the old group's chat and card message (0, 0 if there was none), or None if it cannot move."""
    signal = await get_signal(session, signal_id)
    if signal is None or signal.point is None or signal.point_id == point_id \
            or signal.status not in (Status.NEW, Status.CLAIMED):
        return None
    old_card = (signal.point.group_chat_id or 0, signal.card_message_id or 0)
    done = await transition(session, signal_id, Action.MOVE, Status(signal.status), coordinator_id, now,
                            {"point_id": point_id, "claimed_by": None, "claimed_at": None, "address_delivered": False,
                             "card_message_id": None, "paused_until": None}, detail=str(point_id))
    if not done:
        return None
    signal = await session.get_one(Signal, signal_id, populate_existing=True)
    await session.refresh(signal, ["point"])
    sla.start_clock(signal, signal.point, now, now)
    return old_card
