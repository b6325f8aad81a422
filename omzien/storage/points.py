"""Signal points, the postcode areas they cover, their service level, and the link to their group.

The only writer of the ``points`` rows.
"""

from __future__ import annotations

import secrets
from collections.abc import Collection, Sequence
from datetime import date, datetime, time, timedelta
from enum import Enum
from functools import lru_cache
from typing import Any, NamedTuple

from sqlalchemy import Integer, Row, bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import lazyload

from omzien.flows import sla
from omzien.flows.routing import AreaRange, overlaps
from omzien.flows.signal import REFERENCE_ALPHABET, EventKind
from omzien.storage.models import Account, Event, Point, PointArea, Signal, utcnow


class AreasTaken(Exception):
    """Some of the postcode areas already belong to another point."""

    def __init__(self, taken: list[tuple[str, AreaRange]]) -> None:
        super().__init__(", ".join(f"{r} ({owner})" for owner, r in taken))
        self.taken = taken


class NameTaken(Exception):
    pass


class Unset(Enum):
    UNSET = "unset"


UNSET = Unset.UNSET


LINK_CODE_DAYS = 7
"""A link code that was not used within a week is no longer good: a new one is made with ``omzien points code``."""


def new_link_code() -> str:
    return "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))


async def coverage(session: AsyncSession) -> list[tuple[int, AreaRange]]:
    rows = await session.execute(select(PointArea.point_id, PointArea.first, PointArea.last))
    return [(point_id, AreaRange(first, last)) for point_id, first, last in rows]


async def add_point(
    session: AsyncSession, name: str, areas: Sequence[AreaRange], group_chat_id: int | None = None
) -> Point:
    """Create a point with a fresh one-time link code; refuses areas another point covers."""
    if await session.scalar(select(Point.id).where(Point.name == name)) is not None:
        raise NameTaken(name)
    names = {pid: name for pid, name in await session.execute(select(Point.id, Point.name))}
    taken = overlaps(areas, ((names[pid], r) for pid, r in await coverage(session)))
    if taken:
        raise AreasTaken(taken)
    point = Point(
        name=name,
        group_chat_id=group_chat_id,
        link_code=None if group_chat_id else new_link_code(),
        link_code_at=None if group_chat_id else utcnow(),
        areas=[PointArea(first=r.first, last=r.last) for r in areas],
    )
    session.add(point)
    await session.flush()
    return point


async def all_points(session: AsyncSession) -> Sequence[Point]:
    return (await session.scalars(select(Point).order_by(Point.id))).all()


async def point_by_id(session: AsyncSession, point_id: int) -> Point | None:
    return await session.get(Point, point_id)


async def point_of_group(session: AsyncSession, chat_id: int) -> Point | None:
    return await session.scalar(select(Point).where(Point.group_chat_id == chat_id))


async def coordinated_by(session: AsyncSession, user_id: int) -> list[Point]:
    return [point for point in await all_points(session) if user_id in point.coordinators]


async def workers_of(session: AsyncSession, point_id: int) -> list[tuple[int, str]]:
    """The workers who ever picked up a signal of the point (id, first name), for a coordinator to choose from."""
    rows = await session.execute(
        select(Account.id, Account.first_name).where(Account.id.in_(
            select(Event.actor_id).join(Signal, Signal.id == Event.signal_id)
            .where(Signal.point_id == point_id, Event.kind == EventKind.CLAIMED)))
        .order_by(Account.first_name, Account.id))
    return [(user_id, name) for user_id, name in rows]


async def coordinates_any(session: AsyncSession, user_id: int) -> bool:
    return any(user_id in point.coordinators for point in await all_points(session))


async def renew_link_code(session: AsyncSession, point: Point) -> str:
    point.link_code, point.link_code_at = new_link_code(), utcnow()
    await session.flush()
    return point.link_code


class Linked(NamedTuple):
    point: Point
    previous_group: int | None  # the group it was linked to before, if it moves


async def link_group(session: AsyncSession, code: str, chat_id: int, now: datetime) -> Linked | None:
    """Link the group to the point whose unused, unexpired code this is; the code is then spent. A point that
    moves to a new group leaves its overview behind (its cards too: ``signals.forget_cards``)."""
    point = await session.scalar(select(Point).where(Point.link_code == code.strip().upper()[:16]))
    if point is None or point.link_code_at is None or now - point.link_code_at > timedelta(days=LINK_CODE_DAYS):
        return None
    previous = point.group_chat_id
    if previous is not None and previous != chat_id:
        point.overview_message_id = point.overview_outbox_id = point.overview_at = None
    point.group_chat_id = chat_id
    point.link_code, point.link_code_at = None, None
    await session.flush()
    return Linked(point, previous if previous != chat_id else None)


async def move_group(session: AsyncSession, old_chat_id: int, new_chat_id: int) -> None:
    """The group became a supergroup, which Telegram gives a new chat id."""
    await session.execute(update(Point).where(Point.group_chat_id == old_chat_id).values(group_chat_id=new_chat_id))


async def overview_posted(session: AsyncSession, outbox_id: int, message_id: int) -> None:
    await session.execute(update(Point).where(Point.overview_outbox_id == outbox_id)
                          .values(overview_message_id=message_id))


async def want_overviews(session: AsyncSession, point_ids: Collection[int]) -> None:
    """The clock has news for these groups: stored with the alerts, so a crash before the overviews are
    written does not lose it."""
    await session.execute(update(Point).where(Point.id.in_(point_ids)).values(overview_pending=True))


