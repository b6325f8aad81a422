"""The clock in the database: each open signal's deadlines and its one next alert, read through an index.

A signal carries ``next_alert`` and ``next_alert_at``. A sweep takes the rows whose moment has
come (``take_due``), locked so that a second sweep at the same time skips them (PostgreSQL
``FOR UPDATE SKIP LOCKED``; SQLite has one writer at a time anyway), records each alert as an
event and moves the row on to its following alert in the same transaction as the messages it
causes. So an alert is sent once: not twice after a restart, nor by two instances.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Integer, Numeric, Row, bindparam, case, cast, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import lazyload

from omzien.flows import sla
from omzien.flows.signal import EventKind, Status
from omzien.storage.models import Event, Point, Signal
from omzien.storage.points import POLICY, policy_of

PLAN = "plan"
"""``next_alert`` of a signal whose deadlines are still to be set (open signals from before the clock existed)."""


CLOCK = (Signal.id, Signal.reference, Signal.area, Signal.point_id, Signal.status, Signal.urgent, Signal.created_at,
         Signal.claimed_by, Signal.waiting_since, Signal.due_claim_at, Signal.due_contact_at, Signal.due_close_at,
         Signal.contacted_at, Signal.paused_until, Signal.next_alert, Signal.next_alert_at, Signal.last_alert)
"""What the sweep reads of a due signal: its clock and what a line in a list shows, never the address."""


@dataclass
class Due:
    """A signal whose next alert is due, as the sweep reads and moves it (the columns of ``CLOCK``): plain values,
    not a mapped ``Signal``, so a sweep of many pays for no identity map and no unit of work."""

    id: int
    reference: str
    area: int
    point_id: int | None
    status: str
    urgent: bool
    created_at: datetime
    claimed_by: int | None
    waiting_since: datetime | None
    due_claim_at: datetime | None
    due_contact_at: datetime | None
    due_close_at: datetime | None
    contacted_at: datetime | None
    paused_until: datetime | None
    next_alert: str | None
    next_alert_at: datetime | None
    last_alert: str | None


def _schedule(signal: Signal | Due, policy: sla.Policy) -> list[tuple[datetime, sla.Alert]]:
    assert signal.waiting_since and signal.due_claim_at and signal.due_contact_at and signal.due_close_at
    return sla.schedule(policy, _phase(signal), waiting_since=signal.waiting_since, due_claim=signal.due_claim_at,
                        due_contact=signal.due_contact_at, due_close=signal.due_close_at, urgent=signal.urgent)


def _phase(signal: Signal | Due) -> sla.Phase:
    return sla.phase(signal.status, signal.contacted_at is not None)


def _set_next(signal: Signal | Due, upcoming: tuple[datetime, sla.Alert] | None) -> None:
    if upcoming is not None and signal.paused_until is not None:
        upcoming = (max(upcoming[0], signal.paused_until), upcoming[1])
    signal.next_alert_at, signal.next_alert = upcoming if upcoming else (None, None)


def start_clock(signal: Signal | Due, point: Point, reported_at: datetime, now: datetime) -> None:
    """A signal has reached its point: deadlines count from the report (or from now, if it waited unrouted)."""
    due = sla.deadlines(policy_of(point), reported_at, signal.urgent)
    signal.waiting_since = reported_at
    signal.due_claim_at, signal.due_contact_at, signal.due_close_at = due.claim, due.contact, due.close
    replan(signal, point, now)


def replan(signal: Signal | Due, point: Point | None, now: datetime) -> None:
    """After a change of state: the first alert still to come. What passed meanwhile is not sent late."""
    if point is None or _phase(signal) not in sla.CLOCKED:
        signal.next_alert = signal.next_alert_at = None
        return
    _set_next(signal, sla.first_after(_schedule(signal, policy_of(point)), now))


def restart_claim_window(signal: Signal, point: Point, now: datetime) -> None:
    """A signal given back waits again: a new claim window from now."""
    signal.waiting_since = now
    signal.due_claim_at = sla.claim_deadline(policy_of(point), now, signal.urgent)
    signal.last_alert = None
    replan(signal, point, now)


def make_urgent(signal: Signal, point: Point | None, now: datetime) -> None:
    """A report with crisis words joined a waiting signal: it is to be picked up sooner."""
    if point is not None and signal.waiting_since is not None and _phase(signal) is sla.Phase.CLAIM:
        signal.due_claim_at = min(signal.due_claim_at or now,
                                  sla.claim_deadline(policy_of(point), signal.waiting_since, urgent=True))
        replan(signal, point, now)


def pause(signal: Signal, point: Point, now: datetime) -> None:
    """Hold the reminders for a working week; deadlines that fall inside the pause move to its end."""
    policy = policy_of(point)
    until = policy.working.add(now, policy.working.days(sla.PAUSE_DAYS))
    signal.paused_until = until
    if signal.contacted_at is None:
        signal.due_contact_at = max(signal.due_contact_at or until, until)
    signal.due_close_at = max(signal.due_close_at or until, until)
    replan(signal, point, now)


MOVED = ("next_alert", "next_alert_at", "last_alert")
PLANNED = ("waiting_since", "due_claim_at", "due_contact_at", "due_close_at")
# The statements of ``take_due``, built once (the moment, the limit and the ids are bound).
_DUE = (select(*CLOCK).where(Signal.next_alert_at <= bindparam("now", type_=Signal.next_alert_at.type))
        .order_by(Signal.next_alert_at, Signal.id).limit(bindparam("limit", type_=Integer))
        .with_for_update(skip_locked=True))
_POINTS = select(Point).where(Point.id.in_(bindparam("ids", expanding=True))).options(lazyload(Point.areas))
_WRITE_DUE = update(Signal.__table__).where(Signal.__table__.c.id == bindparam("due_id"))


async def take_due(session: AsyncSession, now: datetime, limit: int
                   ) -> tuple[int, list[tuple[Due, list[sla.Alert]]], dict[int, Point]]:
    """Lock the signals whose next alert is due, fire what is due on each, and move each on.

    Returns how many rows it took, each signal with the alerts that fell due (oldest first), and the points
    of the signals taken. A signal whose sweep is late (the bot was down) gets every alert it missed at once;
    the callers gather them per person. The due rows are found through ``ix_signals_next_alert_at``; only
    their clock columns are read, and written back in one statement (two if some had no deadlines yet).
    """
    rows = [Due(**row._mapping) for row in await session.execute(_DUE, {"now": now, "limit": limit})]
    point_ids = {signal.point_id for signal in rows if signal.point_id is not None}
    taken = {point.id: point for point in await session.scalars(_POINTS, {"ids": list(point_ids)})} \
        if point_ids else {}
    fired: list[tuple[Due, list[sla.Alert]]] = []
    events, planned = [], set()
    for signal in rows:
        point = taken.get(signal.point_id) if signal.point_id is not None else None
        if point is None or _phase(signal) not in sla.CLOCKED:
            _set_next(signal, None)
            continue
        if signal.next_alert == PLAN:
            start_clock(signal, point, signal.created_at, now)
            planned.add(signal.id)
            continue
        alerts = []
        schedule = _schedule(signal, policy_of(point))
        while signal.next_alert_at is not None and signal.next_alert_at <= now:
            alert = sla.Alert(signal.next_alert)
            alerts.append(alert)
            events.append({"signal_id": signal.id, "kind": EventKind.ALERT, "at": now, "detail": alert})
            signal.last_alert = alert
            _set_next(signal, sla.following(schedule, alert))
        if alerts:
            fired.append((signal, alerts))
    for columns, written in ((MOVED, [signal for signal in rows if signal.id not in planned]),
                             (MOVED + PLANNED, [signal for signal in rows if signal.id in planned])):
        if written:
            await session.execute(_WRITE_DUE, [{"due_id": signal.id, **{column: getattr(signal, column)
                                                                        for column in columns}} for signal in written])
    if events:
        await session.execute(insert(Event.__table__), events)
    return len(rows), fired, taken


async def overdue_counts(session: AsyncSession, point_id: int, now: datetime) -> tuple[int, int]:
    """How many signals of a point are open, and how many of them are late: ``flows.sla.standing`` in SQL."""
    is_open = Signal.status.in_((Status.NEW, Status.CLAIMED))
    late = or_(
        (Signal.status == Status.NEW) & (Signal.due_claim_at <= now),
        (Signal.status == Status.CLAIMED) & Signal.contacted_at.is_(None) & (Signal.due_contact_at <= now),
        (Signal.status == Status.CLAIMED) & (Signal.due_close_at <= now),
    )
    row = (await session.execute(
        select(func.count(), func.count().filter(late)).where(Signal.point_id == point_id, is_open))).one()
    return row[0], row[1]


async def new_since(session: AsyncSession, point_id: int, since: datetime) -> int:
    return await session.scalar(select(func.count()).where(Signal.point_id == point_id,
                                                           Signal.created_at >= since)) or 0


def summary_due(point: Point | Row[Any], now: datetime) -> bool:
    """The morning summary goes out once per working day, from opening time, while the point is open."""
    working = policy_of(point).working
    today = working.local_date(now)
    if point.group_chat_id is None or not working.is_working_day(today):
        return False
    opens, closes = working.window(today)
    return opens <= now <= closes and (point.summary_at is None or point.summary_at < opens)


async def points_for_summary(session: AsyncSession, now: datetime) -> list[Point]:
    """The points whose morning summary is due, locked: found from their working time without a lock, then only
    those locked and asked again (another sweep may have sent it meanwhile)."""
    due = [row.id for row in await session.execute(select(Point.id, Point.group_chat_id, Point.summary_at, *POLICY)
                                                    .where(Point.group_chat_id.is_not(None))) if summary_due(row, now)]
    if not due:
        return []
    points = await session.scalars(select(Point).where(Point.id.in_(due)).order_by(Point.id)
                                   .options(lazyload(Point.areas)).with_for_update(skip_locked=True))
    return [point for point in points if summary_due(point, now)]


# Figures for the municipality: from the event rows, in the point's working time.

@dataclass(frozen=True)
class Measure:
    """Working hours from the report to a step, over the signals that took it, and the share within the SLA."""

    count: int
    median_hours: float | None
    p90_hours: float | None
    within: float | None  # share of signals that took the step in time, counting late waiting ones as misses
    late_waiting: int  # still not taken, and already past the allowance


STEPS = (EventKind.REPORTED, EventKind.ROUTED, EventKind.CLAIMED, EventKind.CONTACTED, EventKind.CLOSED)
"""The events the figures measure between: the first of each kind per signal."""


async def clock_start(session: AsyncSession, signal_id: int) -> datetime | None:
    """Where the figures start counting: the signal's first routing to a point, else its first report."""
    for kind in (EventKind.ROUTED, EventKind.REPORTED):
        at = await session.scalar(select(func.min(Event.at)).where(Event.signal_id == signal_id, Event.kind == kind))
        if at is not None:
            return at.replace(tzinfo=UTC) if at.tzinfo is None else at
    return None


