"""What a resident sees when looking for offers: the questions, the answers, and why each offer fits.

Offers are shown with their name, their *kern* (one or two plain sentences), one line why it fits
(from the same scoring that ranked it), what it costs, and how to get in touch — only contact
details the catalogue holds; nothing is made up.
"""

from __future__ import annotations

from html import escape
from typing import Any

from babel.dates import format_date

from omzien.core.i18n import gettext as _
from omzien.core.i18n import lazy_gettext as __
from omzien.flows.find import AGE_BANDS, FindStep
from omzien.flows.matching import GoingOut, Match, Reason, Why
from omzien.flows.offers import Cost, Duration, Form, Group, Need, Offer, Setting, Start
from omzien.views.buttons import FindAction, FindButton
from omzien.views.common import Button, button, grid, payload, rows
from omzien.views.common import locale as current_locale

NEEDS = {
    Need.TALK: __("Iemand om mee te praten"),
    Need.MEET: __("Mensen ontmoeten"),
    Need.VISIT: __("Iemand die langskomt"),
    Need.MEANINGFUL: __("Iets zinvols doen"),
    Need.LEARN: __("Iets leren"),
    Need.PRACTICAL: __("Praktische hulp"),
    Need.CARER: __("Steun als mantelzorger"),
}

AGE_LABELS = {  # the keys of flows.find.AGE_BANDS
    "u18": __("Jonger dan 18"),
    "18": __("18 tot 50"),
    "50": __("50 tot 65"),
    "65": __("65 tot 75"),
    "75": __("75 of ouder"),
}

GOING_OUT = {
    GoingOut.OUTSIDE: __("Buiten de deur"),
    GoingOut.HOME: __("Bij mij thuis"),
    GoingOut.REMOTE: __("Via telefoon of internet"),
}

GROUPS = {
    Group.OLDER: __("voor ouderen"),
    Group.CARERS: __("voor mantelzorgers"),
    Group.DISABILITY: __("voor mensen met een beperking"),
    Group.MIGRANTS: __("voor nieuwkomers"),
    Group.LGBTI: __("voor lhbti+"),
    Group.BEREAVED: __("bij verlies en rouw"),
    Group.YOUNG: __("voor jongeren"),
    Group.PARENTS: __("voor ouders"),
    Group.EVERYONE: __("voor iedereen"),
}

STARTS = {
    Start.CALL: __("Bellen"),
    Start.SIGN_UP: __("Aanmelden"),
    Start.REFERRAL: __("Via de huisarts of het wijkteam"),
    Start.WALK_IN: __("Gewoon binnenlopen"),
    Start.ONLINE: __("Via internet"),
}

FORMS = {
    Form.GROUP: __("in een groep"),
    Form.ONE_TO_ONE: __("een-op-een"),
    Form.PHONE: __("per telefoon"),
    Form.ONLINE: __("online"),
}

SETTINGS = {
    Setting.HOME: __("bij u thuis"),
    Setting.OUTSIDE: __("buitenshuis"),
    Setting.BOTH: __("thuis of buitenshuis"),
}

DURATIONS = {
    Duration.ONCE: __("eenmalig of een korte reeks"),
    Duration.ONGOING: __("doorlopend"),
}

SHOWN = 3


def _button(text: str, step: FindStep, action: FindAction, value: str = "") -> Button:
    return button(text, FindButton(step=step, action=action, value=value))


def _stop(step: FindStep, back: bool = True) -> list[Button]:
    row = [_button(_("« Terug"), step, FindAction.BACK)] if back else []
    return [*row, _button(_("Stoppen"), step, FindAction.STOP)]


def needs_payload(needs: set[str], for_other: bool, free_only: bool) -> dict[str, Any]:
    text = _("Wat zou helpen? Tik aan wat past (meer mag) en dan op Verder.") + "\n" + _(
        "U mag ook in uw eigen woorden typen wat er is, bijvoorbeeld: „ik ben sinds kort weduwe en zit veel "
        "alleen”.")
    chips = [_button(("✅ " if need in needs else "") + str(label), FindStep.NEEDS, FindAction.TOGGLE, need)
             for need, label in NEEDS.items()]
    toggles = [_button(("✅ " if for_other else "") + _("Voor iemand anders"), FindStep.NEEDS, FindAction.OTHER),
               _button(("✅ " if free_only else "") + _("Alleen gratis"), FindStep.NEEDS, FindAction.FREE)]
    return payload(text, grid(chips, 2, toggles, [_button(_("Verder »"), FindStep.NEEDS, FindAction.NEXT)],
                              _stop(FindStep.NEEDS, back=False)))


