""""Wat is er voor mij?": a resident, or someone on their behalf, finds offers that fit.

A few taps (what would help, age, going out, postcode) or one typed sentence at any point lead
to the three best offers. Words that point to suicidal thoughts or acute danger are answered
before they get here (``handlers.safety``). "Bel mij terug" becomes a self-signal to the local
signal point, through the same chain as every other signal. For improving the offer only the
choices are kept, anonymously — never who asked and never the typed words. The steps and answers
are ``flows.find``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

from aiogram import F, Router
from aiogram.dispatcher.event.bases import SkipHandler
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from omzien import services
from omzien.core.settings import Settings
from omzien.flows.address import parse_address
from omzien.flows.find import BACK_TO, FOLLOWING, QUESTIONS, FindDraft, FindStep
from omzien.flows.matching import Query, Why
from omzien.flows.offers import Need
from omzien.storage import offers, outbox
from omzien.storage.models import Account
from omzien.views import offers as views
from omzien.views import texts
from omzien.views.buttons import FindAction, FindButton
from omzien.views.common import menu_keyboard, payload

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
            FindStep.POSTCODE: Finding.postcode, FindStep.RESULTS: Finding.results, FindStep.CALL: Finding.call,
            FindStep.PHONE: Finding.phone, FindStep.ADDRESS: Finding.address}
TYPED_AT = [STATE_OF[step] for step in (*QUESTIONS, FindStep.RESULTS)]
"""Where a typed sentence is a search: at every question, and at the results (a new search)."""


async def _load(state: FSMContext) -> FindDraft:
    return FindDraft.from_dict((await state.get_data()).get("find") or {})


async def _save(state: FSMContext, draft: FindDraft, step: FindStep | None = None) -> None:
    if step is not None:
        await state.set_state(STATE_OF[step])
    await state.set_data({"find": draft.to_dict()})


def _question(step: FindStep, draft: FindDraft) -> dict[str, Any]:
    if step is FindStep.NEEDS:
        return views.needs_payload(set(draft.needs), draft.for_someone_else, draft.free_only)
    if step is FindStep.AGE:
        return views.age_payload(draft.for_someone_else)
    if step is FindStep.GOING_OUT:
        return views.going_out_payload(draft.for_someone_else)
    return views.postcode_payload()


async def start_finding(message: Message, state: FSMContext, session: AsyncSession) -> None:
    await begin(message.chat.id, state, session)


async def begin(chat_id: int, state: FSMContext, session: AsyncSession) -> None:
    """The first question: what would help."""
    draft = FindDraft()
    await _save(state, draft, FindStep.NEEDS)
    outbox.send(session, chat_id, _question(FindStep.NEEDS, draft))


async def _answer(chat_id: int, draft: FindDraft, state: FSMContext, session: AsyncSession,
                  catalogue: offers.Catalogue, now: datetime) -> None:
    """Search with what is known, show the first three, and note the choices (not the words) for the figures."""
    current = await catalogue.current()
    query = draft.query()
    total = current.index.count(query)
    matches = current.index.search(query, limit=views.SHOWN)
    draft.offset = 0
    draft.search_id = await offers.record_search(
        session, now, needs=[str(n) for n in draft.needs], area=draft.area, age_group=draft.age_band,
        going_out=draft.going_out, free_only=draft.free_only, typed=bool(draft.text), results=total,
        local_results=current.index.count_local(query))
    await _save(state, draft, FindStep.RESULTS)
    if matches:
        outbox.send(session, chat_id, views.results_payload(matches, 1, total))
    else:
        outbox.send(session, chat_id, views.nothing_payload(current.by_id.get(LISTENING_LINE)))


async def _answer_or_ask_postcode(chat_id: int, draft: FindDraft, state: FSMContext, session: AsyncSession,
                                  catalogue: offers.Catalogue, now: datetime) -> None:
    """After a typed sentence: first the postcode, if it was not asked yet and local offers could fit."""
    current = await catalogue.current()
    if draft.area is None and not draft.area_asked and current.has_local:
        draft.area_asked = True
        await _save(state, draft, FindStep.POSTCODE)
        outbox.send(session, chat_id, views.postcode_payload())
        return
    await _answer(chat_id, draft, state, session, catalogue, now)


async def typed(message: Message, state: FSMContext, session: AsyncSession, catalogue: offers.Catalogue,
                clock: Callable[[], datetime]) -> None:
    """A sentence at any question: an answer with what it says and what was chosen (the postcode first)."""
    text = (message.text or "").strip()
    draft = await _load(state)
    if await state.get_state() == Finding.postcode.state and (area := _area(text)) is not None:
        draft.area = area
        await _answer(message.chat.id, draft, state, session, catalogue, clock())
        return
    draft.typed(text)
    await _answer_or_ask_postcode(message.chat.id, draft, state, session, catalogue, clock())


def _area(text: str) -> int | None:
    match = POSTCODE_AREA.match(text)
    if match:
        return int(match[1])
    address = parse_address(text)
    return address.area if address else None


def _stale(callback: CallbackQuery):  # type: ignore[no-untyped-def]
    return callback.answer(_("Deze knop hoort bij een eerdere vraag. Gebruik de nieuwste."))


async def find_button(callback: CallbackQuery, callback_data: FindButton, state: FSMContext, session: AsyncSession,
                      catalogue: offers.Catalogue, clock: Callable[[], datetime]):  # type: ignore[no-untyped-def]
    step, action, value = callback_data.step, callback_data.action, callback_data.value
    if step not in STATE_OF or await state.get_state() != STATE_OF[step].state:
        return _stale(callback)
    draft = await _load(state)
    chat_id, message_id = callback.message.chat.id, callback.message.message_id
    if action is FindAction.STOP:
        await state.clear()
        outbox.edit(session, chat_id, message_id, payload(_("Gestopt.")))
    elif action is FindAction.BACK and step in BACK_TO:
        await _save(state, draft, BACK_TO[step])
        outbox.edit(session, chat_id, message_id, _question(BACK_TO[step], draft))
    elif step is FindStep.NEEDS and action in (FindAction.TOGGLE, FindAction.OTHER, FindAction.FREE):
        if action is FindAction.TOGGLE and value in set(Need):
            draft.toggle(Need(value))
        elif action is FindAction.OTHER:
            draft.for_someone_else = not draft.for_someone_else
        elif action is FindAction.FREE:
            draft.free_only = not draft.free_only
        await _save(state, draft)
        outbox.edit(session, chat_id, message_id, _question(step, draft))
    elif step in FOLLOWING and (action is FindAction.NEXT if step is FindStep.NEEDS
                                else action in (FindAction.CHOOSE, FindAction.SKIP)):
        following = draft.answer(step, value if action is FindAction.CHOOSE else None)
        await _save(state, draft, following)
        outbox.edit(session, chat_id, message_id, _question(following, draft))
    elif step is FindStep.POSTCODE and action is FindAction.SKIP:
        draft.area = None
        await _answer(chat_id, draft, state, session, catalogue, clock())
    elif step is FindStep.RESULTS:
        return await _results_button(callback, action, value, draft, state, session, catalogue)
    elif step is FindStep.CALL and action is FindAction.CHOOSE:
        _call_consent(session, chat_id, message_id, value == "yes")
        await _save(state, draft, FindStep.PHONE if value == "yes" else FindStep.RESULTS)
    else:
        return _stale(callback)
    return callback.answer()


def _call_consent(session: AsyncSession, chat_id: int, message_id: int, yes: bool) -> None:
    if not yes:
        outbox.edit(session, chat_id, message_id, payload(_("Goed, dan bel ik niemand. U kunt altijd opnieuw "
                                                           "zoeken.")))
        return
    outbox.edit(session, chat_id, message_id, payload(_("Fijn.")))
    share = {"keyboard": [[{"text": _("📱 Deel mijn nummer"), "request_contact": True}]],
             "resize_keyboard": True, "one_time_keyboard": True}
    outbox.send(session, chat_id, payload(_(
        "Op welk nummer mogen we u bellen? Tik op de knop hieronder om uw nummer te delen, "
        "of typ het nummer."), share))


async def _results_button(callback: CallbackQuery, action: FindAction, value: str, draft: FindDraft,
                          state: FSMContext, session: AsyncSession, catalogue: offers.Catalogue):  # type: ignore[no-untyped-def]
    chat_id = callback.message.chat.id
    current = await catalogue.current()
    if action is FindAction.OPEN:
        offer = current.by_id.get(value)
        if offer is None:
            return callback.answer(_("Dit aanbod staat niet meer in de lijst."), show_alert=True)
        await offers.record_opened(session, draft.search_id, offer.id)
        outbox.send(session, chat_id, views.detail_payload(offer))
    elif action in (FindAction.MORE, FindAction.LIST):
        query = draft.query()
        draft.offset += views.SHOWN if action is FindAction.MORE else 0
        matches = current.index.search(query, limit=views.SHOWN, offset=draft.offset)
        if not matches:
            return callback.answer(_("Er is niet meer aanbod dat past."), show_alert=True)
        await _save(state, draft)
        outbox.send(session, chat_id, views.results_payload(matches, draft.offset + 1, current.index.count(query)))
    elif action is FindAction.CALL:
        await _save(state, draft, FindStep.CALL)
        outbox.send(session, chat_id, views.call_consent_payload(draft.for_someone_else))
    elif action is FindAction.AGAIN:
        fresh = draft.again()
        await _save(state, fresh, FindStep.NEEDS)
        outbox.send(session, chat_id, _question(FindStep.NEEDS, fresh))
    else:
        return _stale(callback)
    return callback.answer()


async def phone_given(message: Message, state: FSMContext, session: AsyncSession) -> None:
    number = message.contact.phone_number if message.contact else (message.text or "").strip()
    if not PHONE.match(number) or sum(c.isdigit() for c in number) < 10:
        outbox.send(session, message.chat.id, payload(_(
            "Dat lijkt geen telefoonnummer. Typ het zo: 06 12345678 of 010 1234567, of tik op de knop.")))
        return
    draft = await _load(state)
    draft.phone = number
    await _save(state, draft, FindStep.ADDRESS)
    question = (_("Wat is het adres van de persoon voor wie u zoekt?") if draft.for_someone_else else
                _("Wat is uw adres?"))
    outbox.send(session, message.chat.id, payload(question + " " + _(
        "Typ de postcode en het huisnummer, bijvoorbeeld {example}. Zo weet ik wie er bij u in de buurt "
        "kan bellen.").format(example=texts.EXAMPLE_ADDRESS), menu_keyboard()))


async def address_given(message: Message, state: FSMContext, session: AsyncSession, account: Account,
                        settings: Settings, i18n: I18n, clock: Callable[[], datetime]) -> None:
    """The call-back request becomes a signal, filed and routed like every other; the phone is in its note."""
    address = parse_address(message.text or "")
    if address is None:
        outbox.send(session, message.chat.id, payload(_(
            "Dat herken ik niet als adres. Typ de postcode en het huisnummer, bijvoorbeeld {example}.").format(
            example=texts.EXAMPLE_ADDRESS)))
        return
    draft = await _load(state)
    await state.clear()
    with i18n.use_locale(i18n.default_locale):  # the note is read by the group's workers
        note = views.call_back_note(draft.phone or "", draft.needs, draft.for_someone_else)
    reported = await services.signals.report(session, i18n, draft.call_back(address, note), account.id, clock(),
                                             settings.duplicate_window)
    if reported.point is None:
        outbox.send(session, message.chat.id, payload(_(
            "In uw buurt ({area}) doet nog niemand mee met Omzien. Ik heb uw vraag bewaard (kenmerk "
            "{reference}). We zoeken iemand die u kan bellen.").format(
            area=reported.area, reference=reported.reference), menu_keyboard()))
        return
    outbox.send(session, message.chat.id, payload("\n".join([
        _("<b>Doorgegeven.</b> Een medewerker uit uw buurt belt u zo snel als het kan."),
        _("Kenmerk: <b>{reference}</b>").format(reference=reported.reference),
        _("U krijgt een bericht als iemand uw vraag oppakt."),
    ]), menu_keyboard()))


async def idle_text(message: Message, state: FSMContext, session: AsyncSession, catalogue: offers.Catalogue,
                    clock: Callable[[], datetime]) -> None:
    """A sentence typed outside any question: an answer if its words find offers, otherwise the fallback."""
    text = (message.text or "").strip()
    current = await catalogue.current()
    found = current.index.search(Query(text=text), limit=1)
    if not any(r.code is Why.WORDS for match in found for r in match.reasons):
        raise SkipHandler  # not a question about offers: the fallback explains what the bot does
    draft = FindDraft()
    draft.typed(text)
    await _answer_or_ask_postcode(message.chat.id, draft, state, session, catalogue, clock())


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
    router.message.register(typed, StateFilter(*TYPED_AT), F.text.func(_sentence))
    router.message.register(idle_text, StateFilter(None), F.text.func(_sentence))
    return router
