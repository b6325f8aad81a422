"""The signaller's report, step by step, and what they hear once it is sent."""

from __future__ import annotations

from html import escape
from typing import Any

from aiogram.types import InlineKeyboardButton
from aiogram.utils.i18n import gettext as _

from omzien.flows.report import ReportDraft, Step
from omzien.flows.signal import NOTE_LIMIT, SIGNS
from omzien.views import texts
from omzien.views.buttons import DraftAction, DraftButton
from omzien.views.common import button, grid, observations, payload


def _draft(step: Step, action: DraftAction, value: str = "") -> DraftButton:
    return DraftButton(step=step, action=action, value=value)


def _navigation(step: Step, back: bool = True) -> list[InlineKeyboardButton]:
    row = [button(str(texts.BACK), _draft(step, DraftAction.BACK))] if back else []
    row.append(button(str(texts.STOP), _draft(step, DraftAction.STOP)))
    return row


def _danger(step: Step) -> list[InlineKeyboardButton]:
    return [button("🚨 " + str(texts.DANGER), _draft(step, DraftAction.DANGER))]


def step_payload(step: Step, draft: ReportDraft) -> dict[str, Any]:
    """The message for one step of the report, with its buttons."""
    choose = DraftAction.CHOOSE
    if step is Step.ADDRESS:
        text = _("Om wie maakt u zich zorgen? Typ de postcode en het huisnummer, "
                 "bijvoorbeeld {example}. Een naam is niet nodig.").format(example=texts.EXAMPLE_ADDRESS)
        if draft.address:
            text += "\n" + _("Nu ingevuld: {address}").format(address=escape(str(draft.address)))
        markup = grid([], 1, _danger(step), _navigation(step, back=False))
    elif step is Step.OBSERVATIONS:
        text = _("Wat viel u op bij {address}? Tik alles aan wat klopt, en dan op Verder.").format(
            address=escape(str(draft.address)))
        signs = [button(("✅ " if sign in draft.observations else "") + str(texts.OBSERVATIONS[sign]),
                        _draft(step, DraftAction.TOGGLE, sign)) for sign in SIGNS]
        markup = grid(signs, 2, [button(str(texts.NEXT), _draft(step, DraftAction.NEXT))],
                      _danger(step), _navigation(step))
    elif step is Step.CONSENT:
        text = _("Weet deze persoon dat u dit meldt, en vindt hij of zij het goed als iemand contact opneemt?")
        markup = grid([], 1, [button(str(label), _draft(step, choose, consent))
                              for consent, label in texts.CONSENT_ANSWERS.items()], _navigation(step))
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


def summary_text(draft: ReportDraft) -> str:
    lines = [
        _("<b>Klopt dit?</b>"),
        _("Adres: {address}").format(address=escape(str(draft.address))),
        _("Gezien: {observations}").format(observations=observations(draft.observations)),
        _("Weet de bewoner ervan: {answer}").format(answer=texts.CONSENT_ANSWERS[draft.consent]),
        _("Toelichting: {note}").format(note=escape(draft.note) if draft.note else _("geen")),
        _("Contact met u: {answer}").format(answer=texts.YES if draft.may_contact else texts.NO),
    ]
    return "\n".join(lines)


def sent_payload(reference: str, area: int, point: str | None, may_contact: bool,
                 on_hold: bool = False) -> dict[str, Any]:
    """The confirmation: the reference, who has it, and what happens next; for an area no point covers, who
    to call instead; for a report on hold, that a coordinator looks first (said calmly: it may be real)."""
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