async def time_steps(session: AsyncSession, signal_id: int, now: datetime, *, claim: bool = False,
                     contact: bool = False) -> None:
    """Working hours from the start of the clock to ``now``, written once: at the first claim (``claim_hours``)
    and at the first contact or close (``contact_hours``). The figures read these instead of the events, so no
    working time is computed per signal when they are asked for."""
    row = (await session.execute(select(Signal.point_id, Signal.claim_hours, Signal.contact_hours)
                                 .where(Signal.id == signal_id))).one_or_none()
    if row is None or row.point_id is None:
        return
    wanted = [name for name, asked, done in (("claim_hours", claim, row.claim_hours),
                                             ("contact_hours", contact, row.contact_hours)) if asked and done is None]
    start = await clock_start(session, signal_id) if wanted else None
    if start is None:
        return
    point = await session.get_one(Point, row.point_id)
    hours = policy_of(point).working.between(start, now).total_seconds() / 3600
    await session.execute(update(Signal).where(Signal.id == signal_id).values({name: hours for name in wanted})
                          .execution_options(synchronize_session=False))


def _nearest_rank(count: Any, share: int) -> Any:
    """The nearest rank of the ``share`` percentile (in tenths) of ``count`` values: ceil(share/10 × count)."""
    return (count * share + 9) // 10


