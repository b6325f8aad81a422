"""The claimer, in a private chat: close a signal with an outcome, or give it back."""

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
from omzien.handlers.callbacks import CaseButton
from omzien.handlers.notify import tell_reporters, update_card
from omzien.handlers.views import payload
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
    if outcome is not None:
        tell_reporters(session, signal, i18n, closed=True)
    outbox.edit(session, callback.message.chat.id, callback.message.message_id, payload(text))
    return callback.answer()


def make_router() -> Router:
    router = Router(name="casework")
    router.callback_query.filter(F.message.chat.type == "private")
    router.callback_query.register(finish, CaseButton.filter())
    return router
