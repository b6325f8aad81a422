"""The worker who holds a signal, in a private chat: the address and notes, the buttons, the reminders."""

from __future__ import annotations

from html import escape
from typing import Any

from omzien.core.i18n import gettext as _
from omzien.core.i18n import lazy_gettext as __
from omzien.flows.signal import CLAIMER_OUTCOMES, Attempt, EntryKind, Forward, Outcome, PauseReason, Role
from omzien.views import texts
from omzien.views.buttons import CaseAction, CaseButton, CaseMore, FollowUp, FollowUpAction, Undo
from omzien.views.common import Button, Keyboard, button, grid, observations, payload, rows, when
from omzien.views.facts import CaseFacts, ReportFacts, SignalFacts, SignalLine
from omzien.views.group import MAX_LISTED, listed

MAX_REPORTS_SHOWN = 3
"""Three reports with the longest notes still fit in one Telegram message (4096 characters)."""
MAX_ENTRIES_SHOWN = 5
ENTRY_WORDS = {EntryKind.NOTE: __("Notitie"), EntryKind.QUESTION: __("Vraag aan de melder"),
               EntryKind.ANSWER: __("Antwoord van de melder")}
DIRECT_OUTCOMES = [outcome for outcome in texts.OUTCOMES
                   if outcome in CLAIMER_OUTCOMES and outcome not in (Outcome.REFERRED, Outcome.FORWARDED)]
"""Closing with one tap; a referral first chooses offers, a forward where it went."""


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


def _history(case: CaseFacts) -> str | None:
    if not case.earlier:
        return None
    lines = [_("<b>Eerder op dit adres</b>")]
    for earlier in case.earlier:
        outcome = texts.OUTCOMES[earlier.outcome] if earlier.outcome else _("nog open")
        lines.append(_("{reference} · {date} · {seen} · {outcome}").format(
            reference=earlier.reference, date=when(earlier.reported_at, case.signal.time_zone),
            seen=observations(earlier.seen), outcome=outcome))
    return "\n".join(lines)


def _entries(case: CaseFacts) -> str | None:
    if not case.entries:
        return None
    lines = [_("<b>Wat er al gedaan is</b>")]
    for entry in case.entries[-MAX_ENTRIES_SHOWN:]:
        moment = when(entry.at, case.signal.time_zone)
        if entry.kind == EntryKind.ATTEMPT and entry.detail in texts.ATTEMPTS:
            lines.append(f"{moment} · {texts.ATTEMPTS[Attempt(entry.detail)]}")
        elif entry.kind in ENTRY_WORDS:
            lines.append(f"{moment} · {ENTRY_WORDS[entry.kind]}: “{escape(entry.text or '')}”")
    return "\n".join(lines)


def case_payload(case: CaseFacts) -> dict[str, Any]:
    """The address and the notes, for the worker who claimed the signal, with what they can do now."""
    signal = case.signal
    reports = list(enumerate(case.reports, 1))
    parts = [
        _("<b>Signaal {reference}</b>: je hebt dit opgepakt.").format(reference=signal.reference),
        _("Adres: <b>{address}</b>").format(address=escape(str(case.address))),
        *(_report_block(number, report, signal.time_zone) for number, report in reports[-MAX_REPORTS_SHOWN:]),
        *(part for part in (_entries(case), _history(case)) if part),
        _("Tik op „Contact gemaakt” als je de persoon hebt gesproken, op „Pauzeren” als die een tijd "
          "niet bereikbaar is, en op een uitkomst als je klaar bent. Of geef het signaal terug."),
    ]
    if len(reports) > MAX_REPORTS_SHOWN:
        parts.insert(2, _("Er zijn {count} meldingen; hieronder de laatste {shown}.").format(
            count=len(reports), shown=MAX_REPORTS_SHOWN))
    return {**payload("\n\n".join(parts), case_keyboard(case)), "protect_content": True}


def case_keyboard(case: CaseFacts) -> Keyboard:
    """Only the buttons that make sense now: no "Contact gemaakt" once it is recorded, no question once asked."""
    signal_id = case.signal.id
    follow_up = [button("⏸ " + str(texts.PAUSE), FollowUp(signal_id=signal_id, action=FollowUpAction.PAUSE))]
    if not case.signal.contacted:
        follow_up.insert(0, button("📞 " + str(texts.CONTACT),
                                   FollowUp(signal_id=signal_id, action=FollowUpAction.CONTACT)))
    outcomes = [button(str(texts.OUTCOMES[outcome]), CaseButton(signal_id=signal_id, outcome=outcome))
                for outcome in DIRECT_OUTCOMES]
    onward = [button("🧭 " + str(texts.OUTCOMES[Outcome.REFERRED]), _more(signal_id, CaseAction.REFER)),
              button("➡️ " + _("Doorgezet naar …"), _more(signal_id, CaseAction.FORWARD))]
    entries = [button("📝 " + _("Notitie"), _more(signal_id, CaseAction.NOTE)),
               button("🚪 " + _("Poging"), _more(signal_id, CaseAction.ATTEMPT))]
    ask = [[button("❓ " + _("Vraag aan de melder"), _more(signal_id, CaseAction.ASK))]] if case.can_ask else []
    release = [button("↩️ " + str(texts.RELEASE), CaseButton(signal_id=signal_id))]
    pairs = [outcomes[i:i + 2] for i in range(0, len(outcomes), 2)]
    return rows(follow_up, *pairs, onward, entries, *ask, release)


