"""Coordinators and the regional fallback contact, privately; and the group's morning summary."""

from __future__ import annotations

from html import escape
from typing import Any

from omzien.core.i18n import gettext as _
from omzien.core.i18n import ngettext
from omzien.views.buttons import AllowClaims, ReportsHeld
from omzien.views.common import button, payload, rows
from omzien.views.facts import SignalFacts, SignalLine
from omzien.views.group import listed


def coordinator_payload(point: str, signals: list[SignalLine]) -> dict[str, Any]:
    lines = [_("<b>{point}</b>: deze signalen zijn niet op tijd opgepakt.").format(point=escape(point)),
             *listed(signals), _("Ze staan in het overzicht in de groep. Kun je zorgen dat iemand ze oppakt?")]
    return payload("\n".join(lines))


def fallback_payload(point: str, signals: list[SignalLine]) -> dict[str, Any]:
    lines = [_("<b>{point}</b>: deze signalen wachten al drie keer zo lang als afgesproken op iemand die ze "
               "oppakt.").format(point=escape(point)), *listed(signals),
             _("U bent het regionale vangnet van dit signaalpunt. Wilt u contact opnemen met het signaalpunt?")]
    return payload("\n".join(lines))


def urgent_payload(point: str, signal: SignalFacts) -> dict[str, Any]:
    """A report with words that point to a crisis: the coordinators hear at once (never the words)."""
    return payload("\n".join([
        _("🔴 <b>{point}: dringend signaal {reference}</b> · postcode {area}").format(
            point=escape(point), reference=signal.reference, area=signal.area),
        _("Wat de melder schreef, wijst op gevaar of gedachten aan zelfdoding. Zorg dat iemand het vandaag "
          "oppakt."),
        _("Het staat in de groep met de knop „Ik pak dit op”."),
    ]))


def handed_back_payload(point: str, signals: list[SignalFacts]) -> dict[str, Any]:
    """A worker left the group: what they held is open again; one message for all of it."""
    listed_signals = ", ".join(_("{reference} (postcode {area})").format(reference=signal.reference, area=signal.area)
                               for signal in signals)
    return payload(ngettext("<b>{point}</b>: wie signaal {signals} had, zit niet meer in de groep. Het signaal staat "
                            "weer open; het adres is ingetrokken.",
                            "<b>{point}</b>: wie de signalen {signals} had, zit niet meer in de groep. De signalen "
                            "staan weer open; de adressen zijn ingetrokken.", len(signals)).format(
        point=escape(point), signals=listed_signals))


def claims_held_payload(point: str, worker: str, worker_id: int, limit: int, minutes: int) -> dict[str, Any]:
    return payload("\n".join([
        _("<b>{point}</b>: {worker} pakte {limit} signalen op binnen {minutes} minuten en wil er nog meer.").format(
            point=escape(point), worker=escape(worker), limit=limit, minutes=minutes),
        _("Dat is ongewoon. Nieuwe signalen oppakken kan {worker} pas weer als u het toestaat.").format(
            worker=escape(worker)),
    ]), rows([button(_("Toestaan"), AllowClaims(worker_id=worker_id))]))


def reports_held_payload(point: str, point_id: int, reporter: str, reporter_id: int, limit: int) -> dict[str, Any]:
    return payload("\n".join([
        _("<b>{point}</b>: {reporter} meldde meer dan {limit} signalen binnen een uur.").format(
            point=escape(point), reporter=escape(reporter), limit=limit),
        _("Dat is ongewoon. Wat {reporter} nu nog meldt, wacht op u: de groep ziet het nog niet.").format(
            reporter=escape(reporter)),
        _("Doorlaten: de signalen komen in de groep. Apart zetten: ze worden afgesloten zonder dat iemand ze "
          "oppakt."),
    ]), rows([button(_("Doorlaten"), ReportsHeld(reporter_id=reporter_id, point_id=point_id, let_through=True)),
              button(_("Apart zetten"), ReportsHeld(reporter_id=reporter_id, point_id=point_id, let_through=False))]))


def on_hold_decided_text(count: int, let_through: bool) -> str:
    if let_through:
        return ngettext("Doorgelaten: {count} signaal staat nu in de groep. Nieuwe meldingen van deze melder gaan "
                        "weer gewoon door.", "Doorgelaten: {count} signalen staan nu in de groep. Nieuwe meldingen "
                        "van deze melder gaan weer gewoon door.", count).format(count=count)
    return ngettext("Apart gezet: {count} signaal is afgesloten. Nieuwe meldingen van deze melder wachten weer op u.",
                    "Apart gezet: {count} signalen zijn afgesloten. Nieuwe meldingen van deze melder wachten weer "
                    "op u.", count).format(count=count)


def summary_payload(point: str, new: int, open_count: int, late: int) -> dict[str, Any]:
    return payload("\n".join([
        _("<b>Goedemorgen, {point}</b>").format(point=escape(point)),
        _("Nieuw sinds het vorige overzicht: {new} · open: {open} · over tijd: {late}").format(
            new=new, open=open_count, late=late),
        _("Typ /open voor het overzicht met knoppen."),
    ]))
