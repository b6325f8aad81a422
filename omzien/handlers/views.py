"""What people see: the texts and keyboards of the report steps, the group card and the claimer's message.

Views return outbox payloads (``text`` and ``reply_markup`` as Telegram expects them), in
the language that is current when they are called. The group card shows the 4-digit
postcode area only; the full address and the note appear only in ``case_payload``, which
goes to the claimer's private chat.
"""

from __future__ import annotations

from datetime import datetime
from html import escape
from typing import Any
from zoneinfo import ZoneInfo

from aiogram.types import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
)
from aiogram.utils.i18n import get_i18n
from aiogram.utils.i18n import gettext as _
from babel.dates import format_datetime

from omzien.flows.address import Address
from omzien.flows.report import ReportDraft, Step
from omzien.flows.signal import NOTE_LIMIT, SIGNS, Consent, Observation, Outcome, Role, Status
from omzien.handlers import texts
from omzien.handlers.callbacks import (
    CaseButton,
    ClaimButton,
    DraftAction,
    DraftButton,
    FollowUp,
    FollowUpAction,
    RoleChoice,
)
from omzien.storage.models import Report, Signal
from omzien.storage.sla import COUNT_UP_TO, Overview

TIME_ZONE = ZoneInfo("Europe/Amsterdam")
MAX_REPORTS_SHOWN = 3
"""Three reports with the longest notes still fit in one Telegram message (4096 characters)."""


def payload(text: str, markup: Any = None) -> dict[str, Any]:
    data: dict[str, Any] = {"text": text, "parse_mode": "HTML"}
    if markup is not None:
        data["reply_markup"] = markup.model_dump(mode="json", exclude_none=True)
    return data


def _locale() -> str:
    return get_i18n().current_locale


def when(moment: datetime) -> str:
    return format_datetime(moment, "EEE d MMM HH:mm", tzinfo=TIME_ZONE, locale=_locale())


def _button(text: str, data: Any) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=data.pack())


def _rows(buttons: list[InlineKeyboardButton], width: int) -> list[list[InlineKeyboardButton]]:
    return [buttons[i:i + width] for i in range(0, len(buttons), width)]


def menu_keyboard() -> ReplyKeyboardMarkup:
    return ReplyKeyboardMarkup(keyboard=[[KeyboardButton(text=str(texts.REPORT_BUTTON))],
                                         [KeyboardButton(text=str(texts.FIND_BUTTON))]],
                               resize_keyboard=True, is_persistent=True)


def role_keyboard() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=_rows(
        [_button(str(label), RoleChoice(role=role)) for role, label in texts.ROLES.items()], 2))


def menu_text() -> str:
    return _("Maakt u zich zorgen om iemand? Tik op de knop hieronder, "
             "of typ meteen de postcode en het huisnummer (bijvoorbeeld {example}).").format(
        example=texts.EXAMPLE_ADDRESS) + "\n\n" + _(
        "Zoekt u iets tegen eenzaamheid, voor uzelf of voor een ander? Tik op „{button}”.").format(
        button=texts.FIND_BUTTON)


# The report, step by step

def _draft(step: Step, action: DraftAction, value: str = "") -> str:
    return DraftButton(step=step, action=action, value=value).pack()


def _navigation(step: Step, back: bool = True) -> list[InlineKeyboardButton]:
    row = [InlineKeyboardButton(text=str(texts.BACK), callback_data=_draft(step, DraftAction.BACK))] if back else []
    row.append(InlineKeyboardButton(text=str(texts.STOP), callback_data=_draft(step, DraftAction.STOP)))
    return row


def _danger(step: Step) -> list[InlineKeyboardButton]:
    return [InlineKeyboardButton(text="🚨 " + str(texts.DANGER), callback_data=_draft(step, DraftAction.DANGER))]


