"""The claimer's further steps in the case chat (undo, refer to offers, forward, notes, attempts, one question to
the reporter), the reporter's answer, and the answers to the questions that come back weeks later."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from aiogram import F, Router
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from omzien import services
from omzien.flows.matching import Query
from omzien.flows.offers import Need
from omzien.flows.signal import NOTE_LIMIT, Attempt, FollowUpAnswer, Forward, HelpAnswer, Outcome
from omzien.services.followup import QUESTION_LIMIT
from omzien.storage import offers, outbox
from omzien.storage.models import Account
from omzien.views import texts
from omzien.views.buttons import (
    AnswerReporter,
    CaseAction,
    CaseMore,
    FollowUpCheck,
    HelpCheck,
    Refer,
    ReferAction,
    Undo,
)
from omzien.views.case import (
    attempt_payload,
    case_payload,
    closed_payload,
    forward_payload,
    type_note_text,
    type_question_text,
    undone_text,
)
from omzien.views.common import payload
from omzien.views.referral import SHOWN, referral_payload


class Aftercare(StatesGroup):
    note = State()  # data: signal_id
    question = State()
    referral = State()  # data: signal_id, needs, typed, shown (offer ids), picked (offer ids)
    answer = State()  # a reporter answers: signal_id


def _not_yours(callback: CallbackQuery):  # type: ignore[no-untyped-def]
    return callback.answer(_("Dit signaal is niet (meer) van jou."), show_alert=True)


async def undo(callback: CallbackQuery, callback_data: Undo, session: AsyncSession, account: Account, i18n: I18n,
               clock: Callable[[], datetime]):  # type: ignore[no-untyped-def]
    reference = await services.steering.undo(session, i18n, callback_data.signal_id, account.id, clock())
    if reference is None:
        return callback.answer(_("Dat kan niet meer: ongedaan maken kan tot 10 minuten na het afronden of "
                                 "teruggeven, zolang niemand anders het signaal heeft."), show_alert=True)
    outbox.edit(session, callback.message.chat.id, callback.message.message_id, payload(undone_text(reference)))
    return callback.answer()


async def more(callback: CallbackQuery, callback_data: CaseMore, session: AsyncSession, account: Account,
               i18n: I18n, state: FSMContext, catalogue: offers.Catalogue,
               clock: Callable[[], datetime]):  # type: ignore[no-untyped-def]
    now, signal_id, action = clock(), callback_data.signal_id, callback_data.action
    case = await services.followup.case_of(session, signal_id, account.id, now)
    if case is None:
        return _not_yours(callback)
    chat_id, message_id = callback.message.chat.id, callback.message.message_id
    if action is CaseAction.BACK:
        await state.clear()
        outbox.edit(session, chat_id, message_id, case_payload(case))
    elif action is CaseAction.FORWARD and callback_data.value in set(Forward):
        to = Forward(callback_data.value)
        reference = await services.signals.close(session, i18n, signal_id, account.id, Outcome.FORWARDED, now,
                                                 forwarded_to=to)
        if reference is None:
            return _not_yours(callback)
        outbox.edit(session, chat_id, message_id, closed_payload(reference, Outcome.FORWARDED, signal_id, to))
    elif action is CaseAction.FORWARD:
        outbox.edit(session, chat_id, message_id, forward_payload(case.signal))
    elif action is CaseAction.ATTEMPT and callback_data.value in set(Attempt):
        await services.followup.attempt(session, i18n, signal_id, account.id, Attempt(callback_data.value), now)
        await _show_case_again(session, chat_id, message_id, signal_id, account.id, now)
        return callback.answer(_("Vastgelegd: {attempt}.").format(attempt=texts.ATTEMPTS[Attempt(callback_data.value)]))
    elif action is CaseAction.ATTEMPT:
        outbox.edit(session, chat_id, message_id, attempt_payload(case.signal))
    elif action is CaseAction.NOTE:
        await state.set_state(Aftercare.note)
        await state.set_data({"signal_id": signal_id, "message_id": message_id})
        outbox.send(session, chat_id, payload(type_note_text(case.signal.reference)))
    elif action is CaseAction.ASK and case.can_ask:
        await state.set_state(Aftercare.question)
        await state.set_data({"signal_id": signal_id, "message_id": message_id})
        outbox.send(session, chat_id, payload(type_question_text(case.signal.reference)))
    elif action is CaseAction.REFER:
        await state.set_state(Aftercare.referral)
        data = {"signal_id": signal_id, "needs": [], "typed": "", "shown": [], "picked": []}
        await _show_referral(session, state, data, case.signal.area, catalogue, chat_id, message_id, case.signal)
    else:
        return callback.answer(_("Deze knop werkt niet meer."))
    return callback.answer()


async def _show_case_again(session: AsyncSession, chat_id: int, message_id: int, signal_id: int, worker_id: int,
                           now: datetime) -> None:
    case = await services.followup.case_of(session, signal_id, worker_id, now)
    if case is not None and message_id:
        outbox.edit(session, chat_id, message_id, case_payload(case))


async def _show_referral(session: AsyncSession, state: FSMContext, data: dict, area: int,  # type: ignore[type-arg]
                         catalogue: offers.Catalogue, chat_id: int, message_id: int, signal) -> None:  # type: ignore[no-untyped-def]
    """The same matching residents get, with the signal's area preset; the worker picks one or more."""
    current = await catalogue.current()
    query = Query(text=data["typed"], needs=frozenset(Need(need) for need in data["needs"]), postcode_area=area)
    matches = current.index.search(query, limit=SHOWN) if data["typed"] or data["needs"] else []
    data["shown"] = [match.offer.id for match in matches]
    picked = [current.by_id[offer_id] for offer_id in data["picked"] if offer_id in current.by_id]
    data["message_id"] = message_id
    await state.update_data(data)
    outbox.edit(session, chat_id, message_id, referral_payload(signal, set(data["needs"]), matches, picked))


