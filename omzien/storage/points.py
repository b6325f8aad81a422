"""Signal points, the postcode areas they cover, and the link to their group."""

from __future__ import annotations

import secrets
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from omzien.flows.routing import AreaRange, overlaps
from omzien.flows.signal import REFERENCE_ALPHABET
from omzien.storage.models import Point, PointArea


class AreasTaken(Exception):
    """Some of the postcode areas already belong to another point."""

    def __init__(self, taken: list[tuple[str, AreaRange]]) -> None:
        super().__init__(", ".join(f"{r} ({owner})" for owner, r in taken))
        self.taken = taken


class NameTaken(Exception):
    pass


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


async def renew_link_code(session: AsyncSession, point: Point) -> str:
    point.link_code = new_link_code()
    await session.flush()
    return point.link_code


async def link_group(session: AsyncSession, code: str, chat_id: int) -> Point | None:
    """Link the group to the point whose unused code this is; the code is then spent."""
    point = await session.scalar(select(Point).where(Point.link_code == code.strip().upper()))
    if point is None:
        return None
    point.group_chat_id = chat_id
    point.link_code = None
    await session.flush()
    return point