def age_payload(for_other: bool) -> dict[str, Any]:
    text = _("Hoe oud is de persoon voor wie u zoekt?") if for_other else _("Hoe oud bent u?")
    buttons = [_button(str(AGE_LABELS[key]), FindStep.AGE, FindAction.CHOOSE, key) for key in AGE_BANDS]
    return payload(text, grid(buttons, 2, [_button(_("Zeg ik liever niet"), FindStep.AGE, FindAction.SKIP)],
                              _stop(FindStep.AGE)))


def going_out_payload(for_other: bool) -> dict[str, Any]:
    text = (_("Waar wil de persoon het liefst iets doen of iemand spreken?") if for_other else
            _("Waar wilt u het liefst iets doen of iemand spreken?"))
    choices = [_button(str(label), FindStep.GOING_OUT, FindAction.CHOOSE, value) for value, label in GOING_OUT.items()]
    return payload(text, grid(choices, 1, _stop(FindStep.GOING_OUT)))


def postcode_payload() -> dict[str, Any]:
    text = _("Wat is de postcode? Dan zoek ik ook wat er in de buurt is. De 4 cijfers zijn genoeg, "
             "bijvoorbeeld 3044.")
    return payload(text, rows([_button(_("Overslaan: alleen landelijk aanbod"), FindStep.POSTCODE, FindAction.SKIP)],
                              _stop(FindStep.POSTCODE)))


def reason_text(reason: Reason) -> str:
    """One part of the line why an offer fits, from a scoring term or a filter that was asked for."""
    if reason.code is Why.WORDS:
        return _("past bij wat u schreef ({words})").format(
            words=", ".join(f"„{escape(w)}”" for w in reason.value.split(", ")[:3]))
    if reason.code is Why.NEED:
        return _("u zocht {need}").format(need=str(NEEDS[Need(reason.value)]).lower())
    if reason.code is Why.GROUP:
        return str(GROUPS[Group(reason.value)])
    if reason.code is Why.NEARBY:
        return _("dichtbij ({area})").format(area=reason.value)
    if reason.code is Why.EVIDENCE:
        return _("een aanpak die is onderzocht")
    if reason.code is Why.FREE:
        return _("gratis")
    return _("via telefoon of internet")


def why(match: Match) -> str:
    """The two largest scoring terms and the filters that were asked for: the same terms that ranked it."""
    scoring = [r for r in match.reasons if r.weight > 0][:2]
    asked = [r for r in match.reasons if r.code in (Why.FREE, Why.REMOTE)]
    line = ", ".join(reason_text(r) for r in (*scoring, *asked))
    return line[:1].upper() + line[1:]


def cost_text(offer: Offer) -> str:
    extra = offer.cost_text(current_locale())
    if offer.cost is Cost.FREE:
        return _("Gratis")
    if offer.cost is None:
        return _("Kosten: niet bekend")
    return _("Kosten: {cost}").format(cost=escape(extra)) if extra else _("Er zijn kosten")


def contact_lines(offer: Offer) -> list[str]:
    locale = current_locale()
    lines = []
    if offer.phone:
        lines.append(_("Telefoon: {phone}").format(phone=escape(offer.phone)))
    if offer.url:
        lines.append(_("Website: {url}").format(url=escape(offer.url)))
    if offer.email:
        lines.append(_("E-mail: {email}").format(email=escape(offer.email)))
    if offer.opening_hours(locale):
        lines.append(_("Wanneer: {hours}").format(hours=escape(offer.opening_hours(locale))))
    if offer.contact_note(locale):
        lines.append(escape(offer.contact_note(locale)))
    if offer.how_to_start is not None:
        lines.append(_("Zo begint u: {start}").format(start=STARTS[offer.how_to_start]))
    return lines


def offer_block(number: int, match: Match) -> str:
    offer, locale = match.offer, current_locale()
    lines = [f"<b>{number}. {escape(offer.name(locale))}</b>", escape(offer.kern(locale)),
             _("Waarom: {why}").format(why=why(match)), cost_text(offer), *contact_lines(offer)]
    return "\n".join(line for line in lines if line)


def results_payload(matches: list[Match], first: int, total: int) -> dict[str, Any]:
    if first == 1:
        head = _("Dit past het best bij wat u zocht:")
    else:
        head = _("Meer aanbod ({first} tot {last} van {total}):").format(
            first=first, last=first + len(matches) - 1, total=total)
    blocks = [offer_block(first + n, match) for n, match in enumerate(matches)]
    details = [[_button(_("Meer over {name}").format(name=_short(match.offer.name(current_locale()))), FindStep.RESULTS,
                        FindAction.OPEN, match.offer.id)] for match in matches]
    more = [[_button(_("Meer resultaten »"), FindStep.RESULTS, FindAction.MORE)]] \
        if first - 1 + len(matches) < total else []
    return payload("\n\n".join([head, *blocks]), rows(*details, *more, *_call_or_again()))