async def referral_button(callback: CallbackQuery, callback_data: Refer, session: AsyncSession, account: Account,
                          i18n: I18n, state: FSMContext, catalogue: offers.Catalogue,
                          clock: Callable[[], datetime]):  # type: ignore[no-untyped-def]
    now, signal_id = clock(), callback_data.signal_id
    data = await state.get_data()
    case = await services.followup.case_of(session, signal_id, account.id, now)
    if case is None:
        return _not_yours(callback)
    if await state.get_state() != Aftercare.referral.state or data.get("signal_id") != signal_id:
        return callback.answer(_("Deze knop werkt niet meer."))
    if callback_data.action is ReferAction.DONE:
        if not data["picked"]:
            return callback.answer(_("Kies eerst minstens één aanbod."), show_alert=True)
        reference = await services.signals.close(session, i18n, signal_id, account.id, Outcome.REFERRED, now,
                                                 offers=data["picked"])
        if reference is None:
            return _not_yours(callback)
        await state.clear()
        current = await catalogue.current()
        names = [current.by_id[i].name(i18n.current_locale) for i in data["picked"] if i in current.by_id]
        outbox.edit(session, callback.message.chat.id, callback.message.message_id,
                    closed_payload(reference, Outcome.REFERRED, signal_id, offers=names))
        return callback.answer()
    value = callback_data.value
    if callback_data.action is ReferAction.NEED and value in set(Need):
        data["needs"] = sorted(set(data["needs"]) ^ {value})
    elif callback_data.action is ReferAction.PICK and value.isdigit() and int(value) < len(data["shown"]):
        offer_id = data["shown"][int(value)]
        data["picked"] = [i for i in data["picked"] if i != offer_id] if offer_id in data["picked"] \
            else [*data["picked"], offer_id]
    await _show_referral(session, state, data, case.signal.area, catalogue, callback.message.chat.id,
                         callback.message.message_id, case.signal)
    return callback.answer()


async def referral_typed(message: Message, session: AsyncSession, account: Account, state: FSMContext,
                         catalogue: offers.Catalogue, clock: Callable[[], datetime]) -> None:
    data = await state.get_data()
    case = await services.followup.case_of(session, data["signal_id"], account.id, clock())
    if case is None:
        await state.clear()
        return
    data["typed"] = (message.text or "")[:200]
    await _show_referral(session, state, data, case.signal.area, catalogue, message.chat.id, data["message_id"],
                         case.signal)


async def note_typed(message: Message, session: AsyncSession, account: Account, i18n: I18n, state: FSMContext,
                     clock: Callable[[], datetime]) -> None:
    text, data = message.text or "", await state.get_data()
    if len(text) > NOTE_LIMIT:
        outbox.send(session, message.chat.id, payload(_("Dat is te lang: een notitie is hoogstens {limit} tekens. "
                                                        "Maak hem korter.").format(limit=NOTE_LIMIT)))
        return
    await state.clear()
    if not await services.followup.note(session, i18n, data["signal_id"], account.id, text, clock()):
        outbox.send(session, message.chat.id, payload(_("Dit signaal is niet (meer) van jou.")))
        return
    outbox.send(session, message.chat.id, payload(_("Notitie bewaard. Je ziet hem in het signaal.")))
    await _show_case_again(session, message.chat.id, data.get("message_id", 0), data["signal_id"], account.id,
                           clock())