async def wanting_overviews(session: AsyncSession, limit: int) -> list[Point]:
    """Lock up to ``limit`` of the points whose group waits for an overview from the clock; those another sweep
    holds are skipped (it writes them)."""
    return list(await session.scalars(_WANTING, {"limit": limit}))


_WANTING = (select(Point).where(Point.overview_pending).options(lazyload(Point.areas)).order_by(Point.id)
            .limit(bindparam("limit", type_=Integer)).with_for_update(skip_locked=True))


def overview_written(point: Point) -> None:
    point.overview_pending = False


def overview_queued(point: Point, outbox_id: int, now: datetime) -> None:
    point.overview_outbox_id, point.overview_at, point.overview_message_id = outbox_id, now, None


def summary_sent(point: Point, now: datetime) -> None:
    point.summary_at = now


def figures_sent(point: Point, now: datetime) -> None:
    point.figures_sent_at = now


async def set_goals(session: AsyncSession, point: Point, *, claim: float | None = None, contact: float | None = None,
                    close: float | None = None, areas: dict[str, int] | None = None) -> None:
    """The share of signals (0–1) to pick up, contact and close within the deadline; None leaves one unchanged.
    ``areas``: signals a year from each of the point's 4-digit areas (0 removes that goal)."""
    for goal in (claim, contact, close):
        if goal is not None and not 0 <= goal <= 1:
            raise ValueError("a goal is a share from 0 to 100 %")
    if areas and not all(any(a.first <= int(area) <= a.last for a in point.areas) for area in areas):
        raise ValueError("an area goal for an area the point does not cover")
    for name, goal in (("goal_claim", claim), ("goal_contact", contact), ("goal_close", close)):
        if goal is not None:
            setattr(point, name, goal)
    if areas:
        point.area_goals = {area: goal for area, goal in {**point.area_goals, **areas}.items() if goal > 0}
    await session.flush()


def policy_of(point: Point | Row[Any]) -> sla.Policy:
    """The service level of a point (or a row of its ``POLICY`` columns) as the domain counts with it; refuses what
    cannot work (ValueError). Made once per set of values: a sweep asks for it per due signal and per point."""
    return _policy(point.claim_days, point.contact_days, point.close_days, point.urgent_claim_days, point.time_zone,
                   point.opens, point.closes, point.weekdays, tuple(point.closed_days))


POLICY = (Point.claim_days, Point.contact_days, Point.close_days, Point.urgent_claim_days, Point.time_zone,
          Point.opens, Point.closes, Point.weekdays, Point.closed_days)


@lru_cache(maxsize=1024)
def _policy(claim_days: float, contact_days: float, close_days: float, urgent_claim_days: float, time_zone: str,
            opens: str, closes: str, weekdays: str, closed_days: tuple[str, ...]) -> sla.Policy:
    return sla.Policy(
        claim_days=claim_days, contact_days=contact_days, close_days=close_days, urgent_claim_days=urgent_claim_days,
        working=sla.WorkingTime(
            time_zone=time_zone, opens=time.fromisoformat(opens), closes=time.fromisoformat(closes),
            weekdays=frozenset(int(day) for day in weekdays),
            closed_days=frozenset(date.fromisoformat(day) for day in closed_days)))


async def set_policy(session: AsyncSession, point: Point, *, claim: float | None = None, contact: float | None = None,
                     close: float | None = None, urgent: float | None = None, retention: int | None = None,
                     claim_limit: int | None = None, claim_window: int | None = None,
                     follow_up_weeks: int | None = None, hours: tuple[time, time] | None = None,
                     weekdays: frozenset[int] | None = None, closed_days: Sequence[date] | None = None,
                     time_zone: str | None = None, coordinators: Sequence[int] | None = None,
                     fallback: int | Unset | None = UNSET) -> sla.Policy:
    """Change what is given (None: unchanged; ``fallback`` None clears it). Raises ValueError, changing nothing,
    if the result cannot work: closing before opening, a claim deadline after the contact deadline, ..."""
    values: dict[str, object] = {}
    for name, days in (("claim_days", claim), ("contact_days", contact), ("close_days", close),
                       ("urgent_claim_days", urgent)):
        if days is not None:
            values[name] = days
    if retention is not None:
        if retention < 1:
            raise ValueError("the retention period is at least one day")
        values["retention_days"] = retention
    for name, count in (("claim_limit", claim_limit), ("claim_window_minutes", claim_window),
                        ("follow_up_weeks", follow_up_weeks)):
        if count is not None:
            if count < 1:
                raise ValueError(f"{name} is at least 1")
            values[name] = count
    if hours is not None:
        values["opens"], values["closes"] = hours[0].strftime("%H:%M"), hours[1].strftime("%H:%M")
    if weekdays is not None:
        values["weekdays"] = "".join(str(day) for day in sorted(weekdays))
    if closed_days is not None:
        values["closed_days"] = sorted({day.isoformat() for day in closed_days})
    if time_zone is not None:
        values["time_zone"] = time_zone
    if coordinators is not None:
        values["coordinators"] = list(coordinators)
    if not isinstance(fallback, Unset):
        values["fallback_chat_id"] = fallback
    before = {name: getattr(point, name) for name in values}
    for name, value in values.items():
        setattr(point, name, value)
    try:
        policy = policy_of(point)
    except (ValueError, KeyError):
        for name, value in before.items():
            setattr(point, name, value)
        raise
    await session.flush()
    return policy
