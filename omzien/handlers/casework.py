"""The claimer, in a private chat: record contact, pause, close a signal with an outcome, or give it back."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from aiogram import F, Router
from aiogram.types import CallbackQuery
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from omzien import services
from omzien.flows.signal import Action
from omzien.services.signals import ContactResult
from omzien.storage import outbox
from omzien.storage.models import Account
from omzien.views.buttons import AllowClaims, CaseButton, FollowUp, FollowUpAction, ReportsHeld
from omzien.views.case import closed_payload, pause_reasons_payload, paused_text, released_payload
from omzien.views.common import payload
from omzien.views.coordinator import on_hold_decided_text


def _not_yours(callback: CallbackQuery):  # type: ignore[no-untyped-def]
    return callback.answer(_("Dit signaal is niet (meer) van jou."), show_alert=True)


async def finish(callback: CallbackQuery, callback_data: CaseButton, session: AsyncSession, account: Account,
                 i18n: I18n, clock: Callable[[], datetime]):  # type: ignore[no-untyped-def]
    """Only the worker who holds the signal can close it or give it back; the address leaves the chat."""
    outcome, signal_id = callback_data.outcome, callback_data.signal_id
    if outcome is None:
        reference = await services.signals.release(session, i18n, signal_id, account.id, clock())
        answer = released_payload(reference, signal_id) if reference else None
    else:
        reference = await services.signals.close(session, i18n, signal_id, account.id, outcome, clock())
        answer = closed_payload(reference, outcome, signal_id) if reference else None
    if answer is None:
        return _not_yours(callback)
    outbox.edit(session, callback.message.chat.id, callback.message.message_id, answer)
    return callback.answer()


async def follow_up(callback: CallbackQuery, callback_data: FollowUp, session: AsyncSession, account: Account,
                    i18n: I18n, clock: Callable[[], datetime]):  # type: ignore[no-untyped-def]
    """Contact made, a pause with a reason, or the case message again: only for the worker who holds it."""
    now, signal_id = clock(), callback_data.signal_id
    if callback_data.action is FollowUpAction.SHOW:
        if not await services.signals.show_case(session, i18n, signal_id, account.id, now):
            return _not_yours(callback)
        return callback.answer(_("Het adres en de knoppen voor de uitkomst staan hieronder."))
    if callback_data.action is FollowUpAction.CONTACT:
        result, reference = await services.signals.record_contact(session, i18n, signal_id, account.id, now)
        if result is ContactResult.NOT_YOURS:
            return _not_yours(callback)
        return callback.answer(_("Dat had je al vastgelegd.") if result is ContactResult.ALREADY else
                               _("Vastgelegd: contact gemaakt bij {reference}. Kies een uitkomst als je klaar "
                                 "bent.").format(reference=reference), show_alert=True)
    if callback_data.reason is None:
        held = await services.signals.held_for(session, signal_id, account.id, Action.PAUSE, now)
        if held is None:
            return _not_yours(callback)
        outbox.send(session, callback.message.chat.id, pause_reasons_payload(held))
        return callback.answer()
    paused = await services.signals.pause(session, i18n, signal_id, account.id, callback_data.reason, now)
    if paused is None:
        return _not_yours(callback)
    answer = paused_text(paused, callback_data.reason)
    outbox.edit(session, callback.message.chat.id, callback.message.message_id, payload(answer))
    return callback.answer(answer)


async def allow_claims(callback: CallbackQuery, callback_data: AllowClaims, session: AsyncSession,
                       account: Account, clock: Callable[[], datetime]):  # type: ignore[no-untyped-def]
    """Only a coordinator can let a held worker claim again."""
    if not await services.signals.allow_claims(session, account.id, callback_data.worker_id, clock()):
        return callback.answer(_("Alleen een coördinator kan dit toestaan."), show_alert=True)
    outbox.edit(session, callback.message.chat.id, callback.message.message_id,
                payload(_("Toegestaan: deze medewerker kan weer signalen oppakken.")))
    return callback.answer()


async def decide_on_hold(callback: CallbackQuery, callback_data: ReportsHeld, session: AsyncSession,
                         account: Account, i18n: I18n, clock: Callable[[], datetime]):  # type: ignore[no-untyped-def]
    """Only a coordinator of the point lets a reporter's signals on hold through, or sets them aside."""
    decided = await services.signals.decide_on_hold(session, i18n, account.id, callback_data.reporter_id,
                                                    callback_data.point_id, callback_data.let_through, clock())
    if decided is None:
        return callback.answer(_("Alleen een coördinator van dit signaalpunt kan dit."), show_alert=True)
    outbox.edit(session, callback.message.chat.id, callback.message.message_id,
                payload(on_hold_decided_text(decided, callback_data.let_through)))
    return callback.answer()


def make_router() -> Router:
    router = Router(name="casework")
    router.callback_query.filter(F.message.chat.type == "private")
    router.callback_query.register(finish, CaseButton.filter())
    router.callback_query.register(follow_up, FollowUp.filter())
    router.callback_query.register(allow_claims, AllowClaims.filter())
    router.callback_query.register(decide_on_hold, ReportsHeld.filter())
    return router
