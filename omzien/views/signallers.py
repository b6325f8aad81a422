"""For the signallers themselves: five short tips on noticing loneliness and starting a conversation."""

from __future__ import annotations

from typing import Any

from omzien.core.i18n import gettext as _
from omzien.core.i18n import lazy_gettext as __
from omzien.views.buttons import MonthlyThanks, TipButton
from omzien.views.common import button, payload, rows

TIPS = (
    (__("Let op kleine dingen"),
     __("Eenzaamheid ziet u niet altijd meteen. Let op kleine dingen. Staat de brievenbus vol? Zijn de gordijnen "
        "overdag dicht? Komt iemand niet meer buiten? Ziet de tuin er anders uit dan vroeger?")),
    (__("Let op wat er veranderd is"),
     __("Na een groot verlies voelen mensen zich vaak alleen. Denk aan een partner die overleed of een verhuizing. "
        "Ook slechter horen of zien, of zorgen voor een zieke partner, kan mensen eenzaam maken.")),
    (__("Maak een praatje"),
     __("Een gesprek begint klein. Groet de persoon en vraag hoe het gaat. Wacht dan echt op het antwoord. "
        "Zo merkt iemand dat u het meent.")),
    (__("Luister vooral"),
     __("U hoeft niets op te lossen. Luister en oordeel niet. Vraag gerust: „Ziet u nog weleens iemand?” "
        "Over eenzaamheid praten is moeilijk. Een stilte is niet erg.")),
    (__("Geef het door"),
     __("Maakt u zich zorgen? Geef het dan door met Omzien. Zeg het de bewoner als dat kan. Een medewerker "
        "van het signaalpunt kijkt wat past. Bij acuut gevaar belt u 112.")),
)
"""Written for Omzien from the signal cards and the longread's advice (in its own words)."""


def tip_payload(index: int) -> dict[str, Any]:
    """Card ``index`` of the tips, with the button to the next one (the last one says it is done)."""
    title, text = TIPS[index]
    header = _("Tip {number} van {total}: <b>{title}</b>").format(number=index + 1, total=len(TIPS), title=title)
    last = index + 1 == len(TIPS)
    label = _("Klaar") if last else _("Volgende tip »")
    return payload(header + "\n\n" + str(text), rows([button(label, TipButton(index=index + 1))]))


def tips_done_payload() -> dict[str, Any]:
    return payload(_("Dank u wel voor het lezen. Wilt u de tips nog eens zien? Stuur /tips."))



def monthly_question_payload(now_on: bool) -> dict[str, Any]:
    """/maandbericht: one short message a month about the neighbourhood, asked (and stopped) here."""
    lines = [_("Wilt u één keer per maand een kort bericht? Daarin staat hoeveel signalen in uw buurt zijn "
               "opgepakt. Nooit wie of waar.")]
    if now_on:
        lines.append(_("U krijgt dit bericht nu al."))
    return payload("\n\n".join(lines), rows([button(_("Ja, graag"), MonthlyThanks(yes=True)),
                                             button(_("Nee, liever niet"), MonthlyThanks(yes=False))]))


def monthly_answer_payload(yes: bool) -> dict[str, Any]:
    if yes:
        return payload(_("Goed. U krijgt begin van de maand een kort bericht. Stoppen kan altijd met /maandbericht."))
    return payload(_("Goed. U krijgt geen maandbericht."))


def monthly_thanks_payload(month: str, picked_up: int) -> dict[str, Any]:
    """"In uw buurt zijn in november 12 signalen opgepakt." Only for 5 or more (``services.monthly_figures``)."""
    return payload(_("In uw buurt zijn in {month} {count} signalen opgepakt. Dank u wel.").format(
        month=month, count=picked_up) + "\n\n" + _("Wilt u dit bericht niet meer? Stuur /maandbericht."))
