"""The signaller's report, step by step, and what they hear once it is sent."""

from __future__ import annotations

from html import escape
from typing import Any

from omzien.core.i18n import gettext as _
from omzien.core.i18n import lazy_gettext as __
from omzien.flows.report import ReportDraft, Step
from omzien.flows.signal import COMMON_SIGNS, MORE_SIGNS, NOTE_LIMIT
from omzien.views import texts
from omzien.views.buttons import DraftAction, DraftButton, TipButton
from omzien.views.common import Button, button, grid, observations, payload, rows


def _draft(step: Step, action: DraftAction, value: str = "") -> DraftButton:
    return DraftButton(step=step, action=action, value=value)


def _navigation(step: Step, back: bool = True) -> list[Button]:
    row = [button(str(texts.BACK), _draft(step, DraftAction.BACK))] if back else []
    row.append(button(str(texts.STOP), _draft(step, DraftAction.STOP)))
    return row


def _danger(step: Step) -> list[Button]:
    """Acute danger: always the last row, away from Verder, and nothing is lost by tapping it."""
    return [button("🚨 " + str(texts.DANGER), _draft(step, DraftAction.DANGER))]


def step_payload(step: Step, draft: ReportDraft, more: bool = False) -> dict[str, Any]:
    """The message for one step of the report, with its buttons (``more``: the other signs of the checklist)."""
    choose = DraftAction.CHOOSE
    if step is Step.ADDRESS:
        text = _("Om wie maakt u zich zorgen? Typ de postcode en het huisnummer, "
                 "bijvoorbeeld {example}. Een naam is niet nodig.").format(example=texts.EXAMPLE_ADDRESS)
        if draft.address:
            text += "\n" + _("Nu ingevuld: {address}").format(address=escape(str(draft.address)))
        markup = grid([], 1, _navigation(step, back=False), _danger(step))
    elif step is Step.OBSERVATIONS:
        text = _("Wat viel u op bij {address}? Tik alles aan wat klopt, en dan op Verder.").format(
            address=escape(str(draft.address)))
        if draft.observations:
            text += "\n" + _("Gekozen: {observations}").format(observations=observations(draft.observations))
        signs = [button(("✅ " if sign in draft.observations else "") + str(texts.OBSERVATIONS[sign]),
                        _draft(step, DraftAction.TOGGLE, sign)) for sign in (MORE_SIGNS if more else COMMON_SIGNS)]
        other_page = button(str(texts.FEWER_SIGNS if more else texts.MORE_SIGNS),
                            _draft(step, DraftAction.MORE, "" if more else "1"))
        markup = grid(signs, 2, [other_page], [button(str(texts.NEXT), _draft(step, DraftAction.NEXT))],
                      _navigation(step), _danger(step))
    elif step is Step.CONSENT:
        text = _("Weet de bewoner dat u dit doorgeeft?")
        markup = grid([], 1, [button(str(label), _draft(step, choose, knows))
                              for knows, label in texts.KNOWS_ANSWERS.items()], _navigation(step))
    elif step is Step.AGREES:
        text = _("Mag het signaalpunt contact met hem of haar opnemen?")
        markup = grid([], 1, [button(str(label), _draft(step, choose, answer))
                              for answer, label in texts.KNOWS_ANSWERS.items()], _navigation(step))
    elif step is Step.NOTE:
        text = _("Wilt u nog iets vertellen dat helpt? Typ dan een korte toelichting "
                 "(hoogstens {limit} tekens). Noem liever geen namen.").format(limit=NOTE_LIMIT)
        markup = grid([], 1, [button(str(texts.SKIP), _draft(step, DraftAction.SKIP))], _navigation(step))
    elif step is Step.CONTACT:
        text = _("Mag het signaalpunt contact met u opnemen over deze melding? "
                 "Dan hoort u ook wanneer uw melding is opgepakt en afgerond.")
        markup = grid([], 1, [button(str(texts.YES), _draft(step, choose, "yes")),
                              button(str(texts.NO), _draft(step, choose, "no"))], _navigation(step))
    else:
        text = summary_text(draft)
        markup = grid([], 1, [button("✉️ " + str(texts.SEND), _draft(step, DraftAction.SEND))], _navigation(step))
    return payload(text, markup)


def danger_payload(step: Step) -> dict[str, Any]:
    """Acute danger is not a loneliness signal: call 112 now. The report waits, as it was."""
    return payload(_("<b>Bel nu 112.</b> Is iemands leven, gezondheid of veiligheid in gevaar? "
                     "Bel dan meteen 112. Er is niets verstuurd.") + "\n\n" +
                   _("Was het geen acuut gevaar? Ga dan terug naar uw melding. Wat u invulde, staat er nog."),
                   grid([], 1, [button(str(texts.BACK_TO_REPORT), _draft(step, DraftAction.RESUME))]))


def street_payload(street: str, house: str) -> dict[str, Any]:
    """A street and number without a postcode: where to find it, and what was kept."""
    return payload(_("Dank u. Ik heb ook de postcode nodig, want straatnamen komen vaker voor.") + "\n" +
                   _("U vindt de postcode vaak op een pakje of een brief, op de deur of op de brievenbus.") + "\n\n" +
                   _("Ik onthoud huisnummer {house} van {street}. Typ nu alleen de postcode, bijvoorbeeld {example}."
                     ).format(house=escape(house), street=escape(street), example=texts.EXAMPLE_ADDRESS[:7]))


