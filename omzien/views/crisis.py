"""The answer to words that point to suicidal thoughts or a life in danger: calm, short, the numbers first.

It stands alone: nothing else is in it or sent after it unless the person asks. The numbers are those
of ``../shared/contacts.md``, written as Telegram makes them tappable.
"""

from __future__ import annotations

from typing import Any

from omzien.core.i18n import gettext as _
from omzien.flows.crisis import Concern
from omzien.views.buttons import SafetyAction, SafetyButton
from omzien.views.common import button, payload, rows


def crisis_payload(concern: Concern, searching: bool = False) -> dict[str, Any]:
    """To the person who typed it. ``searching``: they came for offers, so "Verder zoeken" is offered too."""
    if concern is Concern.DANGER:
        lines = [_("<b>Is iemands leven nu in gevaar? Bel dan meteen 112.</b>"),
                 _("Denkt iemand aan zelfdoding? Bel gratis 113 Zelfmoordpreventie: 0800-0113.")]
    else:
        lines = [_("<b>Denkt u aan zelfdoding? U hoeft dit niet alleen te dragen.</b>"),
                 _("Bel gratis 113 Zelfmoordpreventie: 0800-0113. Of chat op 113.nl. Dag en nacht."),
                 _("Is er nu direct gevaar? Bel 112.")]
    lines.append(_("Wilt u gewoon even met iemand praten? Bel De Luisterlijn: 088 0767 000, dag en nacht."))
    choices = [[button(_("Ik wil nu met iemand praten"), SafetyButton(action=SafetyAction.TALK))],
               [button("📞 " + _("Bel mij terug"), SafetyButton(action=SafetyAction.CALL))]]
    if searching:
        choices.append([button(_("Verder zoeken"), SafetyButton(action=SafetyAction.SEARCH))])
    return payload("\n\n".join(lines), rows(*choices))


def talk_payload() -> dict[str, Any]:
    """"Ik wil nu met iemand praten": the numbers again, each on its own line, to tap."""
    return payload("\n".join([
        _("<b>U kunt nu iemand bellen:</b>"),
        _("113 Zelfmoordpreventie, gratis: 0800-0113"),
        _("De Luisterlijn, dag en nacht: 088 0767 000"),
        _("Bij direct gevaar: 112"),
    ]))


def reporter_crisis_payload(concern: Concern) -> dict[str, Any]:
    """To a signaller whose note points to a crisis: what to do now; the report goes on, marked urgent."""
    first = (_("<b>Is iemands leven nu in gevaar? Bel dan meteen 112.</b>") if concern is Concern.DANGER else
             _("<b>Denkt de bewoner aan zelfdoding? Bel samen 113 Zelfmoordpreventie: 0800-0113 (gratis).</b>"))
    return payload("\n\n".join([
        first,
        _("Is er nu direct gevaar? Bel 112.") if concern is Concern.CRISIS else
        _("Denkt iemand aan zelfdoding? Bel gratis 113 Zelfmoordpreventie: 0800-0113."),
        _("Uw melding gaat als dringend naar het signaalpunt. Maak hem hieronder af."),
    ]))
