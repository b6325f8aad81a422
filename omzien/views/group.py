"""The group: one card per signal, edited in place, the one overview of what waits, and lists of signals
that reminders and escalations share."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from html import escape
from typing import Any

from omzien.core.i18n import gettext as _
from omzien.flows.sla import COUNT_UP_TO, Phase
from omzien.views import texts
from omzien.views.buttons import ClaimButton
from omzien.views.common import button, grid, observations, payload, when
from omzien.views.facts import OverviewFacts, SignalFacts, SignalLine

MAX_LISTED = 20
"""Signals named in one overview or reminder; more are counted, not listed (a message holds 4096 characters)."""


def deadline_line(signal: SignalLine) -> str:
    """The deadline that matters now, in words: "oppakken vóór di 24 nov 10:00", "contact: over tijd sinds …",
    "gepauzeerd tot …"; empty when none does."""
    standing, zone = signal.standing, signal.time_zone
    if standing.paused_until is not None:
        return _("gepauzeerd tot {when}").format(when=when(standing.paused_until, zone))
    if standing.due is None or standing.phase not in (Phase.CLAIM, Phase.CONTACT, Phase.CLOSE):
        return ""
    what, moment = _what_is_due(standing.phase), when(standing.due, zone)
    if standing.passed:
        return _("{what}: over tijd sinds {when}").format(what=what, when=moment)
    return _("{what} vóór {when}").format(what=what, when=moment)


def _what_is_due(phase: Phase) -> str:
    """The word for the step whose deadline it is (only that one is translated: an overview has many lines)."""
    if phase is Phase.CLAIM:
        return _("oppakken")
    return _("contact") if phase is Phase.CONTACT else _("afronden")


def _status_line(signal: SignalFacts) -> str:
    name = escape(signal.claimer or "?")
    current = signal.standing.phase
    if current is Phase.CLAIM:
        line = _("Status: <b>nieuw</b>, wacht op iemand die het oppakt")
    elif current in (Phase.CONTACT, Phase.CLOSE):
        line = _("Status: <b>opgepakt</b> door {name}").format(name=name)
        if current is Phase.CLOSE:
            line += " · " + _("contact gemaakt")
    else:
        return _("Status: <b>afgerond</b> door {name}: {outcome}").format(
            name=name, outcome=texts.OUTCOMES[signal.outcome]) if signal.outcome else ""
    deadline = deadline_line(signal)
    return line + ("\n⏰ " + deadline if deadline else "")


def card_payload(signal: SignalFacts) -> dict[str, Any]:
    """The one message per signal in the group: no address, no note, no name of the reporter."""
    lines = [
        _("<b>Signaal {reference}</b> · postcode {area}").format(reference=signal.reference, area=signal.area),
        *([_("🔴 <b>Dringend</b>: vandaag oppakken. Bel bij gevaar 112.")] if signal.urgent else []),
        _("Gezien: {observations}").format(observations=observations(signal.seen)),
        _("Weet de bewoner ervan: {answer}").format(answer=texts.CONSENT_STATUS[signal.consent]),
        _("Gemeld: {when}").format(when=when(signal.reported_at, signal.time_zone)),
    ]
    if signal.reports > 1:
        lines.append(_("Nogmaals gemeld ({count}×)").format(count=signal.reports))
    lines.append(_status_line(signal))
    markup = None
    if signal.standing.phase is Phase.CLAIM:
        markup = grid([button("🙋 " + str(texts.CLAIM), ClaimButton(signal_id=signal.id))], 1)
    return payload("\n".join(lines), markup)


def signal_line(signal: SignalLine) -> str:
    """One line of a list: "⚠️ S-4K7Q · 3044 · oppakken: over tijd sinds …"."""
    return "{mark} {reference} · {area} · {deadline}".format(
        mark="🔴" if signal.urgent else "⚠️" if signal.standing.late else "•", reference=signal.reference,
        area=signal.area, deadline=deadline_line(signal))


def listed(signals: Sequence[SignalLine]) -> list[str]:
    """The first ``MAX_LISTED`` as lines, and how many more there are."""
    return [signal_line(s) for s in signals[:MAX_LISTED]] + more(len(signals), min(len(signals), MAX_LISTED))


def _at_most(count: int) -> str:
    return f"{COUNT_UP_TO}+" if count > COUNT_UP_TO else str(count)


def more(total: int, shown: int) -> list[str]:
    """The line for what is counted but not listed; a count that stopped at COUNT_UP_TO says "meer dan"."""
    if total > COUNT_UP_TO:
        return [_("… en nog meer dan {count}.").format(count=COUNT_UP_TO - shown)]
    return [_("… en nog {count}.").format(count=total - shown)] if total > shown else []


def overview_payload(overview: OverviewFacts, now: datetime) -> dict[str, Any]:
    """The group's one overview: the signals that wait, with a button each, and claimed ones without contact."""
    lines = [_("<b>Overzicht {point}</b> · {when}").format(point=escape(overview.point),
                                                           when=when(now, overview.time_zone))]
    if not overview.waiting_count and not overview.without_contact_count:
        lines.append(_("Alle signalen zijn opgepakt. Dank jullie wel!"))
        return payload("\n".join(lines))
    if overview.waiting_count:
        lines.append(_("Wachten op iemand die ze oppakt: {count}, waarvan over tijd: {late}").format(
            count=_at_most(overview.waiting_count), late=_at_most(overview.late_count)))
        lines += [signal_line(s) for s in overview.waiting]
        lines += more(overview.waiting_count, len(overview.waiting))
    if overview.without_contact_count:
        lines.append("")
        lines.append(_("Opgepakt, maar nog geen contact vastgelegd:"))
        lines += [signal_line(s) + " · " + escape(s.claimer or "?") for s in overview.without_contact]
        lines += more(overview.without_contact_count, len(overview.without_contact))
    buttons = [button("🙋 " + s.reference, ClaimButton(signal_id=s.id)) for s in overview.waiting]
    return payload("\n".join(lines), grid(buttons, 3) if buttons else None)


def replaced_overview_payload() -> dict[str, Any]:
    return payload(_("Dit overzicht is verouderd; het nieuwste staat verderop. Typ /open voor een nieuw overzicht."))


def moved_payload(point: str) -> dict[str, Any]:
    return payload(_("{point} is nu aan een andere groep gekoppeld. Nieuwe signalen en de open signalen staan "
                     "daar; de knoppen in deze groep werken niet meer.").format(point=escape(point)))


def linked_payload(point: str, areas: str) -> dict[str, Any]:
    return payload(_(
        "Gekoppeld: dit is nu de groep van {point} (postcodes {areas}). Nieuwe signalen "
        "verschijnen hier, elk als één bericht met de knop „Ik pak dit op”. Alleen wie een signaal "
        "oppakt, krijgt het adres, in een privégesprek met mij.").format(point=escape(point), areas=areas))
