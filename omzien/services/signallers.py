"""The signallers' own use cases: coming in through a partner's link, and the partners of a point."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from omzien.flows.signallers import partner_code_of, shown_count
from omzien.storage import accounts, partners, points
from omzien.storage.models import Account, Partner


async def started(session: AsyncSession, account: Account, start_payload: str | None) -> bool:
    """``/start p-CODE``: count the account for that partner (the first partner only). Whether it was counted."""
    code = partner_code_of(start_payload)
    if code is None:
        return False
    partner = await partners.partner_by_code(session, code)
    return partner is not None and partners.came_through(account, partner)


class NoSuchPoint(LookupError):
    pass


async def add_partner(session: AsyncSession, point_id: int, name: str, now: datetime) -> Partner:
    if await points.point_by_id(session, point_id) is None:
        raise NoSuchPoint(point_id)
    return await partners.add_partner(session, point_id, name, now)


@dataclass(frozen=True)
class PartnerFigure:
    id: int
    name: str
    point: str
    code: str
    started: str  # how many started through its link, "<5" for 1 to 4


async def partner_figures(session: AsyncSession) -> Sequence[PartnerFigure]:
    return [PartnerFigure(partner.id, partner.name, partner.point.name, partner.code, shown_count(count))
            for partner, count in await partners.partners_with_counts(session)]


def monthly_thanks(account: Account, yes: bool) -> None:
    """/maandbericht: the signaller agrees to (or stops) one short message a month about their neighbourhood."""
    accounts.agree_to_monthly_thanks(account, yes)
