"""The signal point's group: linking it with /koppel, and claiming signals from their cards."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from html import escape

from aiogram import Bot, F, Router
from aiogram.filters import Command, CommandObject
from aiogram.filters.chat_member_updated import JOIN_TRANSITION, ChatMemberUpdatedFilter
from aiogram.types import CallbackQuery, ChatMemberUpdated, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from omzien.flows.routing import AreaRange, format_areas
from omzien.flows.signal import Status
from omzien.handlers.alerts import refresh_overview
from omzien.handlers.callbacks import ClaimButton
from omzien.handlers.common import WORKER_LINK
from omzien.handlers.notify import send_address, tell_reporters, update_card
from omzien.handlers.views import payload
from omzien.storage import outbox, points, signals
from omzien.storage.models import Account

GROUPS = {"group", "supergroup"}


async def added_to_group(event: ChatMemberUpdated, session: AsyncSession) -> None:
    if await points.point_of_group(session, event.chat.id) is None:
        outbox.send(session, event.chat.id, payload(_(
            "Hallo! Ik ben Omzien. Is dit de groep van een signaalpunt? Koppel hem dan met "
            "/koppel gevolgd door de code die de beheerder kreeg.")))


async def link(message: Message, command: CommandObject, session: AsyncSession, i18n: I18n,
               clock: Callable[[], datetime]) -> None:
    """Link the group with a one-time code; signals that waited for it appear right after the confirmation."""
    linked = await points.point_of_group(session, message.chat.id)
    if linked is not None:
        outbox.send(session, message.chat.id, payload(
            _("Deze groep is al gekoppeld aan {point}.").format(point=escape(linked.name))))
        return
    if not command.args:
        outbox.send(session, message.chat.id, payload(_(
            "Zet de code achter het commando, zo: /koppel CODE. "
            "De beheerder krijgt de code bij het aanmaken van het signaalpunt.")))
        return
    point = await points.link_group(session, command.args, message.chat.id)
    if point is None:
        outbox.send(session, message.chat.id, payload(_(
            "Deze code ken ik niet, of hij is al gebruikt. Vraag de beheerder om een nieuwe code "
            "(omzien points code).")))
        return
    areas = format_areas(AreaRange(a.first, a.last) for a in point.areas)
    outbox.send(session, message.chat.id, payload(_(
        "Gekoppeld: dit is nu de groep van {point} (postcodes {areas}). Nieuwe signalen "
        "verschijnen hier, elk als één bericht met de knop „Ik pak dit op”. Alleen wie een signaal "
        "oppakt, krijgt het adres, in een privégesprek met mij.").format(point=escape(point.name), areas=areas)))
    now = clock()
    for signal in await signals.open_signals_without_card(session, point):
        await update_card(session, signal, i18n, now)


async def claim(callback: CallbackQuery, callback_data: ClaimButton, session: AsyncSession, account: Account,
                i18n: I18n, bot: Bot, clock: Callable[[], datetime]):  # type: ignore[no-untyped-def]
    """Two workers tap at once: the database lets exactly one of them have it."""
    signal = await signals.get_signal(session, callback_data.signal_id)
    if signal is None or signal.point is None or signal.point.group_chat_id != callback.message.chat.id:
        return callback.answer(_("Deze knop hoort niet bij deze groep."), show_alert=True)
    now = clock()
    if not await signals.claim(session, signal.id, account.id, now):
        signal = await signals.get_signal(session, signal.id)
        if signal.status == Status.CLAIMED and signal.claimer is not None:
            holder = signal.claimer.first_name
            text = (_("Je hebt dit signaal al.") if signal.claimed_by == account.id else
                    _("{name} heeft dit signaal al opgepakt.").format(name=holder))
        else:
            text = _("Dit signaal is niet meer open.")
        return callback.answer(text, show_alert=True)
    signal = await signals.get_signal(session, signal.id)
    await update_card(session, signal, i18n, now)
    await refresh_overview(session, signal.point, i18n, now)
    tell_reporters(session, signal, i18n, closed=False)
    if account.started_at is not None and account.blocked_at is None:
        send_address(session, signal, i18n)
        return callback.answer(_("Je hebt {reference}. Het adres staat in je privégesprek met mij.").format(
            reference=signal.reference))
    me = await bot.me()
    outbox.send(session, callback.message.chat.id, payload(_(
        "{name}, start eerst een gesprek met mij via deze link; dan stuur ik je het adres van {reference}: "
        "https://t.me/{bot}?start={payload}").format(name=escape(account.first_name), reference=signal.reference,
                                                      bot=me.username, payload=WORKER_LINK)))
    return callback.answer(_("Je hebt {reference}. Start een gesprek met mij om het adres te krijgen.").format(
        reference=signal.reference), show_alert=True)


async def show_overview(message: Message, session: AsyncSession, i18n: I18n,
                        clock: Callable[[], datetime]) -> None:
    """/open: the overview of waiting signals, now; it becomes the group's current overview."""
    point = await points.point_of_group(session, message.chat.id)
    if point is None:
        outbox.send(session, message.chat.id, payload(_(
            "Deze groep is nog niet gekoppeld aan een signaalpunt. Gebruik /koppel met de code van de beheerder.")))
        return
    await refresh_overview(session, point, i18n, clock(), post_new=True, force=True)


def make_router() -> Router:
    router = Router(name="group")
    router.message.filter(F.chat.type.in_(GROUPS))
    router.callback_query.filter(F.message.chat.type.in_(GROUPS))
    router.my_chat_member.filter(F.chat.type.in_(GROUPS))
    router.my_chat_member.register(added_to_group, ChatMemberUpdatedFilter(JOIN_TRANSITION))
    router.message.register(link, Command("koppel"))
    router.message.register(show_overview, Command("open"))
    router.callback_query.register(claim, ClaimButton.filter())
    return router