def step_payload(step: Step, draft: ReportDraft) -> dict[str, Any]:
    """The message for one step of the report, with its buttons."""
    choose = DraftAction.CHOOSE
    if step is Step.ADDRESS:
        text = _("Om wie maakt u zich zorgen? Typ de postcode en het huisnummer, "
                 "bijvoorbeeld {example}. Een naam is niet nodig.").format(example=texts.EXAMPLE_ADDRESS)
        if draft.address:
            text += "\n" + _("Nu ingevuld: {address}").format(address=escape(str(draft.address)))
        rows = [_danger(step), _navigation(step, back=False)]
    elif step is Step.OBSERVATIONS:
        text = _("Wat viel u op bij {address}? Tik alles aan wat klopt, en dan op Verder.").format(
            address=escape(str(draft.address)))
        buttons = [InlineKeyboardButton(
            text=("✅ " if obs in draft.observations else "") + str(label),
            callback_data=_draft(step, DraftAction.TOGGLE, obs)) for obs in SIGNS
            for label in [texts.OBSERVATIONS[obs]]]
        rows = [*_rows(buttons, 2),
                [InlineKeyboardButton(text=str(texts.NEXT), callback_data=_draft(step, DraftAction.NEXT))],
                _danger(step), _navigation(step)]
    elif step is Step.CONSENT:
        text = _("Weet deze persoon dat u dit meldt, en vindt hij of zij het goed als iemand contact opneemt?")
        rows = [[InlineKeyboardButton(text=str(label), callback_data=_draft(step, choose, c))
                 for c, label in texts.CONSENT_ANSWERS.items()], _navigation(step)]
    elif step is Step.NOTE:
        text = _("Wilt u nog iets vertellen dat helpt? Typ dan een korte toelichting "
                 "(hoogstens {limit} tekens). Noem liever geen namen.").format(limit=NOTE_LIMIT)
        rows = [[InlineKeyboardButton(text=str(texts.SKIP), callback_data=_draft(step, DraftAction.SKIP))],
                _navigation(step)]
    elif step is Step.CONTACT:
        text = _("Mag het signaalpunt contact met u opnemen over deze melding? "
                 "Dan hoort u ook wanneer uw melding is opgepakt en afgerond.")
        rows = [[InlineKeyboardButton(text=str(texts.YES), callback_data=_draft(step, choose, "yes")),
                 InlineKeyboardButton(text=str(texts.NO), callback_data=_draft(step, choose, "no"))],
                _navigation(step)]
    else:
        text = summary_text(draft)
        rows = [[InlineKeyboardButton(text="✉️ " + str(texts.SEND), callback_data=_draft(step, DraftAction.SEND))],
                _navigation(step)]
    return payload(text, InlineKeyboardMarkup(inline_keyboard=rows))


def _observations(codes: list[str]) -> str:
    return ", ".join(str(texts.OBSERVATIONS[Observation(code)]) for code in codes)


def summary_text(draft: ReportDraft) -> str:
    lines = [
        _("<b>Klopt dit?</b>"),
        _("Adres: {address}").format(address=escape(str(draft.address))),
        _("Gezien: {observations}").format(observations=_observations(draft.observations)),
        _("Weet de bewoner ervan: {answer}").format(answer=texts.CONSENT_ANSWERS[draft.consent]),
        _("Toelichting: {note}").format(note=escape(draft.note) if draft.note else _("geen")),
        _("Contact met u: {answer}").format(answer=texts.YES if draft.may_contact else texts.NO),
    ]
    return "\n".join(lines)


# The group card

def _deadline(label: str, due: datetime | None, now: datetime) -> str:
    """"oppakken vóór di 24 nov 10:00", or "oppakken: over tijd sinds ..." once it passed."""
    if due is None:
        return ""
    if due <= now:
        return _("{what}: over tijd sinds {when}").format(what=label, when=when(due))
    return _("{what} vóór {when}").format(what=label, when=when(due))


def deadline_line(signal: Signal, now: datetime) -> str:
    """The deadline that matters now, in words; empty when none does."""
    if signal.status == Status.NEW:
        return _deadline(_("oppakken"), signal.due_claim_at, now)
    if signal.status != Status.CLAIMED:
        return ""
    if signal.paused_until is not None and signal.paused_until > now:
        return _("gepauzeerd tot {when}").format(when=when(signal.paused_until))
    if signal.contacted_at is None:
        return _deadline(_("contact"), signal.due_contact_at, now)
    return _deadline(_("afronden"), signal.due_close_at, now)


def _status_line(signal: Signal, now: datetime) -> str:
    name = escape(signal.claimer.first_name) if signal.claimer else "?"
    if signal.status == Status.NEW:
        line = _("Status: <b>nieuw</b>, wacht op iemand die het oppakt")
    elif signal.status == Status.CLAIMED:
        line = _("Status: <b>opgepakt</b> door {name}").format(name=name)
        if signal.contacted_at is not None:
            line += " · " + _("contact gemaakt")
    else:
        return _("Status: <b>afgerond</b> door {name}: {outcome}").format(
            name=name, outcome=texts.OUTCOMES[Outcome(signal.outcome)])
    deadline = deadline_line(signal, now)
    return line + ("\n⏰ " + deadline if deadline else "")


def _all_observations(signal: Signal) -> list[str]:
    seen: list[str] = []
    for report in signal.reports:
        seen.extend(o for o in report.observations if o not in seen)
    return sorted(seen, key=[str(o) for o in Observation].index)


