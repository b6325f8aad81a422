"""Signals and their reports: filing, routing, claiming, closing; each change also an event row.

The only writer of the ``signals`` and ``reports`` rows (with ``omzien.storage.sla`` for the clock
columns). Changes are asked for by ``omzien.services``, which also decides who hears of them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import NamedTuple

from sqlalchemy import exists, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from omzien.flows.report import ReportDraft
from omzien.flows.routing import route
from omzien.flows.signal import (
    EVENT_OF,
    OPEN_STATUSES,
    REOPEN_DAYS,
    Action,
    EventKind,
    OpenSignal,
    Outcome,
    Status,
    allowed,
    duplicate_of,
    new_reference,
    next_status,
)
from omzien.storage import sla
from omzien.storage.models import Event, Point, Report, Signal
from omzien.storage.points import coverage


async def _unique_reference(session: AsyncSession) -> str:
    for length in (4, 4, 4, 5, 5, 6, 6, 8):
        reference = new_reference(length)
        if not await session.scalar(select(exists().where(Signal.reference == reference))):
            return reference
    raise RuntimeError("no free reference")


def record(session: AsyncSession, signal_id: int, kind: EventKind, at: datetime,
           actor: int | None = None, detail: str | None = None) -> None:
    session.add(Event(signal_id=signal_id, kind=kind, at=at, actor_id=actor, detail=detail))


class Filed(NamedTuple):
    signal: Signal
    created: bool  # a new signal, not another report on an open one
    made_urgent: bool  # this report made the signal urgent


async def file_report(
    session: AsyncSession, draft: ReportDraft, reporter_id: int, now: datetime, window: timedelta,
    on_hold: bool = False,
) -> Filed:
    """Store a finished report: on the open signal for the same address, or as a new signal.

    A new signal goes to the point that covers its postcode area, or stays *unrouted* when none
    does; it is stored either way. With ``on_hold`` a new signal for a point waits for a coordinator (no
    clock runs yet). A report with crisis words makes its signal urgent.
    """
    address = draft.address
    assert address is not None and draft.complete
    rows = await session.execute(
        select(Signal.id, Signal.status, Signal.created_at).where(
            Signal.address_key == address.key, Signal.status.in_(OPEN_STATUSES)
        )
    )
    open_id = duplicate_of((OpenSignal(*row) for row in rows), now, window)
    if open_id is not None:
        signal = await session.get_one(Signal, open_id)
        next_status(signal.status, Action.REPORT_AGAIN)
        created = False
    else:
        point_id = route(address.area, await coverage(session))
        signal = Signal(
            reference=await _unique_reference(session),
            point_id=point_id,
            status=Status.UNROUTED if point_id is None else Status.ON_HOLD if on_hold else Status.NEW,
            postcode=address.postcode,
            house=address.house,
            area=address.area,
            address_key=address.key,
            created_at=now,
            urgent=False,
        )
        session.add(signal)
        created = True
    signal.reports.append(
        Report(
            reporter_id=reporter_id,
            observations=[str(o) for o in draft.observations],
            consent=str(draft.consent),
            note=draft.note,
            may_contact=bool(draft.may_contact),
            created_at=now,
        )
    )
    await session.flush()
    if created:
        record(session, signal.id, EventKind.REPORTED, now, reporter_id, detail=signal.status)
    else:
        record(session, signal.id, EVENT_OF[Action.REPORT_AGAIN], now, reporter_id, detail=str(len(signal.reports)))
    await session.refresh(signal, ["point"])
    made_urgent = draft.urgent and not signal.urgent
    if made_urgent:
        signal.urgent = True
        record(session, signal.id, EventKind.MADE_URGENT, now, reporter_id)
    if created and signal.status == Status.NEW:
        sla.start_clock(signal, signal.point, now, now)
    elif made_urgent and signal.status != Status.ON_HOLD:
        sla.make_urgent(signal, signal.point, now)
    return Filed(signal, created, made_urgent)


async def get_signal(session: AsyncSession, signal_id: int) -> Signal | None:
    return await session.get(Signal, signal_id, populate_existing=True)


async def transition(session: AsyncSession, signal_id: int, action: Action, current: Status, worker_id: int | None,
                now: datetime, values: dict, *conditions, detail: str | None = None) -> bool:  # type: ignore[type-arg]
    """Change state with one conditional UPDATE: of two at the same time, exactly one wins."""
    target = next_status(current, action)
    result = await session.execute(
        update(Signal)
        .where(Signal.id == signal_id, Signal.status == current, *conditions)
        .values(status=target, **values)
        .execution_options(synchronize_session=False)
    )
    moved = result.rowcount == 1  # type: ignore[attr-defined]
    if moved:
        record(session, signal_id, EVENT_OF[action], now, worker_id, detail)
        if EVENT_OF[action] in (EventKind.CLAIMED, EventKind.CLOSED):
            await sla.time_steps(session, signal_id, now, claim=EVENT_OF[action] == EventKind.CLAIMED,
                                 contact=EVENT_OF[action] == EventKind.CLOSED)
    return moved


async def claim(session: AsyncSession, signal_id: int, worker_id: int, now: datetime) -> bool:
    won = await transition(session, signal_id, Action.CLAIM, Status.NEW, worker_id, now,
                      {"claimed_by": worker_id, "claimed_at": now, "address_delivered": False})
    if won:
        signal = await session.get_one(Signal, signal_id, populate_existing=True)
        sla.replan(signal, signal.point, now)
    return won


async def release(session: AsyncSession, signal_id: int, worker_id: int, now: datetime,
                  reason: str | None = None) -> bool:
    """Given back by its claimer, or (``reason`` "left_group") because they are no longer in the group."""
    done = await transition(session, signal_id, Action.RELEASE, Status.CLAIMED, worker_id, now,
                       {"claimed_by": None, "claimed_at": None, "address_delivered": False, "paused_until": None},
                       Signal.claimed_by == worker_id, detail=reason)
    if done:
        signal = await session.get_one(Signal, signal_id, populate_existing=True)
        if signal.point is not None:
            sla.restart_claim_window(signal, signal.point, now)
    return done


async def close(session: AsyncSession, signal_id: int, worker_id: int, outcome: Outcome,
                now: datetime, forwarded_to: str | None = None) -> bool:
    return await transition(session, signal_id, Action.CLOSE, Status.CLAIMED, worker_id, now,
                            {"closed_at": now, "outcome": outcome, "forwarded_to": forwarded_to, "next_alert": None,
                             "next_alert_at": None}, Signal.claimed_by == worker_id, detail=outcome)


async def held_by(session: AsyncSession, signal_id: int, worker_id: int, action: Action) -> Signal | None:
    """The signal, locked, if this worker holds it and ``action`` is allowed on it now."""
    signal = await session.get(Signal, signal_id, populate_existing=True, with_for_update={"of": Signal})
    if signal is None or signal.claimed_by != worker_id or not allowed(signal.status, action):
        return None
    return signal


async def record_contact(session: AsyncSession, signal_id: int, worker_id: int, now: datetime) -> Signal | None:
    """The claimer spoke with the person: the contact deadline is met; the signal stays open until an outcome."""
    signal = await held_by(session, signal_id, worker_id, Action.CONTACT)
    if signal is None:
        return None
    if signal.contacted_at is None:
        signal.contacted_at = now
        record(session, signal.id, EVENT_OF[Action.CONTACT], now, worker_id)
        await sla.time_steps(session, signal.id, now, contact=True)
        sla.replan(signal, signal.point, now)
    return signal


async def pause(session: AsyncSession, signal_id: int, worker_id: int, reason: str, now: datetime) -> Signal | None:
    """Hold the reminders for a working week, with a reason from a fixed list (never free text)."""
    signal = await held_by(session, signal_id, worker_id, Action.PAUSE)
    if signal is None or signal.point is None:
        return None
    sla.pause(signal, signal.point, now)
    record(session, signal.id, EVENT_OF[Action.PAUSE], now, worker_id, detail=reason)
    return signal


async def reports_since(session: AsyncSession, reporter_id: int, since: datetime) -> int:
    return await session.scalar(select(func.count()).where(
        Report.reporter_id == reporter_id, Report.created_at > since)) or 0


async def on_hold_from(session: AsyncSession, reporter_id: int, point_id: int) -> Sequence[Signal]:
    """The signals of a point that wait on hold because of this reporter."""
    return (await session.scalars(
        select(Signal).where(Signal.point_id == point_id, Signal.status == Status.ON_HOLD,
                             Signal.id.in_(select(Report.signal_id).where(Report.reporter_id == reporter_id)))
        .order_by(Signal.id))).all()


async def let_through(session: AsyncSession, signal_id: int, coordinator_id: int, now: datetime) -> bool:
    """A coordinator lets a signal on hold go to the group: its clock starts now."""
    done = await transition(session, signal_id, Action.LET_THROUGH, Status.ON_HOLD, coordinator_id, now, {})
    if done:
        signal = await session.get_one(Signal, signal_id, populate_existing=True)
        sla.start_clock(signal, signal.point, now, now)
    return done


async def set_aside(session: AsyncSession, signal_id: int, coordinator_id: int, now: datetime) -> bool:
    """A coordinator judges a signal on hold not to be one: closed unseen, anonymised after the retention period."""
    return await transition(session, signal_id, Action.SET_ASIDE, Status.ON_HOLD, coordinator_id, now,
                       {"closed_at": now, "outcome": Outcome.SET_ASIDE}, detail=Outcome.SET_ASIDE)


async def claims_since(session: AsyncSession, worker_id: int, since: datetime) -> int:
    return await session.scalar(select(func.count()).where(
        Event.kind == EventKind.CLAIMED, Event.actor_id == worker_id, Event.at > since)) or 0


async def held_at(session: AsyncSession, point_id: int, worker_id: int) -> Sequence[Signal]:
    """The signals of a point that this worker holds."""
    return (await session.scalars(
        select(Signal).where(Signal.point_id == point_id, Signal.claimed_by == worker_id,
                             Signal.status == Status.CLAIMED).order_by(Signal.id))).all()


async def undelivered_addresses(session: AsyncSession, worker_id: int) -> Sequence[Signal]:
    """Signals this worker holds whose address could not be sent yet (they had not started the bot)."""
    return (await session.scalars(
        select(Signal).where(Signal.claimed_by == worker_id, Signal.status == Status.CLAIMED,
                             Signal.address_delivered.is_(False)).order_by(Signal.id)
    )).all()


def mark_address_delivered(signal: Signal) -> None:
    signal.address_delivered = True


async def mark_addresses_undelivered(session: AsyncSession, worker_id: int) -> None:
    """The worker blocked the bot: the addresses of what they hold go again once they start it."""
    await session.execute(update(Signal).where(Signal.claimed_by == worker_id, Signal.status == Status.CLAIMED)
                          .values(address_delivered=False))


async def card_posted(session: AsyncSession, signal_id: int, message_id: int) -> None:
    await session.execute(update(Signal).where(Signal.id == signal_id).values(card_message_id=message_id))


async def forget_cards(session: AsyncSession, point_id: int) -> None:
    """The point moved to another group: its cards there are posted anew."""
    await session.execute(update(Signal).where(Signal.point_id == point_id).values(card_message_id=None))


async def card_lost(session: AsyncSession, signal_id: int) -> None:
    """The card was deleted from the group: the next version is posted anew."""
    await session.execute(update(Signal).where(Signal.id == signal_id).values(card_message_id=None))


async def route_unrouted(session: AsyncSession, now: datetime) -> list[Signal]:
    """Give unrouted signals to the point that now covers their area (after a point was added)."""
    cover = await coverage(session)
    routed = []
    for signal in await session.scalars(select(Signal).where(Signal.status == Status.UNROUTED)):
        point_id = route(signal.area, cover)
        if point_id is not None:
            signal.point_id = point_id
            signal.status = next_status(signal.status, Action.ROUTE)
            record(session, signal.id, EVENT_OF[Action.ROUTE], now, detail=str(point_id))
            routed.append(signal)
    await session.flush()
    for signal in routed:
        await session.refresh(signal, ["point"])
        sla.start_clock(signal, signal.point, now, now)
    return routed


async def open_signals_without_card(session: AsyncSession, point: Point) -> Sequence[Signal]:
    return (await session.scalars(
        select(Signal).where(Signal.point_id == point.id, Signal.status.in_(OPEN_STATUSES),
                             Signal.card_message_id.is_(None)).order_by(Signal.id)
    )).all()


async def unrouted(session: AsyncSession) -> Sequence[Signal]:
    return (await session.scalars(
        select(Signal).where(Signal.status == Status.UNROUTED).order_by(Signal.id)
    )).all()


async def steerable(session: AsyncSession, point_id: int, now: datetime,
                    shown: int = 10) -> tuple[Sequence[Signal], Sequence[Signal]]:
    """For a coordinator: the point's open signals, the longest waiting first, and those closed within
    ``REOPEN_DAYS`` that still have their address (they can be reopened)."""
    open_signals = (await session.scalars(
        select(Signal).where(Signal.point_id == point_id, Signal.status.in_((Status.NEW, Status.CLAIMED)))
        .order_by(Signal.created_at, Signal.id).limit(shown))).unique().all()
    closed = (await session.scalars(
        select(Signal).where(Signal.point_id == point_id, Signal.status == Status.CLOSED,
                             Signal.anonymised_at.is_(None), Signal.closed_at >= now - timedelta(days=REOPEN_DAYS))
        .order_by(Signal.closed_at.desc()).limit(shown))).unique().all()
    return open_signals, closed
