"""Signal points: adding one (signals that waited for its area go to it) and linking its group."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from omzien.core.i18n import I18n
from omzien.flows.routing import AreaRange, format_areas
from omzien.services.publish import Change, publish, refresh_overview, speaking_to
from omzien.services.signals import route_waiting
from omzien.storage import outbox, points, signals
from omzien.storage.models import Point
from omzien.views.group import linked_payload, moved_payload


@dataclass(frozen=True)
class Added:
    point: Point
    routed: int  # signals reported earlier from its areas that now go to it


async def add_point(session: AsyncSession, i18n: I18n, name: str, areas: Sequence[AreaRange],
                    group_chat_id: int | None, now: datetime) -> Added:
    """Raises ``points.NameTaken`` or ``points.AreasTaken``; changes nothing then."""
    point = await points.add_point(session, name, areas, group_chat_id)
    return Added(point, await route_waiting(session, i18n, now))


async def link_group(session: AsyncSession, i18n: I18n, code: str, chat_id: int, now: datetime) -> Point | None:
    """Link the group with a one-time code; None if the code is unknown, spent or expired. The group hears that
    it is linked, then gets the cards of the open signals; a group the point leaves hears that it moved."""
    linked = await points.link_group(session, code, chat_id, now)
    if linked is None:
        return None
    point = linked.point
    if linked.previous_group is not None:
        await signals.forget_cards(session, point.id)
    with speaking_to(i18n, None):
        if linked.previous_group is not None:
            outbox.send(session, linked.previous_group, moved_payload(point.name))
        outbox.send(session, chat_id, linked_payload(point.name, format_areas(AreaRange(a.first, a.last)
                                                                             for a in point.areas)))
    for signal in await signals.open_signals_without_card(session, point):
        await publish(session, i18n, signal.id, Change.GROUP_LINKED, now)
    return point


async def group_moved(session: AsyncSession, old_chat_id: int, new_chat_id: int) -> None:
    """A group became a supergroup (a new chat id): the point and what waits to be sent follow it."""
    await points.move_group(session, old_chat_id, new_chat_id)
    await outbox.move_chat(session, old_chat_id, new_chat_id)


async def show_overview(session: AsyncSession, i18n: I18n, chat_id: int, now: datetime) -> bool:
    """/open: the group's overview is posted now and becomes its current one; False if the group is not linked."""
    point = await points.point_of_group(session, chat_id)
    if point is None:
        return False
    await refresh_overview(session, point, i18n, now, post_new=True, force=True)
    return True