async def question_typed(message: Message, session: AsyncSession, account: Account, i18n: I18n, state: FSMContext,
                         clock: Callable[[], datetime]) -> None:
    text, data = message.text or "", await state.get_data()
    if len(text) > QUESTION_LIMIT:
        outbox.send(session, message.chat.id, payload(_("Dat is te lang: een vraag is hoogstens {limit} tekens.")
                                                      .format(limit=QUESTION_LIMIT)))
        return
    await state.clear()
    asked = await services.followup.ask_reporter(session, i18n, data["signal_id"], account.id, text, clock())
    outbox.send(session, message.chat.id, payload(
        _("Je vraag is verstuurd. Het antwoord komt hier.") if asked else
        _("Dat kan niet: de melder is niet (meer) bereikbaar, of je stelde al een vraag.")))
    if asked:
        await _show_case_again(session, message.chat.id, data.get("message_id", 0), data["signal_id"], account.id,
                               clock())


async def answer_button(callback: CallbackQuery, callback_data: AnswerReporter, session: AsyncSession,
                        account: Account, state: FSMContext):  # type: ignore[no-untyped-def]
    if not await services.followup.may_answer(session, callback_data.signal_id, account.id):
        return callback.answer(_("Deze vraag is al beantwoord of niet meer nodig. Dank u wel."), show_alert=True)
    await state.set_state(Aftercare.answer)
    await state.set_data({"signal_id": callback_data.signal_id})
    outbox.send(session, callback.message.chat.id, payload(_("Typ uw antwoord in één bericht. Stoppen: /cancel")))
    return callback.answer()


async def answer_typed(message: Message, session: AsyncSession, account: Account, i18n: I18n, state: FSMContext,
                       clock: Callable[[], datetime]) -> None:
    text, data = (message.text or "")[:QUESTION_LIMIT], await state.get_data()
    await state.clear()
    sent = await services.followup.reporter_answers(session, i18n, data["signal_id"], account.id, text, clock())
    outbox.send(session, message.chat.id, payload(_("Dank u wel. Uw antwoord is doorgegeven.") if sent else
                                                  _("Deze vraag is al beantwoord of niet meer nodig. Dank u wel.")))


async def follow_up_check(callback: CallbackQuery, callback_data: FollowUpCheck, session: AsyncSession,
                          account: Account, i18n: I18n, clock: Callable[[], datetime]):  # type: ignore[no-untyped-def]
    reference = await services.followup.follow_up_answered(session, i18n, callback_data.signal_id, account.id,
                                                           callback.message.chat.id, callback_data.answer, clock())
    if reference is None:
        return callback.answer(_("Deze vraag is al beantwoord."), show_alert=True)
    answer = texts.FOLLOW_UP_ANSWERS[callback_data.answer]
    text = _("Signaal {reference}: opnieuw opgepakt, het staat weer open in de groep.").format(reference=reference) \
        if callback_data.answer is FollowUpAnswer.REOPEN else \
        _("Dank je wel. Bij {reference} vastgelegd: {answer}.").format(reference=reference, answer=answer)
    outbox.edit(session, callback.message.chat.id, callback.message.message_id, payload(text))
    return callback.answer()


async def help_check(callback: CallbackQuery, callback_data: HelpCheck, session: AsyncSession, account: Account,
                     i18n: I18n, clock: Callable[[], datetime]):  # type: ignore[no-untyped-def]
    if not await services.followup.help_answered(session, i18n, callback_data.signal_id, account.id,
                                                 callback_data.answer, clock()):
        return callback.answer(_("Dank u wel, uw antwoord hebben we al."), show_alert=True)
    text = _("Dank u wel. Iemand uit uw buurt belt u nog een keer.") \
        if callback_data.answer is HelpAnswer.CALL_AGAIN else _("Dank u wel voor uw antwoord.")
    outbox.edit(session, callback.message.chat.id, callback.message.message_id, payload(text))
    return callback.answer()


def make_router() -> Router:
    router = Router(name="aftercare")
    router.message.filter(F.chat.type == "private")
    router.callback_query.register(undo, Undo.filter())
    router.callback_query.register(more, CaseMore.filter(), F.message.chat.type == "private")
    router.callback_query.register(referral_button, Refer.filter(), F.message.chat.type == "private")
    router.callback_query.register(answer_button, AnswerReporter.filter(), F.message.chat.type == "private")
    router.callback_query.register(follow_up_check, FollowUpCheck.filter())
    router.callback_query.register(help_check, HelpCheck.filter(), F.message.chat.type == "private")
    router.message.register(note_typed, Aftercare.note, F.text)
    router.message.register(question_typed, Aftercare.question, F.text)
    router.message.register(referral_typed, Aftercare.referral, F.text)
    router.message.register(answer_typed, Aftercare.answer, F.text)
    return router
