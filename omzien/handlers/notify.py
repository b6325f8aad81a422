"""Telling people about a change of a signal: its card in the group, and the reporters who asked to hear."""

from __future__ import annotations

from datetime import datetime
from html import escape

from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from omzien.bot.i18n import pick_locale
from omzien.handlers.views import card_payload, case_payload, payload
from omzien.storage import outbox
from omzien.storage.models import Signal


async def update_card(session: AsyncSession, signal: Signal, i18n: I18n, now: datetime) -> None:
    """Post or edit the signal's card in its point's group, in the group's language."""
    if signal.point is None or signal.point.group_chat_id is None:
        return
    with i18n.use_locale(i18n.default_locale):
        await outbox.put_card(session, signal, signal.point.group_chat_id, card_payload(signal, now))


def tell_reporters(session: AsyncSession, signal: Signal, i18n: I18n, closed: bool) -> None:
    """"Opgepakt" or "afgerond", to each reporter who agreed to hear back; nothing about the person."""
    told: set[int] = set()
    for report in signal.reports:
        reporter = report.reporter
        if not report.may_contact or reporter.blocked_at or reporter.started_at is None or reporter.id in told:
            continue
        told.add(reporter.id)
        with i18n.use_locale(pick_locale(reporter.language, reporter.telegram_language, i18n.default_locale)):
            if closed:
                text = _("Uw melding {reference} is afgerond. Dank u wel dat u omkeek naar een ander.")
            else:
                text = _("Uw melding {reference} is opgepakt door een medewerker van {point}.")
            text = text.format(reference=signal.reference, point=escape(signal.point.name) if signal.point else "")
            outbox.send(session, reporter.id, payload(text))


def send_address(session: AsyncSession, signal: Signal, i18n: I18n) -> None:
    """The address and notes go to the claimer's private chat, never to the group."""
    claimer = signal.claimer
    assert claimer is not None
    with i18n.use_locale(pick_locale(claimer.language, claimer.telegram_language, i18n.default_locale)):
        outbox.send(session, claimer.id, case_payload(signal), signal_id=signal.id, purpose="address")
    signal.address_delivered = True
