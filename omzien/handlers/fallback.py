"""Last in line: input nothing else understood gets a friendly way forward, never silence."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from omzien.storage import outbox
from omzien.views.common import menu_keyboard, menu_text, payload


async def not_understood(message: Message, session: AsyncSession) -> None:
    outbox.send(session, message.chat.id, payload(
        _("Dat begrijp ik niet.") + " " + menu_text(), menu_keyboard()))


async def stale_button(callback: CallbackQuery):  # type: ignore[no-untyped-def]
    return callback.answer(_("Deze knop werkt niet meer."), show_alert=True)


def make_router() -> Router:
    router = Router(name="fallback")
    router.message.register(not_understood, F.chat.type == "private")
    router.callback_query.register(stale_button)
    return router