def card_payload(signal: Signal, now: datetime) -> dict[str, Any]:
    """The one message per signal in the group: no address, no note, no name of the reporter."""
    first = signal.reports[0]
    lines = [
        _("<b>Signaal {reference}</b> · postcode {area}").format(reference=signal.reference, area=signal.area),
        _("Gezien: {observations}").format(observations=_observations(_all_observations(signal))),
        _("Weet de bewoner ervan: {answer}").format(answer=texts.CONSENT_STATUS[Consent(first.consent)]),
        _("Gemeld: {when}").format(when=when(signal.created_at)),
    ]
    if len(signal.reports) > 1:
        lines.append(_("Nogmaals gemeld ({count}×)").format(count=len(signal.reports)))
    lines.append(_status_line(signal, now))
    markup = None
    if signal.status == Status.NEW:
        markup = InlineKeyboardMarkup(inline_keyboard=[[_button("🙋 " + str(texts.CLAIM),
                                                                 ClaimButton(signal_id=signal.id))]])
    return payload("\n".join(lines), markup)


# The claimer's private message

def _report_block(number: int, report: Report) -> str:
    role = texts.ROLES[Role(report.reporter.role)] if report.reporter.role else texts.ROLES[Role.OTHER]
    lines = [
        _("<b>Melding {number}</b> · {when} · {role}").format(number=number, when=when(report.created_at), role=role),
        _("Gezien: {observations}").format(observations=_observations(report.observations)),
        _("Weet de bewoner ervan: {answer}").format(answer=texts.CONSENT_STATUS[Consent(report.consent)]),
    ]
    if report.note:
        lines.append(_("Toelichting: “{note}”").format(note=escape(report.note)))
    if report.may_contact:
        reporter = f'<a href="tg://user?id={report.reporter_id}">{escape(report.reporter.first_name)}</a>'
        lines.append(_("De melder mag benaderd worden: {reporter}").format(reporter=reporter))
    else:
        lines.append(_("De melder wil liever niet benaderd worden."))
    return "\n".join(lines)


def case_payload(signal: Signal) -> dict[str, Any]:
    """The address and the notes, for the worker who claimed the signal, with the buttons to finish it."""
    reports = list(enumerate(signal.reports, 1))
    parts = [
        _("<b>Signaal {reference}</b>: je hebt dit opgepakt.").format(reference=signal.reference),
        _("Adres: <b>{address}</b>").format(address=escape(str(Address.from_parts(signal.postcode, signal.house)))),
        *(_report_block(number, report) for number, report in reports[-MAX_REPORTS_SHOWN:]),
        _("Tik op „Contact gemaakt” als je de persoon hebt gesproken, op „Pauzeren” als die een tijd "
          "niet bereikbaar is, en op een uitkomst als je klaar bent. Of geef het signaal terug."),
    ]
    if len(reports) > MAX_REPORTS_SHOWN:
        parts.insert(2, _("Er zijn {count} meldingen; hieronder de laatste {shown}.").format(
            count=len(reports), shown=MAX_REPORTS_SHOWN))
    outcome_buttons = [_button(str(label), CaseButton(signal_id=signal.id, outcome=outcome))
                       for outcome, label in texts.OUTCOMES.items()]
    follow_up = [_button("📞 " + str(texts.CONTACT), FollowUp(signal_id=signal.id, action=FollowUpAction.CONTACT)),
                 _button("⏸ " + str(texts.PAUSE), FollowUp(signal_id=signal.id, action=FollowUpAction.PAUSE))]
    rows = [follow_up, *_rows(outcome_buttons, 2),
            [_button("↩️ " + str(texts.RELEASE), CaseButton(signal_id=signal.id))]]
    return payload("\n\n".join(parts), InlineKeyboardMarkup(inline_keyboard=rows))


def pause_reasons_payload(signal: Signal) -> dict[str, Any]:
    buttons = [_button(str(label), FollowUp(signal_id=signal.id, action=FollowUpAction.PAUSE, reason=reason))
               for reason, label in texts.PAUSE_REASONS.items()]
    return payload(_("Waarom pauzeer je signaal {reference}? Ik stuur je dan een werkweek geen herinneringen.")
                   .format(reference=signal.reference), InlineKeyboardMarkup(inline_keyboard=_rows(buttons, 2)))


# Reminders and escalations (sent by the sweep; see omzien.handlers.alerts)

MAX_LISTED = 20
"""Signals named in one overview or reminder; more are counted, not listed (a message holds 4096 characters)."""


def _signal_line(signal: Signal, now: datetime) -> str:
    late = any(due is not None and due <= now for due in (
        signal.due_claim_at if signal.status == Status.NEW else None,
        signal.due_contact_at if signal.status == Status.CLAIMED and signal.contacted_at is None else None,
        signal.due_close_at if signal.status == Status.CLAIMED else None))
    return "{mark} {reference} · {area} · {deadline}".format(
        mark="⚠️" if late else "•", reference=signal.reference, area=signal.area, deadline=deadline_line(signal, now))


def _at_most(count: int) -> str:
    return f"{COUNT_UP_TO}+" if count > COUNT_UP_TO else str(count)