def _short(name: str, limit: int = 32) -> str:
    """A name that fits on a button of a phone."""
    return name if len(name) <= limit else name[:limit - 1].rstrip() + "…"


def _call_or_again() -> list[list[Button]]:
    return [[_button("📞 " + _("Bel mij terug"), FindStep.RESULTS, FindAction.CALL)],
            [_button("🔄 " + _("Opnieuw zoeken"), FindStep.RESULTS, FindAction.AGAIN)]]


def nothing_payload(listening_line: Offer | None) -> dict[str, Any]:
    lines = [_("Ik vond niets dat precies past bij wat u zocht. Dat spijt me."), ""]
    if listening_line is not None:
        locale = current_locale()
        lines += [_("Wilt u nu even met iemand praten? Dat kan bij {name}.").format(
            name=f"<b>{escape(listening_line.name(locale))}</b>"), escape(listening_line.kern(locale)),
            *contact_lines(listening_line), ""]
    lines.append(_("U kunt ook vragen of iemand uit uw buurt u belt."))
    return payload("\n".join(lines), rows(*_call_or_again()))


def detail_payload(offer: Offer) -> dict[str, Any]:
    locale = current_locale()
    lines = [f"<b>{escape(offer.name(locale))}</b>"]
    if offer.organisation and offer.organisation != offer.name.nl:
        lines.append(_("Van: {organisation}").format(organisation=escape(offer.organisation)))
    lines += ["", escape(offer.description(locale) or offer.kern(locale)), ""]
    features = [str(FORMS[f]) for f in offer.forms] + [str(SETTINGS[offer.setting])] * bool(offer.setting) + [
        str(DURATIONS[offer.duration])] * bool(offer.duration)
    if features:
        lines.append(_("Zo gaat het: {features}").format(features=", ".join(features)))
    meant_for = [str(GROUPS[g]) for g in offer.groups if g is not Group.EVERYONE]
    if offer.min_age is not None and offer.max_age is not None:
        meant_for.append(_("van {low} tot en met {high} jaar").format(low=offer.min_age, high=offer.max_age))
    elif offer.min_age is not None:
        meant_for.append(_("vanaf {age} jaar").format(age=offer.min_age))
    elif offer.max_age is not None:
        meant_for.append(_("tot en met {age} jaar").format(age=offer.max_age))
    if meant_for:
        lines.append(_("Voor wie: {groups}").format(groups=", ".join(meant_for)))
    lines.append(cost_text(offer))
    if offer.referral_needed:
        lines.append(_("U heeft een verwijzing nodig, bijvoorbeeld van de huisarts of het wijkteam."))
    lines += contact_lines(offer)
    if offer.evidence:
        lines.append(_("Onderbouwing: {evidence}").format(evidence=escape(offer.evidence)))
    if offer.verified:
        lines.append(_("Gegevens gecontroleerd op {date}").format(
            date=format_date(offer.verified, "d MMMM yyyy", locale=locale)))
    back = [_button(_("« Terug naar de lijst"), FindStep.RESULTS, FindAction.LIST)]
    call = [_button("📞 " + _("Bel mij terug"), FindStep.RESULTS, FindAction.CALL)]
    return payload("\n".join(lines), rows(back, call))


def call_consent_payload(for_other: bool) -> dict[str, Any]:
    text = _("Wilt u dat iemand uit uw buurt u belt? Dan geef ik het telefoonnummer en het adres door aan de "
             "medewerkers in uw buurt. Alleen de medewerker die belt, ziet ze.")
    if for_other:
        text += "\n" + _("Vraag de persoon voor wie u zoekt eerst of dat goed is.")
    return payload(text, rows([_button(_("Ja, bel mij"), FindStep.CALL, FindAction.CHOOSE, "yes")],
                              [_button(_("Nee, liever niet"), FindStep.CALL, FindAction.CHOOSE, "no")]))


def call_back_note(phone: str, needs: list[Need], for_someone_else: bool) -> str:
    """The note of a call-back signal, for the worker who claims it (in the group's language)."""
    note = _("Belverzoek via „Wat is er voor mij?”: bel {phone}.").format(phone=phone)
    if for_someone_else:
        note += " " + _("Gevraagd door iemand anders dan de bewoner.")
    if needs:
        note += " " + _("Zocht naar: {needs}.").format(needs=", ".join(str(NEEDS[need]).lower() for need in needs))
    return note
