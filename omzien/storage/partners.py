"""Partners of a signal point and the accounts they brought: figures only, never who."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from omzien.flows.signallers import new_partner_code
from omzien.storage.models import Account, Partner


async def add_partner(session: AsyncSession, point_id: int, name: str, now: datetime) -> Partner:
    code = new_partner_code()
    while await session.scalar(select(Partner.id).where(Partner.code == code)) is not None:
        code = new_partner_code()
    partner = Partner(point_id=point_id, name=name, code=code, created_at=now)
    session.add(partner)
    await session.flush()
    await session.refresh(partner, ["point"])
    return partner


async def partner_by_id(session: AsyncSession, partner_id: int) -> Partner | None:
    return await session.get(Partner, partner_id)


async def partner_by_code(session: AsyncSession, code: str) -> Partner | None:
    return await session.scalar(select(Partner).where(Partner.code == code))


async def partners_with_counts(session: AsyncSession) -> Sequence[tuple[Partner, int]]:
    """Every partner and how many accounts started through its link (the caller hides small counts)."""
    brought = (select(Account.partner_id, func.count().label("count")).where(Account.partner_id.is_not(None))
               .group_by(Account.partner_id).subquery())
    rows = await session.execute(select(Partner, func.coalesce(brought.c.count, 0))
                                 .outerjoin(brought, brought.c.partner_id == Partner.id).order_by(Partner.id))
    return [(partner, count) for partner, count in rows]


def came_through(account: Account, partner: Partner) -> bool:
    """Count the account for the partner whose link brought it first; a later link changes nothing."""
    if account.partner_id is not None:
        return False
    account.partner_id = partner.id
    return True