def _more(total: int, shown: int) -> list[str]:
    """The line for what is counted but not listed; a count that stopped at COUNT_UP_TO says "meer dan"."""
    if total > COUNT_UP_TO:
        return [_("… en nog meer dan {count}.").format(count=COUNT_UP_TO - shown)]
    return [_("… en nog {count}.").format(count=total - shown)] if total > shown else []


def overview_payload(point_name: str, overview: Overview, now: datetime) -> dict[str, Any]:
    """The group's one overview: the signals that wait, with a button each, and claimed ones without contact."""
    lines = [_("<b>Overzicht {point}</b> · {when}").format(point=escape(point_name), when=when(now))]
    if not overview.waiting_count and not overview.without_contact_count:
        lines.append(_("Alle signalen zijn opgepakt. Dank jullie wel!"))
        return payload("\n".join(lines))
    if overview.waiting_count:
        lines.append(_("Wachten op iemand die ze oppakt: {count}, waarvan over tijd: {late}").format(
            count=_at_most(overview.waiting_count), late=_at_most(overview.late_count)))
        lines += [_signal_line(s, now) for s in overview.waiting]
        lines += _more(overview.waiting_count, len(overview.waiting))
    if overview.without_contact_count:
        lines.append("")
        lines.append(_("Opgepakt, maar nog geen contact vastgelegd:"))
        lines += [_signal_line(s, now) + " · " + escape(s.claimer.first_name if s.claimer else "?")
                  for s in overview.without_contact]
        lines += _more(overview.without_contact_count, len(overview.without_contact))
    buttons = [_button("🙋 " + s.reference, ClaimButton(signal_id=s.id)) for s in overview.waiting]
    return payload("\n".join(lines), InlineKeyboardMarkup(inline_keyboard=_rows(buttons, 3)) if buttons else None)


def replaced_overview_payload() -> dict[str, Any]:
    return payload(_("Dit overzicht is verouderd; het nieuwste staat verderop. Typ /open voor een nieuw overzicht."))


def reminder_payload(signals: list[Signal], now: datetime) -> dict[str, Any]:
    """To a claimer: the signals they hold whose deadline passed, with what they can do about each."""
    lines = [_("<b>Herinnering</b>: bij deze signalen is een termijn verlopen.")]
    lines += [_signal_line(s, now) for s in signals[:MAX_LISTED]] + _more(len(signals), min(len(signals), MAX_LISTED))
    lines.append(_("Heb je contact gehad? Is de persoon een tijd weg? Of lukt het niet? Tik hieronder."))
    rows = []
    for signal in signals[:MAX_LISTED]:
        first = (FollowUp(signal_id=signal.id, action=FollowUpAction.CONTACT), "📞 " + signal.reference) \
            if signal.contacted_at is None else \
            (FollowUp(signal_id=signal.id, action=FollowUpAction.SHOW), "✅ " + signal.reference)
        rows.append([_button(first[1], first[0]),
                     _button("⏸ " + str(texts.PAUSE), FollowUp(signal_id=signal.id, action=FollowUpAction.PAUSE)),
                     _button("↩️ " + str(texts.RELEASE), CaseButton(signal_id=signal.id))])
    return payload("\n".join(lines), InlineKeyboardMarkup(inline_keyboard=rows))


def coordinator_payload(point_name: str, signals: list[Signal], now: datetime) -> dict[str, Any]:
    lines = [_("<b>{point}</b>: deze signalen zijn niet op tijd opgepakt.").format(point=escape(point_name))]
    lines += [_signal_line(s, now) for s in signals[:MAX_LISTED]] + _more(len(signals), min(len(signals), MAX_LISTED))
    lines.append(_("Ze staan in het overzicht in de groep. Kun je zorgen dat iemand ze oppakt?"))
    return payload("\n".join(lines))


def fallback_payload(point_name: str, signals: list[Signal], now: datetime) -> dict[str, Any]:
    lines = [_("<b>{point}</b>: deze signalen wachten al drie keer zo lang als afgesproken op iemand die ze "
               "oppakt.").format(point=escape(point_name))]
    lines += [_signal_line(s, now) for s in signals[:MAX_LISTED]] + _more(len(signals), min(len(signals), MAX_LISTED))
    lines.append(_("U bent het regionale vangnet van dit signaalpunt. Wilt u contact opnemen met het signaalpunt?"))
    return payload("\n".join(lines))


def summary_payload(point_name: str, new: int, open_count: int, late: int) -> dict[str, Any]:
    return payload("\n".join([
        _("<b>Goedemorgen, {point}</b>").format(point=escape(point_name)),
        _("Nieuw sinds het vorige overzicht: {new} · open: {open} · over tijd: {late}").format(
            new=new, open=open_count, late=late),
        _("Typ /open voor het overzicht met knoppen."),
    ]))