def _percentiles(histogram: list[tuple[float, int]]) -> dict[str, float]:
    """The median and 90th percentile (nearest rank) from (value, how many) sorted by value."""
    total = sum(count for _value, count in histogram)
    found, seen = {}, 0
    for value, count in histogram:
        seen += count
        for share in (5, 9):
            if f"p{share}" not in found and seen >= _nearest_rank(total, share):
                found[f"p{share}"] = value
    return found


async def reports(session: AsyncSession, chosen: Sequence[Point], since: datetime, now: datetime,
                  until: datetime | None = None) -> dict[int, dict[str, Measure | int]]:
    """Per point: time to claim and time to first contact, per signal reported since ``since`` (and before
    ``until``), in working hours, counted by the database from the hours written at each step (``time_steps``).
    A signal that has not taken a step and whose deadline passed is late. The median and 90th percentile come
    from how many signals took each tenth of an hour (the figures show tenths), not from a row per signal."""
    if not chosen:
        return {}
    where = [Signal.created_at >= since]  # all points: the period from ix_signals_figures alone, then per point
    if len(chosen) == 1:
        where.append(Signal.point_id == chosen[0].id)
    point = Signal.point_id + 0  # grouped by this, not by the column: SQLite would walk each point's rows in turn
    if until is not None:
        where.append(Signal.created_at < until)
    allowances = {point.id: {"claim": _hours(policy_of(point).working.days(policy_of(point).claim_days)),
                             "contact": _hours(policy_of(point).working.days(policy_of(point).contact_days))}
                  for point in chosen}
    steps = (("claim", Signal.claim_hours, Signal.due_claim_at),
             ("contact", Signal.contact_hours, Signal.due_contact_at))
    counted: list[Any] = [func.count()]
    for step, hours, due in steps:
        allowance = case({point_id: a[step] for point_id, a in allowances.items()}, value=Signal.point_id, else_=0)
        counted += [func.count(hours), func.count().filter(hours <= allowance + 1e-9),
                    func.count().filter(hours.is_(None), due < now)]
    found: dict[int, dict[str, Any]] = {point.id: {"signals": 0} for point in chosen}
    for point_id, signals, *numbers in await session.execute(select(point, *counted).where(*where).group_by(point)):
        if point_id in found:
            found[point_id]["signals"] = signals
            for index, (step, _hours_column, _due) in enumerate(steps):
                found[point_id][step] = numbers[3 * index: 3 * index + 3]
    histograms: dict[tuple[int, str], list[tuple[float, int]]] = {}
    for step, hours, _due in steps:
        tenth = func.round(cast(hours, Numeric), 1)  # PostgreSQL rounds numeric, not double precision
        for point_id, value, count in await session.execute(
                select(point, tenth, func.count()).where(*where, hours.is_not(None))
                .group_by(point, tenth).order_by(point, tenth)):
            histograms.setdefault((point_id, step), []).append((float(value), count))
    result: dict[int, dict[str, Measure | int]] = {}
    for point in chosen:
        values = found[point.id]
        result[point.id] = {"signals": values["signals"]}
        for step, _hours_column, _due in steps:
            count, in_time, late = values.get(step, (0, 0, 0))
            total = count + late
            percentiles = _percentiles(histograms.get((point.id, step), []))
            result[point.id][step] = Measure(count=count, median_hours=percentiles.get("p5"),
                                             p90_hours=percentiles.get("p9"),
                                             within=round(in_time / total, 3) if total else None, late_waiting=late)
    return result


def _hours(allowance: timedelta) -> float:
    return allowance.total_seconds() / 3600


async def report(session: AsyncSession, point: Point, since: datetime, now: datetime,
                 until: datetime | None = None) -> dict[str, Measure | int]:
    """Time to claim and time to first contact, per signal reported since ``since`` (and before ``until``)."""
    return (await reports(session, [point], since, now, until))[point.id]
