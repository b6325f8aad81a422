"""The claimer, in a private chat: record contact, pause, close a signal with an outcome, or give it back."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from aiogram import F, Router
from aiogram.types import CallbackQuery
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from omzien.flows.signal import Status
from omzien.handlers import texts
from omzien.handlers.alerts import refresh_overview
from omzien.handlers.callbacks import CaseButton, FollowUp, FollowUpAction
from omzien.handlers.notify import send_address, tell_reporters, update_card
from omzien.handlers.views import pause_reasons_payload, payload, when
from omzien.storage import outbox, signals
from omzien.storage.models import Account


async def finish(callback: CallbackQuery, callback_data: CaseButton, session: AsyncSession, account: Account,
                 i18n: I18n, clock: Callable[[], datetime]):  # type: ignore[no-untyped-def]
    """Only the worker who holds the signal can close it or give it back; the address leaves the chat."""
    signal = await signals.get_signal(session, callback_data.signal_id)
    if signal is None or signal.claimed_by != account.id or signal.status != Status.CLAIMED:
        return callback.answer(_("Dit signaal is niet (meer) van jou."), show_alert=True)
    now = clock()
    outcome = callback_data.outcome
    done = (await signals.release(session, signal.id, account.id, now) if outcome is None
            else await signals.close(session, signal.id, account.id, outcome, now))
    if not done:
        return callback.answer(_("Dit signaal is niet (meer) van jou."), show_alert=True)
    if outcome is None:
        text = _("Je hebt signaal {reference} teruggegeven; het staat weer open in de groep. "
                 "Het adres staat niet meer in dit bericht.").format(reference=signal.reference)
    else:
        text = _("Signaal {reference} is afgerond: {outcome}. Dank je wel. "
                 "Het adres staat niet meer in dit bericht.").format(
            reference=signal.reference, outcome=texts.OUTCOMES[outcome])
    signal = await signals.get_signal(session, signal.id)
    await update_card(session, signal, i18n, now)
    if signal.point is not None:
        await refresh_overview(session, signal.point, i18n, now)
    if outcome is not None:
        tell_reporters(session, signal, i18n, closed=True)
    outbox.edit(session, callback.message.chat.id, callback.message.message_id, payload(text))
    return callback.answer()


async def follow_up(callback: CallbackQuery, callback_data: FollowUp, session: AsyncSession, account: Account,
                    i18n: I18n, clock: Callable[[], datetime]):  # type: ignore[no-untyped-def]
    """Contact made, a pause with a reason, or the case message again: only for the worker who holds it."""
    now = clock()
    action, signal_id = callback_data.action, callback_data.signal_id
    signal = await signals.get_signal(session, signal_id)
    if signal is None or signal.claimed_by != account.id or signal.status != Status.CLAIMED:
        return callback.answer(_("Dit signaal is niet (meer) van jou."), show_alert=True)
    if action is FollowUpAction.SHOW:
        send_address(session, signal, i18n)
        return callback.answer(_("Het adres en de knoppen voor de uitkomst staan hieronder."))
    if action is FollowUpAction.PAUSE and callback_data.reason is None:
        outbox.send(session, callback.message.chat.id, pause_reasons_payload(signal))
        return callback.answer()
    if action is FollowUpAction.CONTACT:
        already = signal.contacted_at is not None
        await signals.record_contact(session, signal_id, account.id, now)
        answer = (_("Dat had je al vastgelegd.") if already else
                  _("Vastgelegd: contact gemaakt bij {reference}. Kies een uitkomst als je klaar bent.").format(
                      reference=signal.reference))
    else:
        assert callback_data.reason is not None
        await signals.pause(session, signal_id, account.id, callback_data.reason, now)
        signal = await signals.get_signal(session, signal_id)
        assert signal is not None and signal.paused_until is not None
        answer = _("Signaal {reference} is gepauzeerd tot {until} ({reason}). Daarna herinner ik je weer.").format(
            reference=signal.reference, until=when(signal.paused_until),
            reason=texts.PAUSE_REASONS[callback_data.reason])
        outbox.edit(session, callback.message.chat.id, callback.message.message_id, payload(answer))
    signal = await signals.get_signal(session, signal_id)
    await update_card(session, signal, i18n, now)
    if signal.point is not None:
        await refresh_overview(session, signal.point, i18n, now)
    return callback.answer(answer, show_alert=action is FollowUpAction.CONTACT)


def make_router() -> Router:
    router = Router(name="casework")
    router.callback_query.filter(F.message.chat.type == "private")
    router.callback_query.register(finish, CaseButton.filter())
    router.callback_query.register(follow_up, FollowUp.filter())
    return router
