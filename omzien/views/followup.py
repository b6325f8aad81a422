"""After the claim: the question to the reporter and its answer, the questions that come back weeks later, the
offers a resident was referred to, and a card that moved to another point."""

from __future__ import annotations

from datetime import datetime
from html import escape
from typing import Any

from babel.dates import format_date

from omzien.core.i18n import gettext as _
from omzien.flows.offers import Offer
from omzien.views import texts
from omzien.views.buttons import AnswerReporter, FollowUpCheck, HelpCheck
from omzien.views.common import button, grid, locale, payload, rows
from omzien.views.facts import SignalFacts
from omzien.views.offers import contact_lines, cost_text


def question_payload(point: str, signal_id: int, reference: str, question: str) -> dict[str, Any]:
    """To a reporter who agreed to be contacted: the question, never who asks it."""
    return payload("\n".join([
        _("Een medewerker van {point} heeft een vraag over uw melding {reference}:").format(
            point=escape(point), reference=reference),
        f"“{escape(question)}”",
        _("Wilt u antwoorden? Tik dan op de knop. Uw naam en nummer ziet de medewerker niet."),
    ]), rows([button(_("Antwoorden"), AnswerReporter(signal_id=signal_id))]))


def answer_payload(reference: str, answer: str) -> dict[str, Any]:
    """To the claimer: the reporter's answer, without the reporter's name."""
    return {**payload(_("Antwoord van de melder over signaal {reference}:\n“{answer}”").format(
        reference=reference, answer=escape(answer))), "protect_content": True}


def follow_up_check_payload(signal: SignalFacts) -> dict[str, Any]:
    buttons = [button(str(label), FollowUpCheck(signal_id=signal.id, answer=answer))
               for answer, label in texts.FOLLOW_UP_ANSWERS.items()]
    return payload(_("Hoe gaat het nu met {reference} (postcode {area})? Je rondde dit signaal een paar weken geleden "
                     "af.").format(reference=signal.reference, area=signal.area), grid(buttons, 2))


def help_check_payload(signal_id: int, asked_at: datetime) -> dict[str, Any]:
    buttons = [button(str(label), HelpCheck(signal_id=signal_id, answer=answer))
               for answer, label in texts.HELP_ANSWERS.items()]
    return payload("\n".join([
        _("Op {date} vroeg u of iemand uit uw buurt u wilde bellen.").format(
            date=format_date(asked_at, "d MMMM yyyy", locale=locale())),
        _("Heeft dat u geholpen?"),
    ]), grid(buttons, 3))


def referred_payload(offers: list[Offer]) -> dict[str, Any]:
    """To a resident who asked to be called: what the worker found for them, in plain words."""
    language = locale()
    blocks = ["\n".join(line for line in [f"<b>{escape(offer.name(language))}</b>", escape(offer.kern(language)),
                                          cost_text(offer), *contact_lines(offer)] if line) for offer in offers]
    return payload("\n\n".join([_("De medewerker die u sprak, zocht dit voor u uit:"), *blocks,
                                _("U kunt zelf contact opnemen. Lukt dat niet? Typ /aanbod of vraag opnieuw of "
                                  "iemand u belt.")]))


def moved_card_payload(signal: SignalFacts, point: str) -> dict[str, Any]:
    """The old group's card of a signal that a coordinator moved to another point."""
    return payload(_("<b>Signaal {reference}</b> · postcode {area}\nVerplaatst naar {point}: dat signaalpunt pakt "
                     "het op.").format(reference=signal.reference, area=signal.area, point=escape(point)))
