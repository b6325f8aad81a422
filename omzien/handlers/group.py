"""The signal point's group: linking it with /koppel, claiming signals from their cards, and /open."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from html import escape

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import Command, CommandObject
from aiogram.filters.chat_member_updated import JOIN_TRANSITION, ChatMemberUpdatedFilter
from aiogram.types import CallbackQuery, ChatMemberUpdated, Message
from aiogram.utils.deep_linking import create_start_link
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from omzien import services
from omzien.handlers.limits import Attempts
from omzien.handlers.members import MEMBER_STATUSES, Membership
from omzien.services.signals import ClaimResult
from omzien.storage import outbox, points
from omzien.storage.models import Account
from omzien.views.buttons import WORKER_LINK, ClaimButton
from omzien.views.common import payload

GROUPS = {"group", "supergroup"}
LINK_TRIES = 5
"""/koppel attempts per group per hour."""


async def added_to_group(event: ChatMemberUpdated, session: AsyncSession) -> None:
    if await points.point_of_group(session, event.chat.id) is None:
        outbox.send(session, event.chat.id, payload(_(
            "Hallo! Ik ben Omzien. Is dit de groep van een signaalpunt? Koppel hem dan met "
            "/koppel gevolgd door de code die de beheerder kreeg.")))


async def link(message: Message, command: CommandObject, session: AsyncSession, i18n: I18n, bot: Bot,
               link_attempts: Attempts, clock: Callable[[], datetime]) -> None:
    """Link the group with a one-time code: a few tries an hour per group, so a code cannot be guessed."""
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
    if not link_attempts.allow(message.chat.id):
        outbox.send(session, message.chat.id, payload(_(
            "Er is in deze groep te vaak een code geprobeerd. Probeer het over een uur opnieuw, met de code "
            "van de beheerder.")))
        return
    if await services.points.link_group(session, i18n, command.args, message.chat.id, clock()) is None:
        outbox.send(session, message.chat.id, payload(_(
            "Deze code ken ik niet, of hij is al gebruikt of verlopen (een code is een week geldig). Vraag de "
            "beheerder om een nieuwe code (omzien points code).")))
    elif not await is_administrator(bot, message.chat.id):
        outbox.send(session, message.chat.id, payload(not_an_administrator_text()))


def not_an_administrator_text() -> str:
    """Said at /koppel and logged at start-up."""
    return _("Maak mij beheerder van deze groep (geen extra rechten nodig). Anders hoor ik niet wie de groep "
             "verlaat, en houdt die de signalen die hij of zij had.")


async def is_administrator(bot: Bot, chat_id: int) -> bool:
    """Only an administrator bot hears who leaves the group (``chat_member`` updates)."""
    try:
        me = await bot.get_chat_member(chat_id, (await bot.me()).id)
    except TelegramAPIError:
        return False
    return me.status in ("administrator", "creator")


async def claim(callback: CallbackQuery, callback_data: ClaimButton, session: AsyncSession, account: Account,
                i18n: I18n, bot: Bot, membership: Membership,
                clock: Callable[[], datetime]):  # type: ignore[no-untyped-def]
    chat_id = callback.message.chat.id

    async def member_of(group: int, user: int) -> bool:
        return await membership.is_member(bot, group, user)

    claimed = await services.signals.claim(session, i18n, callback_data.signal_id, account, chat_id, clock(),
                                           member_of)
    refusals = {
        ClaimResult.NOT_THIS_GROUP: _("Deze knop hoort niet bij deze groep."),
        ClaimResult.NOT_A_MEMBER: _("Alleen wie in de groep van dit signaalpunt zit, kan een signaal oppakken."),
        ClaimResult.HELD: _("Je hebt veel signalen kort na elkaar opgepakt. Een coördinator kijkt even mee; "
                            "daarna kun je weer oppakken."),
        ClaimResult.MEMBERSHIP_UNKNOWN: _("Ik kan nu niet nagaan of je in deze groep zit. Probeer het zo nog "
                                          "eens."),
        ClaimResult.ALREADY_YOURS: _("Je hebt dit signaal al."),
        ClaimResult.TAKEN: _("{name} heeft dit signaal al opgepakt.").format(name=claimed.holder),
        ClaimResult.NOT_OPEN: _("Dit signaal is niet meer open."),
    }
    if claimed.result in refusals:
        return callback.answer(refusals[claimed.result], show_alert=True)
    if claimed.address_sent:
        return callback.answer(_("Je hebt {reference}. Het adres staat in je privégesprek met mij.").format(
            reference=claimed.reference))
    outbox.send(session, chat_id, payload(_(
        "{name}, start eerst een gesprek met mij via deze link; dan stuur ik je het adres van {reference}: "
        "{link}").format(name=escape(account.first_name), reference=claimed.reference,
                         link=await create_start_link(bot, WORKER_LINK))))
    return callback.answer(_("Je hebt {reference}. Start een gesprek met mij om het adres te krijgen.").format(
        reference=claimed.reference), show_alert=True)


async def show_overview(message: Message, session: AsyncSession, i18n: I18n,
                        clock: Callable[[], datetime]) -> None:
    """/open: the overview of waiting signals, now; it becomes the group's current overview."""
    if not await services.points.show_overview(session, i18n, message.chat.id, clock()):
        outbox.send(session, message.chat.id, payload(_(
            "Deze groep is nog niet gekoppeld aan een signaalpunt. Gebruik /koppel met de code van de beheerder.")))


async def member_changed(event: ChatMemberUpdated, session: AsyncSession, i18n: I18n, membership: Membership,
                         clock: Callable[[], datetime]) -> None:
    """Telegram says someone joined, left or was removed: the next claim knows, and what they held goes back."""
    user, present = event.new_chat_member.user, event.new_chat_member.status in MEMBER_STATUSES
    membership.note(event.chat.id, user.id, present)
    if not present:
        await services.signals.worker_left(session, i18n, event.chat.id, user.id, clock())


async def migrated(message: Message, session: AsyncSession) -> None:
    """The group became a supergroup: Telegram gave it a new id, and the point follows."""
    assert message.migrate_to_chat_id is not None
    await services.points.group_moved(session, message.chat.id, message.migrate_to_chat_id)


def make_router() -> Router:
    router = Router(name="group")
    router.message.filter(F.chat.type.in_(GROUPS))
    router.callback_query.filter(F.message.chat.type.in_(GROUPS))
    router.my_chat_member.filter(F.chat.type.in_(GROUPS))
    router.chat_member.filter(F.chat.type.in_(GROUPS))
    router.chat_member.register(member_changed)
    router.my_chat_member.register(added_to_group, ChatMemberUpdatedFilter(JOIN_TRANSITION))
    router.message.register(migrated, F.migrate_to_chat_id)
    router.message.register(link, Command("koppel"))
    router.message.register(show_overview, Command("open"))
    router.callback_query.register(claim, ClaimButton.filter())
    return router