def veilig_thuis_line() -> str:
    return _("U zag tekenen van mishandeling of verwaarlozing. Bel daarover ook Veilig Thuis: 0800-2000. "
             "Dat is gratis, dag en nacht. U kunt daar ook anoniem advies vragen.")


def summary_text(draft: ReportDraft) -> str:
    lines = [
        _("<b>Klopt dit?</b>"),
        _("Adres: {address}").format(address=escape(str(draft.address))),
        _("Gezien: {observations}").format(observations=observations(draft.observations)),
        _("Bewoner: {answer}").format(answer=texts.CONSENT_STATUS[draft.consent]),
        _("Toelichting: {note}").format(note=escape(draft.note) if draft.note else _("geen")),
        _("Contact met u: {answer}").format(answer=texts.YES if draft.may_contact else texts.NO),
    ]
    if draft.needs_veilig_thuis:
        lines += ["", veilig_thuis_line()]
    return "\n".join(lines)


THANKS = {
    1: __("Dit was uw eerste melding. Fijn dat u let op de mensen om u heen."),
    5: __("U geeft vaker een zorg door. Dank u wel dat u blijft omkijken naar anderen."),
    25: __("U kijkt al lang om naar de mensen in uw buurt. Daar zijn we u heel dankbaar voor."),
}
"""A warm line after the reports of ``flows.signallers.THANKED_AFTER``: no count, no score, nothing about anyone."""


def sent_payload(reference: str, area: int, point: str | None, may_contact: bool,
                 on_hold: bool = False, veilig_thuis: bool = False, reports_made: int = 0) -> dict[str, Any]:
    """The confirmation: the reference, who has it, and what happens next; for an area no point covers, who
    to call instead; for a report on hold, that a coordinator looks first (said calmly: it may be real).
    Signs of abuse or neglect add Veilig Thuis; the 1st, 5th and 25th report a thank-you."""
    if on_hold and point is not None:
        lines = [
            _("<b>Uw melding is bewaard.</b> Kenmerk: <b>{reference}</b>").format(reference=reference),
            "",
            _("U meldde veel in korte tijd. Daarom kijkt een coördinator van {point} eerst mee. Dat is een gewone "
              "controle.").format(point=escape(point)),
            _("Maakt u zich ernstige zorgen? Bel het Meldpunt Zorgwekkend Gedrag: 0800-1205 (gratis). "
              "Bij acuut gevaar: bel 112."),
        ]
    elif point is not None:
        lines = [
            _("<b>Verstuurd.</b> Dank u wel dat u omkijkt naar een ander."),
            _("Kenmerk: <b>{reference}</b>").format(reference=reference),
            _("Ontvangen door: {point}").format(point=escape(point)),
            "",
            _("Wat gebeurt er nu? Een medewerker van het signaalpunt pakt uw melding op. Als het past, zoekt "
              "die contact met de bewoner. U hoeft zelf niets meer te doen."),
        ]
        if may_contact:
            lines.append(_("U krijgt een bericht als uw melding is opgepakt en als die is afgerond."))
    else:
        lines = [
            _("Uw melding is bewaard. Kenmerk: <b>{reference}</b>").format(reference=reference),
            "",
            _("Voor postcode {area} is er nog geen signaalpunt aangesloten bij Omzien. "
              "De beheerder ziet uw melding en zoekt wie hem kan oppakken.").format(area=area),
            _("Maakt u zich ernstige zorgen? Bel het Meldpunt Zorgwekkend Gedrag: 0800-1205 (gratis). "
              "Bij acuut gevaar: bel 112."),
        ]
    if veilig_thuis:
        lines += ["", veilig_thuis_line()]
    if not on_hold and reports_made in THANKS:
        lines += ["", "💛 " + str(THANKS[reports_made])]
    if reports_made == 1:  # once: the tips, offered, not pushed
        lines += ["", _("Wilt u vijf korte tips? Hoe merkt u eenzaamheid op, en hoe begint u een praatje?"),
                  "", _("Wilt u elke maand horen hoeveel signalen in uw buurt zijn opgepakt? Stuur /maandbericht.")]
        return payload("\n".join(lines), rows([button(_("Tips lezen"), TipButton(index=0, fresh=True))]))
    return payload("\n".join(lines))


def reporter_news_payload(reference: str, point: str, closed: bool, call_back: bool = False) -> dict[str, Any]:
    """"Opgepakt" or "afgerond", for a reporter who asked to hear back: nothing about the person. A resident who
    asked to be called back hears it in their own words."""
    if call_back:
        return payload(_("Een medewerker uit uw buurt heeft uw vraag gelezen. Bedankt voor het gesprek.") if closed
                       else _("Een medewerker uit uw buurt heeft uw vraag gelezen en belt u (kenmerk {reference}).")
                       .format(reference=reference))
    if closed:
        text = _("Uw melding {reference} is afgerond. Dank u wel dat u omkeek naar een ander.")
    else:
        text = _("Uw melding {reference} is opgepakt door een medewerker van {point}.")
    return payload(text.format(reference=reference, point=escape(point)))
