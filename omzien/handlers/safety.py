"""First in line: any typed text in a private chat that points to suicidal thoughts or a life in danger.

Whatever the person was doing (a question, the address, a phone number, a search, nothing at all),
the answer is the crisis answer, alone; what they were doing waits where it was. A signaller's note
is the one exception: the report goes on, marked urgent (``handlers.reporting.note_given``).
"""

from __future__ import annotations

from typing import Any

from aiogram import F, Router
from aiogram.filters import BaseFilter, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from omzien.flows.crisis import Concern, concern
from omzien.flows.find import FindDraft, FindStep
from omzien.handlers.aftercare import Aftercare
from omzien.handlers.finding import STATE_OF, Finding
from omzien.handlers.reporting import Reporting
from omzien.storage import outbox
from omzien.views import offers as offer_views
from omzien.views.buttons import SafetyAction, SafetyButton
from omzien.views.crisis import crisis_payload, talk_payload

SEARCHING = {state.state for state in Finding.__states__}


class PointsToCrisis(BaseFilter):
    """Passes the concern of a message's text or caption on to the handler."""

    async def __call__(self, message: Message) -> bool | dict[str, Any]:
        found = concern(message.text or message.caption or "")
        return {"concern": found} if found is not Concern.NONE else False


async def crisis(message: Message, concern: Concern, state: FSMContext, session: AsyncSession) -> None:
    """The crisis answer, alone. Someone who was looking for offers may search on; a call-back they go on to
    ask for is urgent."""
    searching = await state.get_state() in SEARCHING
    if searching:
        draft = FindDraft.from_dict((await state.get_data()).get("find") or {})
        draft.urgent = True
        await state.set_data({"find": draft.to_dict()})
    outbox.send(session, message.chat.id, crisis_payload(concern, searching=searching))


async def safety_button(callback: CallbackQuery, callback_data: SafetyButton, state: FSMContext,
                        session: AsyncSession):  # type: ignore[no-untyped-def]
    chat_id = callback.message.chat.id
    if callback_data.action is SafetyAction.TALK:
        outbox.send(session, chat_id, talk_payload())
    elif callback_data.action is SafetyAction.CALL:
        draft = FindDraft.from_dict((await state.get_data()).get("find") or {})
        draft.urgent = True
        await state.set_state(STATE_OF[FindStep.CALL])
        await state.set_data({"find": draft.to_dict()})
        outbox.send(session, chat_id, offer_views.call_consent_payload(draft.for_someone_else))
    else:
        draft = FindDraft()
        await state.set_state(STATE_OF[FindStep.NEEDS])
        await state.set_data({"find": draft.to_dict()})
        outbox.send(session, chat_id, offer_views.needs_payload(set(), False, False))
    return callback.answer()


def make_router() -> Router:
    router = Router(name="safety")
    router.message.filter(F.chat.type == "private")
    router.callback_query.filter(F.message.chat.type == "private")
    # A signaller's note has its own path (the numbers for them, the signal made urgent); a worker's case note or
    # question is a professional's record about someone else, and is kept as typed.
    router.message.register(crisis, ~StateFilter(Reporting.note, Aftercare.note, Aftercare.question),
                            PointsToCrisis())
    router.callback_query.register(safety_button, SafetyButton.filter())
    return router
