"""A signaller reports a worry in a private chat: address, what was noticed, consent, note, contact, send."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from aiogram import F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from omzien import services
from omzien.core.settings import Settings
from omzien.flows.address import Address, StreetAddress, parse_address, parse_postcode, parse_street
from omzien.flows.crisis import Concern, concern
from omzien.flows.report import NoteTooLong, ReportDraft, Step, step_before
from omzien.flows.signal import MORE_SIGNS, NOTE_LIMIT, SIGNS, Knows, Observation
from omzien.storage import outbox
from omzien.storage.models import Account
from omzien.views import texts
from omzien.views.buttons import DraftAction, DraftButton
from omzien.views.common import payload
from omzien.views.crisis import reporter_crisis_payload
from omzien.views.report import danger_payload, sent_payload, step_payload, street_payload


class Reporting(StatesGroup):
    address = State()
    observations = State()
    consent = State()
    agrees = State()
    note = State()
    contact = State()
    summary = State()


STATE_OF = {step: getattr(Reporting, step.value) for step in Step}
STEP_OF = {state.state: step for step, state in STATE_OF.items()}


async def _load(state: FSMContext) -> tuple[Step | None, ReportDraft]:
    current = await state.get_state()
    return STEP_OF.get(current or ""), ReportDraft.from_dict((await state.get_data()).get("draft", {}))


async def _go(state: FSMContext, step: Step, draft: ReportDraft) -> None:
    await state.set_state(STATE_OF[step])
    await state.set_data({"draft": draft.to_dict()})


def _show_new(session: AsyncSession, chat_id: int, step: Step, draft: ReportDraft) -> None:
    outbox.send(session, chat_id, step_payload(step, draft))


def _show_in_place(session: AsyncSession, callback: CallbackQuery, step: Step, draft: ReportDraft,
                   more: bool = False) -> None:
    outbox.edit(session, callback.message.chat.id, callback.message.message_id, step_payload(step, draft, more))


async def start_report(message: Message, state: FSMContext, session: AsyncSession) -> None:
    await _go(state, Step.ADDRESS, ReportDraft())
    _show_new(session, message.chat.id, Step.ADDRESS, ReportDraft())


async def address_given(message: Message, address: Address, state: FSMContext, session: AsyncSession) -> None:
    """A typed address starts a report at once, or answers the address step."""
    step, draft = await _load(state)
    if step is None:
        draft = ReportDraft()
    draft.set_address(address)
    await _go(state, Step.OBSERVATIONS, draft)
    _show_new(session, message.chat.id, Step.OBSERVATIONS, draft)


async def street_given(message: Message, street: StreetAddress, state: FSMContext, session: AsyncSession) -> None:
    """A street and number without a postcode: keep the number, and say kindly where the postcode is found."""
    step, draft = await _load(state)
    if step is None:
        draft = ReportDraft()
    draft.postcode, draft.house = None, street.house
    await _go(state, Step.ADDRESS, draft)
    outbox.send(session, message.chat.id, street_payload(street.street, street.house))


async def postcode_given(message: Message, postcode: str, state: FSMContext, session: AsyncSession) -> None:
    """Only the postcode, after a street and number: together they are the address."""
    _step, draft = await _load(state)
    if draft.house is None:
        await address_not_understood(message, session)
        return
    await address_given(message, Address.from_parts(postcode, draft.house), state, session)


async def address_not_understood(message: Message, session: AsyncSession) -> None:
    outbox.send(session, message.chat.id, payload(_(
        "Dat herken ik niet als adres. Typ de postcode en het huisnummer, bijvoorbeeld {example} "
        "of 3044AB 12-2.").format(example=texts.EXAMPLE_ADDRESS)))


async def note_given(message: Message, state: FSMContext, session: AsyncSession) -> None:
    if (found := concern(message.text or "")) is not Concern.NONE:  # first: the numbers that can save a life
        outbox.send(session, message.chat.id, reporter_crisis_payload(found))
    _step, draft = await _load(state)
    try:
        draft.set_note(message.text or "")
    except NoteTooLong as error:
        outbox.send(session, message.chat.id, payload(_(
            "Uw toelichting is {length} tekens lang; er passen er {limit}. Maak hem korter "
            "en stuur hem opnieuw, of tik op Overslaan.").format(length=error.length, limit=NOTE_LIMIT)))
        return
    await _go(state, Step.CONTACT, draft)
    _show_new(session, message.chat.id, Step.CONTACT, draft)


async def use_the_buttons(message: Message, state: FSMContext, session: AsyncSession) -> None:
    """Text where a button is expected (or a photo where text is): show the step again."""
    step, draft = await _load(state)
    assert step is not None
    if step is Step.NOTE:
        hint = _("Stuur het als tekst, alstublieft.")
    else:
        hint = _("Tik op een van de knoppen, of typ /cancel om te stoppen.")
    outbox.send(session, message.chat.id, payload(hint))
    _show_new(session, message.chat.id, step, draft)


async def stop(callback: CallbackQuery, state: FSMContext, session: AsyncSession):  # type: ignore[no-untyped-def]
    await state.clear()
    outbox.edit(session, callback.message.chat.id, callback.message.message_id,
                payload(_("Gestopt. Er is niets verstuurd.")))
    return callback.answer()


async def danger(callback: CallbackQuery, callback_data: DraftButton, session: AsyncSession):  # type: ignore[no-untyped-def]
    """Acute danger is not a loneliness signal: call 112 now. Nothing is filed, and the draft waits, so a
    mis-tap costs nothing ("Terug naar mijn melding")."""
    outbox.edit(session, callback.message.chat.id, callback.message.message_id, danger_payload(callback_data.step))
    return callback.answer()


async def draft_button(callback: CallbackQuery, callback_data: DraftButton, state: FSMContext,
                       session: AsyncSession, account: Account, settings: Settings, i18n: I18n,
                       clock: Callable[[], datetime]):  # type: ignore[no-untyped-def]
    step, draft = await _load(state)
    if step is None or step != callback_data.step:
        return callback.answer(_("Deze knop hoort bij een eerdere stap. Gebruik de nieuwste vraag."))
    action, value = callback_data.action, callback_data.value
    target: Step | None = step
    more = False
    if action is DraftAction.BACK:
        target = step_before(step, draft)
    elif action is DraftAction.RESUME:
        target = step
    elif action is DraftAction.MORE and step is Step.OBSERVATIONS:
        more = bool(value)
    elif action is DraftAction.TOGGLE and step is Step.OBSERVATIONS and value in SIGNS:
        draft.toggle(Observation(value))
        more = Observation(value) in MORE_SIGNS
    elif action is DraftAction.NEXT and step is Step.OBSERVATIONS:
        if not draft.observations:
            return callback.answer(_("Kies eerst minstens één ding."), show_alert=True)
        target = Step.CONSENT
    elif action is DraftAction.CHOOSE and step is Step.CONSENT and value in set(Knows):
        target = draft.answer_knows(Knows(value))
    elif action is DraftAction.CHOOSE and step is Step.AGREES and value in set(Knows):
        draft.answer_agrees({Knows.YES: True, Knows.NO: False}.get(Knows(value)))
        target = Step.NOTE
    elif action is DraftAction.SKIP and step is Step.NOTE:
        draft.note = None
        target = Step.CONTACT
    elif action is DraftAction.CHOOSE and step is Step.CONTACT:
        draft.may_contact = value == "yes"
        target = Step.SUMMARY
    elif action is DraftAction.SEND and step is Step.SUMMARY and draft.complete:
        await state.clear()
        await _send(callback, draft, session, account, settings, i18n, clock())
        return callback.answer(_("Verstuurd"))
    else:
        return callback.answer(_("Deze knop hoort bij een eerdere stap. Gebruik de nieuwste vraag."))
    assert target is not None
    await _go(state, target, draft)
    _show_in_place(session, callback, target, draft, more)
    return callback.answer()


async def _send(callback: CallbackQuery, draft: ReportDraft, session: AsyncSession, account: Account,
                settings: Settings, i18n: I18n, now: datetime) -> None:
    """File the report; the confirmation is queued in the same transaction, so it never precedes the signal."""
    reported = await services.signals.report(session, i18n, draft, account.id, now, settings.duplicate_window)
    chat = callback.message.chat.id
    outbox.edit(session, chat, callback.message.message_id,
                sent_payload(reported.reference, reported.area, reported.point, bool(draft.may_contact),
                             reported.on_hold, draft.needs_veilig_thuis, reported.reports_made))


def _known_street(text: str) -> StreetAddress | None:
    return parse_street(text, known_street_only=True)


def make_router() -> Router:
    router = Router(name="reporting")
    router.message.filter(F.chat.type == "private")
    router.callback_query.filter(F.message.chat.type == "private")
    router.message.register(start_report, Command("melden"))
    router.message.register(start_report, F.text == texts.REPORT_BUTTON)
    router.message.register(address_given, StateFilter(None, Reporting.address),
                            F.text.func(parse_address).as_("address"))
    router.message.register(street_given, StateFilter(None), F.text.func(_known_street).as_("street"))
    router.message.register(street_given, Reporting.address, F.text.func(parse_street).as_("street"))
    router.message.register(postcode_given, Reporting.address, F.text.func(parse_postcode).as_("postcode"))
    router.message.register(address_not_understood, Reporting.address)
    router.message.register(note_given, Reporting.note, F.text)
    router.message.register(use_the_buttons, StateFilter(*Reporting.__states__))
    router.callback_query.register(stop, DraftButton.filter(F.action == DraftAction.STOP))
    router.callback_query.register(danger, DraftButton.filter(F.action == DraftAction.DANGER))
    router.callback_query.register(draft_button, DraftButton.filter())
    return router
