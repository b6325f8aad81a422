"""A coordinator, in a private chat: /open shows who holds what at their points; a signal can be given to
another worker, moved to another point, or reopened."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from aiogram import Bot, F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from omzien import services
from omzien.flows.sla import Phase
from omzien.handlers.members import Membership
from omzien.storage import outbox
from omzien.storage.models import Account
from omzien.views.buttons import Steer, SteerAction
from omzien.views.common import payload
from omzien.views.steering import points_payload, steer_menu_payload, steer_overview_payload, workers_payload


async def overview(message: Message, session: AsyncSession, account: Account,
                   clock: Callable[[], datetime]) -> None:
    points = await services.steering.coordinated(session, account.id, clock())
    if not points:
        outbox.send(session, message.chat.id, payload(_("Dit overzicht is voor coördinatoren van een signaalpunt. "
                                                        "In de groep toont /open wat er wacht.")))
        return
    outbox.send(session, message.chat.id,
                steer_overview_payload([(p.point, p.open, p.closed) for p in points]))


async def steer(callback: CallbackQuery, callback_data: Steer, session: AsyncSession, account: Account, i18n: I18n,
                bot: Bot, membership: Membership, clock: Callable[[], datetime]):  # type: ignore[no-untyped-def]
    now, signal_id, action, target = clock(), callback_data.signal_id, callback_data.action, callback_data.target
    found = await services.steering.candidates(session, signal_id, account.id, now)
    if found is None:
        return callback.answer(_("Alleen een coördinator van dit signaalpunt kan dit."), show_alert=True)
    signal, workers, others = found
    chat_id, message_id = callback.message.chat.id, callback.message.message_id
    closed = signal.standing.phase is Phase.CLOSED
    if action is SteerAction.MENU:
        outbox.send(session, chat_id, steer_menu_payload(signal, closed))
        return callback.answer()
    if action is SteerAction.REASSIGN and not target:
        outbox.edit(session, chat_id, message_id, workers_payload(signal, workers))
        return callback.answer()
    if action is SteerAction.MOVE and not target:
        outbox.edit(session, chat_id, message_id, points_payload(signal, others))
        return callback.answer()

    async def member_of(group: int, user: int) -> bool:
        return await membership.is_member(bot, group, user)

    if action is SteerAction.REASSIGN:
        done = await services.steering.reassign(session, i18n, account.id, signal_id, target, now, member_of)
        name = dict(workers).get(target, "")
        text = _("{reference} is nu van {name}.").format(reference=signal.reference, name=name) if done else \
            _("Dat lukte niet: {name} zit niet (meer) in de groep, of heeft het signaal al.").format(name=name)
    elif action is SteerAction.MOVE:
        done = await services.steering.move(session, i18n, account.id, signal_id, target, now)
        text = _("{reference} is verplaatst naar {point}.").format(reference=signal.reference,
                                                                   point=dict(others).get(target, "")) if done else \
            _("Dat lukte niet: het signaal is niet (meer) open.")
    else:
        done = await services.steering.reopen(session, i18n, account.id, signal_id, now)
        text = _("{reference} staat weer open in de groep.").format(reference=signal.reference) if done else \
            _("Dat lukte niet: heropenen kan tot 30 dagen na het afronden.")
    outbox.edit(session, chat_id, message_id, payload(text))
    return callback.answer()


def make_router() -> Router:
    router = Router(name="steering")
    router.message.filter(F.chat.type == "private")
    router.message.register(overview, Command("open"))
    router.callback_query.register(steer, Steer.filter(), F.message.chat.type == "private")
    return router
