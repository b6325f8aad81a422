"""/cijfers in a private chat: a coordinator gets this month's figures of their point, with two charts."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from omzien.services import monthly_figures
from omzien.storage import outbox
from omzien.views.common import payload


async def figures(message: Message, session: AsyncSession, i18n: I18n, clock: Callable[[], datetime]) -> None:
    assert message.from_user is not None
    if not await monthly_figures.this_month(session, i18n, message.from_user.id, clock()):
        outbox.send(session, message.chat.id, payload(_(
            "De cijfers zijn voor de coördinatoren van een signaalpunt. Bent u coördinator? Vraag de beheerder "
            "u toe te voegen (omzien points set-policy --coordinators).")))


def make_router() -> Router:
    router = Router(name="figures")
    router.message.filter(F.chat.type == "private")
    router.message.register(figures, Command("cijfers", "figures"))
    return router
