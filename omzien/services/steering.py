"""Steering a signal after the fact: the claimer's undo, and a coordinator's overview, reassign, move and reopen.

Coordinators are the user ids in a point's ``coordinators``; each may steer only the signals of the points
they coordinate. A reassign goes only to a current member of the point's group.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from omzien.core.i18n import I18n
from omzien.services.facts import signal_facts
from omzien.services.publish import Change, Left, publish
from omzien.services.signals import MemberCheck
from omzien.storage import points, signals, steering
from omzien.storage.models import Point
from omzien.views.facts import SignalFacts


async def undo(session: AsyncSession, i18n: I18n, signal_id: int, worker_id: int, now: datetime) -> str | None:
    """The claimer takes back a close or a give-back; its reference, or None if that cannot be (any more)."""
    if not await steering.undo(session, signal_id, worker_id, now):
        return None
    return (await publish(session, i18n, signal_id, Change.UNDONE, now)).reference


@dataclass(frozen=True)
class Steerable:
    """What a coordinator sees of their points: the open signals (who holds them, how late), the recently
    closed ones (to reopen), and the workers who may be given a signal."""

    point: str
    open: list[SignalFacts]
    closed: list[SignalFacts]


async def coordinated(session: AsyncSession, coordinator_id: int, now: datetime) -> list[Steerable]:
    found = []
    for point in await points.coordinated_by(session, coordinator_id):
        open_signals, closed = await signals.steerable(session, point.id, now)
        found.append(Steerable(point.name, [signal_facts(s, now) for s in open_signals],
                               [signal_facts(s, now) for s in closed]))
    return found


async def _point_of(session: AsyncSession, signal_id: int, coordinator_id: int) -> Point | None:
    """The point of the signal, if this person coordinates it."""
    signal = await signals.get_signal(session, signal_id)
    if signal is None or signal.point is None or coordinator_id not in signal.point.coordinators:
        return None
    return signal.point


async def candidates(session: AsyncSession, signal_id: int, coordinator_id: int, now: datetime
                     ) -> tuple[SignalFacts, list[tuple[int, str]], list[tuple[int, str]]] | None:
    """For a coordinator's choice: the signal, the workers who were active at its point, and the other points."""
    point = await _point_of(session, signal_id, coordinator_id)
    signal = await signals.get_signal(session, signal_id)
    if point is None or signal is None:
        return None
    workers = await points.workers_of(session, point.id)
    others = [(other.id, other.name) for other in await points.all_points(session) if other.id != point.id]
    return signal_facts(signal, now), workers, others


async def reassign(session: AsyncSession, i18n: I18n, coordinator_id: int, signal_id: int, worker_id: int,
                   now: datetime, member_of: MemberCheck) -> str | None:
    """Give the signal to a worker of the group: they get the address, whoever had it loses every copy."""
    point = await _point_of(session, signal_id, coordinator_id)
    if point is None or point.group_chat_id is None:
        return None
    try:
        if not await member_of(point.group_chat_id, worker_id):
            return None
    except LookupError:
        return None
    if await steering.reassign(session, signal_id, worker_id, coordinator_id, now) is None:
        return None
    return (await publish(session, i18n, signal_id, Change.REASSIGNED, now)).reference


async def move(session: AsyncSession, i18n: I18n, coordinator_id: int, signal_id: int, point_id: int,
               now: datetime) -> str | None:
    """Move the signal to another point: a card there, the old card says where it went, the reporter is not
    bothered."""
    point = await _point_of(session, signal_id, coordinator_id)
    if point is None or await points.point_by_id(session, point_id) is None:
        return None
    old_card = await steering.move(session, signal_id, point_id, coordinator_id, now)
    if old_card is None:
        return None
    left = Left(point=point, chat_id=old_card[0], card_message_id=old_card[1])
    return (await publish(session, i18n, signal_id, Change.MOVED, now, left=left)).reference


async def reopen(session: AsyncSession, i18n: I18n, actor_id: int | None, signal_id: int, now: datetime,
                 as_coordinator: bool = True) -> str | None:
    """A closed signal waits in the group again (within ``REOPEN_DAYS``). A coordinator of its point may do it;
    the follow-up check and the resident's own request do it for themselves (``as_coordinator`` False)."""
    if as_coordinator and (actor_id is None or await _point_of(session, signal_id, actor_id) is None):
        return None
    if not await steering.reopen(session, signal_id, actor_id, now):
        return None
    return (await publish(session, i18n, signal_id, Change.REOPENED, now)).reference
