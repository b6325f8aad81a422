"""/cijfers in a private chat: a coordinator gets this month's figures of their point, with two charts.
/maandbericht: a signaller agrees to (or stops) one short message a month about their neighbourhood."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from omzien.services import monthly_figures, signallers
from omzien.storage import outbox
from omzien.storage.models import Account
from omzien.views.buttons import MonthlyThanks
from omzien.views.common import payload
from omzien.views.signallers import monthly_answer_payload, monthly_question_payload


async def figures(message: Message, session: AsyncSession, i18n: I18n, clock: Callable[[], datetime]) -> None:
    assert message.from_user is not None
    if not await monthly_figures.this_month(session, i18n, message.from_user.id, clock()):
        outbox.send(session, message.chat.id, payload(_(
            "De cijfers zijn voor de coördinatoren van een signaalpunt. Bent u coördinator? Vraag de beheerder "
            "u toe te voegen (omzien points set-policy --coordinators).")))


async def monthly_thanks(message: Message, session: AsyncSession, account: Account) -> None:
    outbox.send(session, message.chat.id, monthly_question_payload(account.monthly_thanks))


async def monthly_thanks_answered(callback: CallbackQuery, callback_data: MonthlyThanks, session: AsyncSession,
                                  account: Account):  # type: ignore[no-untyped-def]
    signallers.monthly_thanks(account, callback_data.yes)
    outbox.edit(session, callback.message.chat.id, callback.message.message_id,
                monthly_answer_payload(callback_data.yes))
    return callback.answer()


def make_router() -> Router:
    router = Router(name="figures")
    router.message.filter(F.chat.type == "private")
    router.callback_query.filter(F.message.chat.type == "private")
    router.message.register(figures, Command("cijfers", "figures"))
    router.message.register(monthly_thanks, Command("maandbericht", "monthly"))
    router.callback_query.register(monthly_thanks_answered, MonthlyThanks.filter())
    return router
