"""The warm handover: in the case chat, the worker finds offers for the person (the same matching residents get,
with the signal's area preset) and picks one or more; the signal is then closed as referred to them."""

from __future__ import annotations

from html import escape
from typing import Any

from omzien.core.i18n import gettext as _
from omzien.flows.matching import Match
from omzien.flows.offers import Offer
from omzien.views.buttons import CaseAction, CaseMore, Refer, ReferAction
from omzien.views.common import button, grid, locale, payload
from omzien.views.facts import SignalFacts
from omzien.views.offers import NEEDS, why

SHOWN = 5


def referral_payload(signal: SignalFacts, needs: set[str], matches: list[Match], picked: list[Offer]
                     ) -> dict[str, Any]:
    language = locale()
    picked_ids = {offer.id for offer in picked}
    lines = [_("<b>Doorverwijzen: {reference}</b> · postcode {area}").format(reference=signal.reference,
                                                                              area=signal.area),
             _("Kies wat de persoon zoekt, of typ het (bijvoorbeeld „wandelen” of „maatje”). Ik zoek lokaal en "
               "landelijk aanbod.")]
    for number, match in enumerate(matches, 1):
        lines.append(f"{number}. <b>{escape(match.offer.name(language))}</b> — {why(match)}")
    if (needs or matches) and not matches:
        lines.append(_("Ik vond niets dat past. Kies iets anders of typ andere woorden."))
    if picked:
        lines.append(_("Gekozen: {offers}").format(offers=", ".join(escape(o.name(language)) for o in picked)))
    chips = [button(("✓ " if need in needs else "") + str(label), Refer(signal_id=signal.id, action=ReferAction.NEED,
                                                                      value=need))
             for need, label in NEEDS.items()]
    picks = [[button(f"{'✅' if match.offer.id in picked_ids else '☐'} {number}. {_short(match.offer.name(language))}",
                     Refer(signal_id=signal.id, action=ReferAction.PICK, value=str(number - 1)))]
             for number, match in enumerate(matches, 1)]
    done = [[button(_("Afronden met deze keuze ({count})").format(count=len(picked)),
                    Refer(signal_id=signal.id, action=ReferAction.DONE))]] if picked else []
    back = [button(_("« Terug naar het signaal"), CaseMore(signal_id=signal.id, action=CaseAction.BACK))]
    return payload("\n".join(lines), grid(chips, 2, *picks, *done, back))


def _short(name: str, limit: int = 30) -> str:
    return name if len(name) <= limit else name[:limit - 1].rstrip() + "…"
