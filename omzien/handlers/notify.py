"""Telling people about a change of a signal: its card, the claimer, and the reporters who asked to hear."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from html import escape

from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from omzien.bot.i18n import pick_locale
from omzien.handlers.views import card_payload, case_payload, payload
from omzien.storage import outbox
from omzien.storage.models import Account, Signal


@contextmanager
def speaking_to(i18n: I18n, account: Account | None) -> Iterator[None]:
    """Render in the language of ``account`` (None: the group's, which is the default language)."""
    locale = i18n.default_locale if account is None else pick_locale(
        account.language, account.telegram_language, i18n.default_locale)
    with i18n.context(), i18n.use_locale(locale):
        yield


async def update_card(session: AsyncSession, signal: Signal, i18n: I18n, now: datetime) -> None:
    """Post or edit the signal's card in its point's group."""
    if signal.point is None or signal.point.group_chat_id is None:
        return
    with speaking_to(i18n, None):
        await outbox.put_card(session, signal, signal.point.group_chat_id, card_payload(signal, now))


def tell_reporters(session: AsyncSession, signal: Signal, i18n: I18n, closed: bool) -> None:
    """"Opgepakt" or "afgerond", to each reporter who agreed to hear back; nothing about the person."""
    told: set[int] = set()
    for report in signal.reports:
        reporter = report.reporter
        if not report.may_contact or reporter.blocked_at or reporter.started_at is None or reporter.id in told:
            continue
        told.add(reporter.id)
        with speaking_to(i18n, reporter):
            if closed:
                text = _("Uw melding {reference} is afgerond. Dank u wel dat u omkeek naar een ander.")
            else:
                text = _("Uw melding {reference} is opgepakt door een medewerker van {point}.")
            point = escape(signal.point.name) if signal.point else ""
            outbox.send(session, reporter.id, payload(text.format(reference=signal.reference, point=point)))


def send_address(session: AsyncSession, signal: Signal, i18n: I18n) -> None:
    """The address and notes go to the claimer's private chat, never to the group."""
    with speaking_to(i18n, signal.claimer):
        outbox.send(session, signal.claimed_by, case_payload(signal), signal_id=signal.id, purpose="address")
    signal.address_delivered = True
