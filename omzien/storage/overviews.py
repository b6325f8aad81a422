"""What a group's overview shows: the signals that wait to be picked up, and the claimed ones whose contact
deadline passed a working day ago; the most urgent few of each and how many there are (up to ``COUNT_UP_TO``),
for many groups in one statement (the sweep brings up to twenty up to date per transaction)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    Row,
    ScalarSelect,
    Select,
    String,
    bindparam,
    func,
    literal,
    literal_column,
    select,
    text,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncSession

from omzien.flows import sla
from omzien.flows.signal import Status
from omzien.flows.sla import COUNT_UP_TO
from omzien.storage.models import Account, Signal


@dataclass
class Overview:
    """What a group's overview shows: the most urgent few, and how many there are in all."""

    waiting: Sequence[Row[Any]]  # the columns of ``LINE``
    waiting_count: int
    late_count: int
    without_contact: Sequence[Row[Any]]
    without_contact_count: int


LINE = (Signal.id, Signal.reference, Signal.area, Signal.urgent, Signal.status, Signal.due_claim_at,
        Signal.due_contact_at, Signal.due_close_at, Signal.contacted_at, Signal.paused_until,
        Account.first_name.label("claimer"))
"""What a line of the overview shows of a signal (``views.group.signal_line``)."""


def _written(value: object) -> Any:
    """A constant written into the statement, not bound: PostgreSQL plans a prepared statement once for all
    values of its parameters after a few runs, and for a limit or a status it does not know it plans a read of
    every matching row."""
    return literal_column(str(value) if isinstance(value, int) else f"'{value}'")


def _capped(condition: ColumnElement[bool]) -> ScalarSelect[int]:
    """How many signals meet ``condition``, counting no further than ``COUNT_UP_TO`` + 1."""
    return select(func.count()).select_from(
        select(Signal.id).where(condition).limit(_written(COUNT_UP_TO + 1)).subquery()).scalar_subquery()


def _lines(at: int, kind: str, condition: ColumnElement[bool], order: ColumnElement[Any], shown: int,
           total: ScalarSelect[int], late: ColumnElement[int]) -> Select[Any]:
    return (select(bindparam(f"point{at}", type_=Integer).label("point"), literal(kind, String).label("kind"),
                   order.label("sort_at"), total.label("total"), late.label("late"), *LINE)
            .outerjoin(Account, Account.id == Signal.claimed_by).where(condition).order_by(order, Signal.id)
            .limit(_written(shown)))


@cache
def _overview_statement(points: int, shown: int) -> Any:
    """The statement of ``overviews`` for ``points`` points, built once: the point ids and the moment are bound
    parameters (``point0``…, ``now``), so a sweep does not build ~100 selects for every twenty groups. Each line
    carries the counts of its list (computed once per list: they do not depend on the row), so a list without
    lines counts 0 and no second statement is needed."""
    now = bindparam("now", type_=Signal.due_claim_at.type)
    parts = []
    for at in range(points):
        point = Signal.point_id == bindparam(f"point{at}", type_=Integer)
        waiting = point & (Signal.status == _written(Status.NEW))
        unreached = (point & (Signal.status == _written(Status.CLAIMED)) & Signal.contacted_at.is_(None)
                     & (Signal.last_alert == _written(sla.Alert.CONTACT_LATE)))
        parts.append(_lines(at, "waiting", waiting, Signal.due_claim_at, shown, _capped(waiting),
                            _capped(waiting & (Signal.due_claim_at <= now))))
        parts.append(_lines(at, "unreached", unreached, Signal.due_contact_at, shown, _capped(unreached),
                            literal(0, Integer)))
    return union_all(*(part.subquery().select() for part in parts)).order_by(
        text("point"), text("kind"), text("sort_at"), text("id"))


async def overview(session: AsyncSession, point_id: int, now: datetime, shown: int) -> Overview:
    return (await overviews(session, [point_id], now, shown))[point_id]


async def overviews(session: AsyncSession, point_ids: Sequence[int], now: datetime, shown: int) -> dict[int, Overview]:
    """Per point: its signals that wait to be picked up (most urgent first), and claimed ones whose contact
    deadline passed a working day ago (the group hears of those). Reads ``shown`` rows of each, and counts;
    for all the points together in one statement of the columns a line shows, each part of it through
    ``ix_signals_point_status_due``."""
    bound = {"now": now, **{f"point{at}": point_id for at, point_id in enumerate(point_ids)}}
    lines: dict[tuple[int, str], list[Row[Any]]] = {}
    for row in await session.execute(_overview_statement(len(point_ids), shown), bound):
        lines.setdefault((row.point, row.kind), []).append(row)
    found = {}
    for point_id in point_ids:
        waiting, unreached = lines.get((point_id, "waiting"), []), lines.get((point_id, "unreached"), [])
        found[point_id] = Overview(
            waiting=waiting, waiting_count=waiting[0].total if waiting else 0,
            late_count=waiting[0].late if waiting else 0, without_contact=unreached,
            without_contact_count=unreached[0].total if unreached else 0)
    return found