def _more(signal_id: int, action: CaseAction, value: str = "") -> CaseMore:
    return CaseMore(signal_id=signal_id, action=action, value=value)


def forward_payload(signal: SignalFacts) -> dict[str, Any]:
    buttons = [button(str(label), _more(signal.id, CaseAction.FORWARD, forward))
               for forward, label in texts.FORWARDS.items()]
    return payload(_("Naar wie heb je signaal {reference} doorgezet? Het signaal wordt dan afgerond.").format(
        reference=signal.reference), grid(buttons, 2, [button(_("« Terug"), _more(signal.id, CaseAction.BACK))]))


def attempt_payload(signal: SignalFacts) -> dict[str, Any]:
    buttons = [button(str(label), _more(signal.id, CaseAction.ATTEMPT, attempt))
               for attempt, label in texts.ATTEMPTS.items()]
    return payload(_("Wat heb je geprobeerd bij {reference}? Het signaal blijft van jou.").format(
        reference=signal.reference), grid(buttons, 1, [button(_("« Terug"), _more(signal.id, CaseAction.BACK))]))


def type_note_text(reference: str) -> str:
    return _("Typ een korte notitie bij {reference} (hoogstens 500 tekens). Alleen wie het signaal heeft, ziet "
             "hem. Stoppen: /cancel").format(reference=reference)


def type_question_text(reference: str) -> str:
    return _("Typ één korte vraag voor de melder van {reference}. De melder ziet jouw naam niet, jij niet die van "
             "de melder. Stoppen: /cancel").format(reference=reference)


def withdrawn_payload(reference: str) -> dict[str, Any]:
    """What a copy of the address becomes when the signal is no longer the reader's."""
    return payload(_("Signaal {reference}: het adres en de toelichting zijn ingetrokken. Dit signaal is niet "
                     "(meer) van jou.").format(reference=reference))


def pause_reasons_payload(signal: SignalFacts) -> dict[str, Any]:
    buttons = [button(str(label), FollowUp(signal_id=signal.id, action=FollowUpAction.PAUSE, reason=reason))
               for reason, label in texts.PAUSE_REASONS.items()]
    return payload(_("Waarom pauzeer je signaal {reference}? Ik stuur je dan een werkweek geen herinneringen.")
                   .format(reference=signal.reference), grid(buttons, 2))


def released_payload(reference: str, signal_id: int) -> dict[str, Any]:
    return payload(_("Je hebt signaal {reference} teruggegeven; het staat weer open in de groep. "
                     "Het adres staat niet meer in dit bericht.").format(reference=reference), _undo(signal_id))


def closed_payload(reference: str, outcome: Outcome, signal_id: int, forwarded_to: Forward | None = None,
                   offers: list[str] | None = None) -> dict[str, Any]:
    lines = [_("Signaal {reference} is afgerond: {outcome}. Dank je wel. "
               "Het adres staat niet meer in dit bericht.").format(
        reference=reference, outcome=texts.OUTCOMES[outcome])]
    if forwarded_to is not None:
        lines.append(_("Doorgezet naar: {to}").format(to=texts.FORWARDS[forwarded_to]) + (
            f" · {texts.FORWARD_PHONES[forwarded_to]}" if forwarded_to in texts.FORWARD_PHONES else ""))
    if offers:
        lines.append(_("Verwezen naar: {offers}").format(offers=", ".join(escape(name) for name in offers)))
    return payload("\n".join(lines), _undo(signal_id))


def _undo(signal_id: int) -> Keyboard:
    return rows([button(_("↩️ Ongedaan maken (10 minuten)"), Undo(signal_id=signal_id))])


def undone_text(reference: str) -> str:
    return _("Ongedaan gemaakt: signaal {reference} is weer van jou. Het adres staat hieronder.").format(
        reference=reference)


def paused_text(signal: SignalFacts, reason: PauseReason) -> str:
    assert signal.standing.paused_until is not None
    return _("Signaal {reference} is gepauzeerd tot {until} ({reason}). Daarna herinner ik je weer.").format(
        reference=signal.reference, until=when(signal.standing.paused_until, signal.time_zone),
        reason=texts.PAUSE_REASONS[reason])


def reminder_payload(signals: list[SignalLine]) -> dict[str, Any]:
    """To a claimer: the signals they hold whose deadline passed, with what they can do about each."""
    lines = [_("<b>Herinnering</b>: bij deze signalen is een termijn verlopen."), *listed(signals),
             _("Heb je contact gehad? Is de persoon een tijd weg? Of lukt het niet? Tik hieronder.")]
    return payload("\n".join(lines), rows(*(_reminder_row(signal) for signal in signals[:MAX_LISTED])))


def _reminder_row(signal: SignalLine) -> list[Button]:
    first = button("✅ " + signal.reference, FollowUp(signal_id=signal.id, action=FollowUpAction.SHOW)) \
        if signal.contacted else \
        button("📞 " + signal.reference, FollowUp(signal_id=signal.id, action=FollowUpAction.CONTACT))
    return [first, button("⏸ " + str(texts.PAUSE), FollowUp(signal_id=signal.id, action=FollowUpAction.PAUSE)),
            button("↩️ " + str(texts.RELEASE), CaseButton(signal_id=signal.id))]
