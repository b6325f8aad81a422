""""Wat is er voor mij?": a resident, or someone on their behalf, finds offers that fit.

A few taps (what would help, age, going out, postcode) or one typed sentence at any point lead
to the three best offers. Words that point to suicidal thoughts or acute danger get 113 and 112
first. "Bel mij terug" becomes a self-signal to the local signal point, through the same chain
as every other signal. For improving the offer only the choices are kept, anonymously — never
who asked and never the typed words.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from html import escape
from typing import Any

from aiogram import F, Router
from aiogram.dispatcher.event.bases import SkipHandler
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, KeyboardButton, Message, ReplyKeyboardMarkup
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from omzien.bot.settings import Settings
from omzien.flows.address import parse_address
from omzien.flows.crisis import points_to_crisis
from omzien.flows.matching import GoingOut, Query, Why
from omzien.flows.offers import Need
from omzien.flows.report import ReportDraft
from omzien.flows.signal import Consent, Observation, Status
from omzien.handlers import offer_views as views
from omzien.handlers import texts
from omzien.handlers.callbacks import FindAction, FindButton, FindStep
from omzien.handlers.notify import update_card
from omzien.handlers.views import menu_keyboard, payload
from omzien.storage import offers, outbox
from omzien.storage.models import Account
from omzien.storage.signals import file_report

LISTENING_LINE = "de-luisterlijn"
POSTCODE_AREA = re.compile(r"^\s*(\d{4})\s*([a-zA-Z]{2})?\s*$")
PHONE = re.compile(r"^\+?[\d\s\-()]{10,16}$")


class Finding(StatesGroup):
    needs = State()
    age = State()
    going_out = State()
    postcode = State()
    results = State()
    call = State()
    phone = State()
    address = State()


STATE_OF = {FindStep.NEEDS: Finding.needs, FindStep.AGE: Finding.age, FindStep.GOING_OUT: Finding.going_out,
            FindStep.POSTCODE: Finding.postcode, FindStep.RESULTS: Finding.results, FindStep.CALL: Finding.call}
BACK_TO = {FindStep.AGE: FindStep.NEEDS, FindStep.GOING_OUT: FindStep.AGE, FindStep.POSTCODE: FindStep.GOING_OUT}
QUESTIONS = (Finding.needs, Finding.age, Finding.going_out, Finding.postcode, Finding.results)


async def _data(state: FSMContext) -> dict[str, Any]:
    return dict((await state.get_data()).get("find") or {"needs": [], "other": False, "free": False})


async def _save(state: FSMContext, data: dict[str, Any], step: State | None = None) -> None:
    if step is not None:
        await state.set_state(step)
    await state.set_data({"find": data})


def _question(step: FindStep, data: dict[str, Any]) -> dict[str, Any]:
    if step is FindStep.NEEDS:
        return views.needs_payload(set(data["needs"]), data["other"], data["free"])
    if step is FindStep.AGE:
        return views.age_payload(data["other"])
    if step is FindStep.GOING_OUT:
        return views.going_out_payload(data["other"])
    return views.postcode_payload()


def _query(data: dict[str, Any]) -> Query:
    age = views.AGES[data["age"]][0] if data.get("age") in views.AGES else None
    return Query(text=data.get("text", ""), needs=frozenset(Need(n) for n in data["needs"]), age=age,
                 postcode_area=data.get("area"), going_out=GoingOut(data["out"]) if data.get("out") else None,
                 free_only=data["free"])


async def start_finding(message: Message, state: FSMContext, session: AsyncSession) -> None:
    data = {"needs": [], "other": False, "free": False}
    await _save(state, data, Finding.needs)
    outbox.send(session, message.chat.id, views.needs_payload(set(), False, False))


async def _answer(chat_id: int, data: dict[str, Any], state: FSMContext, session: AsyncSession,
                  catalogue: offers.Catalogue, now: datetime) -> None:
    """Search with what is known, show the first three, and note the choices (not the words) for the figures."""
    current = await catalogue.current(session)
    query = _query(data)
    total = current.index.count(query)
    matches = current.index.search(query, limit=views.SHOWN)
    data["offset"] = 0
    data["search"] = await offers.record_search(
        session, now, needs=data["needs"], area=data.get("area"), age_group=data.get("age"),
        going_out=data.get("out"), free_only=data["free"], typed=bool(data.get("text")), results=total)
    await _save(state, data, Finding.results)
    if matches:
        outbox.send(session, chat_id, views.results_payload(matches, 1, total))
    else:
        outbox.send(session, chat_id, views.nothing_payload(current.by_id.get(LISTENING_LINE)))


async def typed(message: Message, state: FSMContext, session: AsyncSession, catalogue: offers.Catalogue,
                clock: Callable[[], datetime]) -> None:
    """A sentence at any question: crisis words first, then an answer with what it says and what was chosen."""
    text = (message.text or "").strip()
    data = await _data(state)
    if await state.get_state() == Finding.postcode.state and (area := _area(text)) is not None:
        data["area"] = area
        await _answer(message.chat.id, data, state, session, catalogue, clock())
        return
    if points_to_crisis(text):
        outbox.send(session, message.chat.id, payload(views.crisis_text()))
    data["text"] = text[:500]
    await _answer(message.chat.id, data, state, session, catalogue, clock())


def _area(text: str) -> int | None:
    match = POSTCODE_AREA.match(text)
    if match:
        return int(match[1])
    address = parse_address(text)
    return address.area if address else None


async def find_button(callback: CallbackQuery, callback_data: FindButton, state: FSMContext, session: AsyncSession,
                      catalogue: offers.Catalogue, clock: Callable[[], datetime]):  # type: ignore[no-untyped-def]
    step, action, value = callback_data.step, callback_data.action, callback_data.value
    if await state.get_state() != STATE_OF[step].state:
        return callback.answer(_("Deze knop hoort bij een eerdere vraag. Gebruik de nieuwste."))
    data = await _data(state)
    chat_id, message_id = callback.message.chat.id, callback.message.message_id
    if action is FindAction.STOP:
        await state.clear()
        outbox.edit(session, chat_id, message_id, payload(_("Gestopt.")))
        return callback.answer()
    if action is FindAction.BACK and step in BACK_TO:
        await _save(state, data, STATE_OF[BACK_TO[step]])
        outbox.edit(session, chat_id, message_id, _question(BACK_TO[step], data))
        return callback.answer()
    if step is FindStep.NEEDS and action in (FindAction.TOGGLE, FindAction.OTHER, FindAction.FREE):
        if action is FindAction.TOGGLE and value in set(Need):
            data["needs"] = sorted(set(data["needs"]) ^ {value})
        elif action is FindAction.OTHER:
            data["other"] = not data["other"]
        elif action is FindAction.FREE:
            data["free"] = not data["free"]
        await _save(state, data)
        outbox.edit(session, chat_id, message_id, _question(step, data))
        return callback.answer()
    following = {FindStep.NEEDS: FindStep.AGE, FindStep.AGE: FindStep.GOING_OUT,
                 FindStep.GOING_OUT: FindStep.POSTCODE}
    if (step is FindStep.NEEDS and action is FindAction.NEXT) or (step in (FindStep.AGE, FindStep.GOING_OUT) and \
            action in (FindAction.CHOOSE, FindAction.SKIP)):
        if step is FindStep.AGE:
            data["age"] = value if action is FindAction.CHOOSE and value in views.AGES else None
        if step is FindStep.GOING_OUT and value in set(GoingOut):
            data["out"] = value
        await _save(state, data, STATE_OF[following[step]])
        outbox.edit(session, chat_id, message_id, _question(following[step], data))
        return callback.answer()
    if step is FindStep.POSTCODE and action is FindAction.SKIP:
        data["area"] = None
        await _answer(chat_id, data, state, session, catalogue, clock())
        return callback.answer()
    if step is FindStep.RESULTS:
        return await _results_button(callback, action, value, data, state, session, catalogue)
    if step is FindStep.CALL and action is FindAction.CHOOSE:
        if value != "yes":
            await _save(state, data, Finding.results)
            outbox.edit(session, chat_id, message_id, payload(_("Goed, dan bel ik niemand. U kunt altijd opnieuw "
                                                              "zoeken.")))
            return callback.answer()
        await _save(state, data, Finding.phone)
        outbox.edit(session, chat_id, message_id, payload(_("Fijn.")))
        share = ReplyKeyboardMarkup(keyboard=[[KeyboardButton(text=_("📱 Deel mijn nummer"), request_contact=True)]],
                                    resize_keyboard=True, one_time_keyboard=True)
        outbox.send(session, chat_id, payload(_(
            "Op welk nummer kan het signaalpunt bellen? Tik op de knop hieronder om uw nummer te delen, "
            "of typ het nummer."), share))
        return callback.answer()
    return callback.answer(_("Deze knop hoort bij een eerdere vraag. Gebruik de nieuwste."))


async def _results_button(callback: CallbackQuery, action: FindAction, value: str, data: dict[str, Any],
                          state: FSMContext, session: AsyncSession, catalogue: offers.Catalogue):  # type: ignore[no-untyped-def]
    chat_id = callback.message.chat.id
    current = await catalogue.current(session)
    if action is FindAction.OPEN:
        offer = current.by_id.get(value)
        if offer is None:
            return callback.answer(_("Dit aanbod staat niet meer in de lijst."), show_alert=True)
        await offers.record_opened(session, data.get("search"), offer.id)
        outbox.send(session, chat_id, views.detail_payload(offer))
        return callback.answer()
    if action is FindAction.MORE:
        query = _query(data)
        data["offset"] = data.get("offset", 0) + views.SHOWN
        matches = current.index.search(query, limit=views.SHOWN, offset=data["offset"])
        if not matches:
            return callback.answer(_("Er is niet meer aanbod dat past."), show_alert=True)
        await _save(state, data)
        outbox.send(session, chat_id, views.results_payload(matches, data["offset"] + 1, current.index.count(query)))
        return callback.answer()
    if action is FindAction.CALL:
        await _save(state, data, Finding.call)
        outbox.send(session, chat_id, views.call_consent_payload(data["other"]))
        return callback.answer()
    if action is FindAction.AGAIN:
        fresh = {"needs": [], "other": data["other"], "free": False}
        await _save(state, fresh, Finding.needs)
        outbox.send(session, chat_id, views.needs_payload(set(), fresh["other"], False))
        return callback.answer()
    return callback.answer(_("Deze knop hoort bij een eerdere vraag. Gebruik de nieuwste."))


async def phone_given(message: Message, state: FSMContext, session: AsyncSession) -> None:
    number = message.contact.phone_number if message.contact else (message.text or "").strip()
    if not PHONE.match(number) or sum(c.isdigit() for c in number) < 10:
        outbox.send(session, message.chat.id, payload(_(
            "Dat lijkt geen telefoonnummer. Typ het zo: 06 12345678 of 010 1234567, of tik op de knop.")))
        return
    data = await _data(state)
    data["phone"] = number
    await _save(state, data, Finding.address)
    question = (_("Wat is het adres van de persoon voor wie u zoekt?") if data["other"] else
                _("Wat is uw adres?"))
    outbox.send(session, message.chat.id, payload(question + " " + _(
        "Typ de postcode en het huisnummer, bijvoorbeeld {example}. Zo weet ik welk signaalpunt in de buurt "
        "is.").format(example=texts.EXAMPLE_ADDRESS), menu_keyboard()))


async def address_given(message: Message, state: FSMContext, session: AsyncSession, account: Account,
                        settings: Settings, i18n: I18n, clock: Callable[[], datetime]) -> None:
    """The call-back request becomes a signal, filed and routed like every other; the phone is in its note."""
    address = parse_address(message.text or "")
    if address is None:
        outbox.send(session, message.chat.id, payload(_(
            "Dat herken ik niet als adres. Typ de postcode en het huisnummer, bijvoorbeeld {example}.").format(
            example=texts.EXAMPLE_ADDRESS)))
        return
    data = await _data(state)
    await state.clear()
    draft = ReportDraft(observations=[Observation.ASKS_FOR_CALL], consent=Consent.YES, may_contact=True)
    draft.set_address(address)
    with i18n.use_locale(i18n.default_locale):  # the note is read by the group's workers
        needs = ", ".join(str(views.NEEDS[Need(n)]).lower() for n in data["needs"])
        note = _("Belverzoek via „Wat is er voor mij?”: bel {phone}.").format(phone=data["phone"])
        if data["other"]:
            note += " " + _("Gevraagd door iemand anders dan de bewoner.")
        if needs:
            note += " " + _("Zocht naar: {needs}.").format(needs=needs)
    draft.note = note
    now = clock()
    signal, _created = await file_report(session, draft, account.id, now, settings.duplicate_window)
    if signal.status == Status.UNROUTED:
        outbox.send(session, message.chat.id, payload(_(
            "Voor postcode {area} is er nog geen signaalpunt aangesloten bij Omzien. Ik heb uw vraag bewaard "
            "(kenmerk {reference}); de beheerder zoekt wie kan bellen.").format(
            area=signal.area, reference=signal.reference), menu_keyboard()))
        return
    await update_card(session, signal, i18n, now)
    point = signal.point
    assert point is not None
    outbox.send(session, message.chat.id, payload("\n".join([
        _("<b>Doorgegeven.</b> {point} belt u zo snel als het kan.").format(point=escape(point.name)),
        _("Kenmerk: <b>{reference}</b>").format(reference=signal.reference),
        _("U krijgt een bericht als iemand uw vraag oppakt."),
    ]), menu_keyboard()))


async def idle_text(message: Message, state: FSMContext, session: AsyncSession, catalogue: offers.Catalogue,
                    clock: Callable[[], datetime]) -> None:
    """A sentence typed outside any question: an answer if its words find offers, otherwise the fallback."""
    text = (message.text or "").strip()
    crisis = points_to_crisis(text)
    if crisis:
        outbox.send(session, message.chat.id, payload(views.crisis_text()))
    current = await catalogue.current(session)
    found = current.index.search(Query(text=text), limit=1)
    if not crisis and not any(r.code is Why.WORDS for match in found for r in match.reasons):
        raise SkipHandler  # not a question about offers: the fallback explains what the bot does
    data = {"needs": [], "other": False, "free": False, "text": text[:500]}
    await _answer(message.chat.id, data, state, session, catalogue, clock())


def _sentence(text: str) -> bool:
    """Typed words, not a command or one of the menu buttons."""
    return not text.startswith("/") and text not in (str(texts.REPORT_BUTTON), str(texts.FIND_BUTTON))


def make_router() -> Router:
    router = Router(name="finding")
    router.message.filter(F.chat.type == "private")
    router.callback_query.filter(F.message.chat.type == "private")
    router.message.register(start_finding, Command("aanbod", "zoeken"))
    router.message.register(start_finding, F.text == texts.FIND_BUTTON)
    router.callback_query.register(find_button, FindButton.filter())
    router.message.register(phone_given, Finding.phone, F.text | F.contact)
    router.message.register(address_given, Finding.address, F.text)
    router.message.register(typed, StateFilter(*QUESTIONS), F.text.func(_sentence))
    router.message.register(idle_text, StateFilter(None), F.text.func(_sentence))
    return router
