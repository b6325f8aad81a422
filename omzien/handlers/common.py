"""Private-chat basics: greeting, who you are, language, stop, and polite answers to stray input."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from aiogram import F, Router
from aiogram.filters import Command, CommandObject, CommandStart
from aiogram.filters.chat_member_updated import KICKED, MEMBER, ChatMemberUpdatedFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, ChatMemberUpdated, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from omzien import services
from omzien.core.i18n import LANGUAGES
from omzien.flows.signal import Role
from omzien.flows.signallers import stored_role
from omzien.handlers import finding
from omzien.services import privacy as privacy_service
from omzien.storage import outbox
from omzien.storage import privacy as privacy_storage
from omzien.storage.models import Account
from omzien.views import texts
from omzien.views.buttons import (
    WORKER_LINK,
    ForgetMe,
    Intent,
    IntentChoice,
    LanguageChoice,
    RoleChoice,
    RoleGroupChoice,
    TipButton,
)
from omzien.views.common import (
    button,
    forget_question_payload,
    known_role_payload,
    menu_keyboard,
    menu_text,
    my_data_payload,
    payload,
    privacy_payload,
    role_payload,
    rows,
    welcome_payload,
    worker_payload,
)
from omzien.views.signallers import TIPS, tip_payload, tips_done_payload


def _menu(session: AsyncSession, chat_id: int) -> None:
    outbox.send(session, chat_id, payload(menu_text(), menu_keyboard()))


async def start(message: Message, command: CommandObject, session: AsyncSession, account: Account,
                state: FSMContext, i18n: I18n, clock: Callable[[], datetime]) -> None:
    """Greet, ask what brings them (the first time), and hand over any address a worker was waiting for.

    A worker who comes through the link in the group (``/start adres``) is not a signaller:
    they hear what this chat is for, not the question who they are.
    """
    await state.clear()
    chat = message.chat.id
    await services.signallers.started(session, account, command.args)
    if command.args == WORKER_LINK:
        outbox.send(session, chat, worker_payload(account.first_name))
    elif account.role is None:
        outbox.send(session, chat, welcome_payload())
    else:
        _menu(session, chat)
        outbox.send(session, chat, known_role_payload(str(texts.ROLES[stored_role(account.role) or Role.OTHER])))
    await services.signals.worker_started(session, i18n, account.id, clock())


async def intent_chosen(callback: CallbackQuery, callback_data: IntentChoice, session: AsyncSession,
                        account: Account, state: FSMContext):  # type: ignore[no-untyped-def]
    """A reporter is asked who they are; a resident goes straight to what would help; a worker hears what
    this chat is for."""
    chat, message_id = callback.message.chat.id, callback.message.message_id
    if callback_data.intent is Intent.REPORT:
        outbox.edit(session, chat, message_id, role_payload())
    elif callback_data.intent is Intent.FIND:
        outbox.edit(session, chat, message_id, payload(_("Fijn dat u er bent.")))
        await finding.begin(chat, state, session)
    else:
        outbox.edit(session, chat, message_id, worker_payload(account.first_name))
    return callback.answer()


async def role_group_chosen(callback: CallbackQuery, callback_data: RoleGroupChoice,
                            session: AsyncSession):  # type: ignore[no-untyped-def]
    """The first tap of "wie bent u?" shows the roles of that group; "Terug" shows the groups again."""
    outbox.edit(session, callback.message.chat.id, callback.message.message_id, role_payload(callback_data.group))
    return callback.answer()


async def tips(message: Message, session: AsyncSession) -> None:
    outbox.send(session, message.chat.id, tip_payload(0))


async def tip_chosen(callback: CallbackQuery, callback_data: TipButton, session: AsyncSession):  # type: ignore[no-untyped-def]
    chat, message_id = callback.message.chat.id, callback.message.message_id
    shown = tip_payload(callback_data.index) if callback_data.index < len(TIPS) else tips_done_payload()
    if callback_data.fresh:
        outbox.send(session, chat, shown)
    else:
        outbox.edit(session, chat, message_id, shown)
    return callback.answer()


async def role_chosen(callback: CallbackQuery, callback_data: RoleChoice, session: AsyncSession,
                      account: Account):  # type: ignore[no-untyped-def]
    account.role = callback_data.role
    outbox.edit(session, callback.message.chat.id, callback.message.message_id, payload(
        _("Dank u. U bent: {role}.").format(role=texts.ROLES[callback_data.role])))
    _menu(session, callback.message.chat.id)
    return callback.answer()


async def choose_language(message: Message, session: AsyncSession) -> None:
    buttons = [button(name, LanguageChoice(code=code)) for code, name in LANGUAGES.items()]
    outbox.send(session, message.chat.id, payload(_("Kies uw taal."), rows(buttons)))


async def language_chosen(callback: CallbackQuery, callback_data: LanguageChoice, session: AsyncSession,
                          account: Account, i18n: I18n):  # type: ignore[no-untyped-def]
    account.language = callback_data.code
    with i18n.use_locale(callback_data.code):
        outbox.edit(session, callback.message.chat.id, callback.message.message_id,
                    payload(_("De taal is nu Nederlands.")))
        _menu(session, callback.message.chat.id)
    return callback.answer()


async def cancel(message: Message, state: FSMContext, session: AsyncSession) -> None:
    had_draft = await state.get_state() is not None
    await state.clear()
    text = _("Gestopt. Er is niets verstuurd.") if had_draft else _("Er was niets om te stoppen.")
    outbox.send(session, message.chat.id, payload(text, menu_keyboard()))


async def help_(message: Message, session: AsyncSession) -> None:
    outbox.send(session, message.chat.id, payload(
        _("Met Omzien meldt u aan het signaalpunt dat iemand misschien eenzaam is. U geeft alleen de postcode "
          "en het huisnummer en wat u opviel; geen naam.") + "\n\n" +
        _("/melden: iets melden\n/taal: andere taal\n/cancel: stoppen met wat u aan het doen bent") + "\n" +
        _("/tips: zo merkt u eenzaamheid op\n/start: opnieuw kiezen wie u bent") + "\n\n" +
        _("Bij acuut gevaar: bel 112."), menu_keyboard()))


async def privacy(message: Message, session: AsyncSession) -> None:
    outbox.send(session, message.chat.id, privacy_payload())


async def my_data(message: Message, session: AsyncSession, account: Account) -> None:
    role = str(texts.ROLES[known]) if (known := stored_role(account.role)) else None
    outbox.send(session, message.chat.id, my_data_payload(account.first_name, role,
                                                          await privacy_storage.reports_of(session, account.id)))


async def forget_me(message: Message, session: AsyncSession) -> None:
    outbox.send(session, message.chat.id, forget_question_payload())


async def forget_answered(callback: CallbackQuery, callback_data: ForgetMe, session: AsyncSession, account: Account,
                          state: FSMContext):  # type: ignore[no-untyped-def]
    chat, message_id = callback.message.chat.id, callback.message.message_id
    if not callback_data.sure:
        outbox.edit(session, chat, message_id, payload(_("Goed, ik vergeet u niet.")))
    elif not await privacy_service.forget(session, account):
        outbox.edit(session, chat, message_id, payload(_(
            "Je hebt nog signalen opgepakt. Rond ze af of geef ze terug; daarna kan ik je vergeten.")))
    else:
        await state.clear()
        outbox.edit(session, chat, message_id, payload(_(
            "U bent vergeten. Wat u meldde, blijft zonder uw naam. Wilt u later weer iets doen? Stuur /start.")))
    return callback.answer()


async def blocked(event: ChatMemberUpdated, account: Account) -> None:
    account.blocked_at = event.date


async def unblocked(event: ChatMemberUpdated, account: Account) -> None:
    account.blocked_at = None
    account.started_at = account.started_at or event.date


def make_router() -> Router:
    router = Router(name="common")
    router.message.filter(F.chat.type == "private")
    router.callback_query.filter(F.message.chat.type == "private")
    router.my_chat_member.filter(F.chat.type == "private")
    router.message.register(start, CommandStart())
    router.callback_query.register(intent_chosen, IntentChoice.filter())
    router.callback_query.register(role_chosen, RoleChoice.filter())
    router.callback_query.register(role_group_chosen, RoleGroupChoice.filter())
    router.message.register(tips, Command("tips"))
    router.callback_query.register(tip_chosen, TipButton.filter())
    router.message.register(choose_language, Command("taal", "language"))
    router.callback_query.register(language_chosen, LanguageChoice.filter(F.code.in_(LANGUAGES)))
    router.message.register(cancel, Command("cancel", "stop", "stoppen"))
    router.message.register(help_, Command("help", "hulp"))
    router.message.register(privacy, Command("privacy"))
    router.message.register(my_data, Command("mijngegevens", "mydata"))
    router.message.register(forget_me, Command("vergeetmij", "forgetme"))
    router.callback_query.register(forget_answered, ForgetMe.filter())
    router.my_chat_member.register(blocked, ChatMemberUpdatedFilter(KICKED))
    router.my_chat_member.register(unblocked, ChatMemberUpdatedFilter(MEMBER))
    return router
