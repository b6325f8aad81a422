"""The worker who holds a signal, in a private chat: the address and notes, the buttons, the reminders."""

from __future__ import annotations

from html import escape
from typing import Any

from aiogram.types import InlineKeyboardButton
from aiogram.utils.i18n import gettext as _

from omzien.flows.signal import CLAIMER_OUTCOMES, Outcome, PauseReason, Role
from omzien.views import texts
from omzien.views.buttons import CaseButton, FollowUp, FollowUpAction
from omzien.views.common import button, grid, observations, payload, rows, when
from omzien.views.facts import CaseFacts, ReportFacts, SignalFacts
from omzien.views.group import MAX_LISTED, listed

MAX_REPORTS_SHOWN = 3
"""Three reports with the longest notes still fit in one Telegram message (4096 characters)."""


def _report_block(number: int, report: ReportFacts, time_zone: str) -> str:
    role = texts.ROLES[report.role or Role.OTHER]
    lines = [
        _("<b>Melding {number}</b> · {when} · {role}").format(number=number, when=when(report.created_at, time_zone),
                                                              role=role),
        _("Gezien: {observations}").format(observations=observations(report.seen)),
        _("Weet de bewoner ervan: {answer}").format(answer=texts.CONSENT_STATUS[report.consent]),
    ]
    if report.note:
        lines.append(_("Toelichting: “{note}”").format(note=escape(report.note)))
    if report.may_contact:
        reporter = f'<a href="tg://user?id={report.reporter_id}">{escape(report.reporter_name)}</a>'
        lines.append(_("De melder mag benaderd worden: {reporter}").format(reporter=reporter))
    else:
        lines.append(_("De melder wil liever niet benaderd worden."))
    return "\n".join(lines)


def case_payload(case: CaseFacts) -> dict[str, Any]:
    """The address and the notes, for the worker who claimed the signal, with the buttons to finish it."""
    signal = case.signal
    reports = list(enumerate(case.reports, 1))
    parts = [
        _("<b>Signaal {reference}</b>: je hebt dit opgepakt.").format(reference=signal.reference),
        _("Adres: <b>{address}</b>").format(address=escape(str(case.address))),
        *(_report_block(number, report, signal.time_zone) for number, report in reports[-MAX_REPORTS_SHOWN:]),
        _("Tik op „Contact gemaakt” als je de persoon hebt gesproken, op „Pauzeren” als die een tijd "
          "niet bereikbaar is, en op een uitkomst als je klaar bent. Of geef het signaal terug."),
    ]
    if len(reports) > MAX_REPORTS_SHOWN:
        parts.insert(2, _("Er zijn {count} meldingen; hieronder de laatste {shown}.").format(
            count=len(reports), shown=MAX_REPORTS_SHOWN))
    outcomes = [button(str(label), CaseButton(signal_id=signal.id, outcome=outcome))
                for outcome, label in texts.OUTCOMES.items() if outcome in CLAIMER_OUTCOMES]
    follow_up = [button("📞 " + str(texts.CONTACT), FollowUp(signal_id=signal.id, action=FollowUpAction.CONTACT)),
                 button("⏸ " + str(texts.PAUSE), FollowUp(signal_id=signal.id, action=FollowUpAction.PAUSE))]
    pairs = [outcomes[i:i + 2] for i in range(0, len(outcomes), 2)]
    release = [button("↩️ " + str(texts.RELEASE), CaseButton(signal_id=signal.id))]
    return {**payload("\n\n".join(parts), rows(follow_up, *pairs, release)), "protect_content": True}


def withdrawn_payload(reference: str) -> dict[str, Any]:
    """What a copy of the address becomes when the signal is no longer the reader's."""
    return payload(_("Signaal {reference}: het adres en de toelichting zijn ingetrokken. Dit signaal is niet "
                     "(meer) van jou.").format(reference=reference))


def pause_reasons_payload(signal: SignalFacts) -> dict[str, Any]:
    buttons = [button(str(label), FollowUp(signal_id=signal.id, action=FollowUpAction.PAUSE, reason=reason))
               for reason, label in texts.PAUSE_REASONS.items()]
    return payload(_("Waarom pauzeer je signaal {reference}? Ik stuur je dan een werkweek geen herinneringen.")
                   .format(reference=signal.reference), grid(buttons, 2))


def released_payload(reference: str) -> dict[str, Any]:
    return payload(_("Je hebt signaal {reference} teruggegeven; het staat weer open in de groep. "
                     "Het adres staat niet meer in dit bericht.").format(reference=reference))


def closed_payload(reference: str, outcome: Outcome) -> dict[str, Any]:
    return payload(_("Signaal {reference} is afgerond: {outcome}. Dank je wel. "
                     "Het adres staat niet meer in dit bericht.").format(
        reference=reference, outcome=texts.OUTCOMES[outcome]))


def paused_text(signal: SignalFacts, reason: PauseReason) -> str:
    assert signal.standing.paused_until is not None
    return _("Signaal {reference} is gepauzeerd tot {until} ({reason}). Daarna herinner ik je weer.").format(
        reference=signal.reference, until=when(signal.standing.paused_until, signal.time_zone),
        reason=texts.PAUSE_REASONS[reason])


def reminder_payload(signals: list[SignalFacts]) -> dict[str, Any]:
    """To a claimer: the signals they hold whose deadline passed, with what they can do about each."""
    lines = [_("<b>Herinnering</b>: bij deze signalen is een termijn verlopen."), *listed(signals),
             _("Heb je contact gehad? Is de persoon een tijd weg? Of lukt het niet? Tik hieronder.")]
    return payload("\n".join(lines), rows(*(_reminder_row(signal) for signal in signals[:MAX_LISTED])))


def _reminder_row(signal: SignalFacts) -> list[InlineKeyboardButton]:
    first = button("✅ " + signal.reference, FollowUp(signal_id=signal.id, action=FollowUpAction.SHOW)) \
        if signal.contacted else \
        button("📞 " + signal.reference, FollowUp(signal_id=signal.id, action=FollowUpAction.CONTACT))
    return [first, button("⏸ " + str(texts.PAUSE), FollowUp(signal_id=signal.id, action=FollowUpAction.PAUSE)),
            button("↩️ " + str(texts.RELEASE), CaseButton(signal_id=signal.id))]
