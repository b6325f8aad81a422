"""The figures in words: names of columns and rows, and the coordinator's monthly summary in Telegram."""

from __future__ import annotations

from html import escape
from typing import Any

from omzien.core.i18n import gettext as _
from omzien.core.i18n import lazy_gettext as __
from omzien.flows.figures import Count, Figures
from omzien.flows.offers import Kind, Need
from omzien.flows.signal import EventKind, FollowUpAnswer, Forward, HelpAnswer, Observation, Outcome, Role, Status
from omzien.views import texts
from omzien.views.common import payload

COLUMNS = {
    "month": __("maand"), "week": __("week"), "area": __("postcodegebied"), "role": __("melder"),
    "sign": __("wat opviel"), "outcome": __("uitkomst"), "urgent": __("dringend"), "event": __("gebeurtenis"),
    "offer": __("aanbod"), "kind": __("soort steun"), "referrals": __("verwijzingen"),
    "referred": __("doorverwezen"), "forward": __("doorgezet naar"), "check": __("hoe gaat het nu"),
    "resident": __("heeft het geholpen"), "partner": __("partner"), "signallers": __("melders"),
    "answers": __("antwoorden"), "reopened": __("weer geopend"),
    "signals": __("signalen"), "routed": __("naar signaalpunt"), "unrouted": __("zonder signaalpunt"),
    "claimed": __("opgepakt"), "contacted": __("contact"), "closed": __("afgerond"),
    "repeats": __("extra meldingen"), "callbacks": __("terugbelverzoeken"), "reports": __("meldingen"),
    "events": __("aantal"), "need": __("behoefte"), "age": __("leeftijd"), "searches": __("zoekvragen"),
    "nothing_local": __("niets in de buurt"),
}

STANDING = {
    Status.CLAIMED: __("in behandeling"), Status.NEW: __("wacht op oppakken"),
    Status.UNROUTED: __("zonder signaalpunt"), "unknown": __("onbekend"),
    "urgent": __("dringend"), "normal": __("niet dringend"), "total": __("totaal"),
}

NEEDS = {
    Need.TALK: __("iemand om mee te praten"), Need.MEET: __("mensen ontmoeten"), Need.VISIT: __("bezoek thuis"),
    Need.MEANINGFUL: __("iets zinvols doen"), Need.LEARN: __("iets leren"), Need.PRACTICAL: __("praktische hulp"),
    Need.CARER: __("steun als mantelzorger"),
}

AGES = {"u18": "<18", "18": "18–49", "50": "50–64", "65": "65–74", "75": "75+"}

KINDS = {
    EventKind.REPORTED: __("gemeld"), EventKind.REPORTED_AGAIN: __("nog eens gemeld"),
    EventKind.ROUTED: __("naar signaalpunt"), EventKind.CLAIMED: __("opgepakt"), EventKind.RELEASED: __("teruggegeven"),
    EventKind.CONTACTED: __("contact"), EventKind.PAUSED: __("gepauzeerd"), EventKind.CLOSED: __("afgerond"),
    EventKind.ALERT: __("herinnering of escalatie"), EventKind.MADE_URGENT: __("dringend"),
    EventKind.ERASED: __("gewist op verzoek"), EventKind.REOPENED: __("weer geopend"),
    EventKind.REFERRED: __("doorverwezen"), EventKind.FOLLOWED_UP: __("antwoord op de nazorgvraag"),
}


SUPPORT_KINDS = {
    Kind.PRACTICAL: __("praktische steun"), Kind.SKILLS: __("sociale vaardigheden"), Kind.MEETING: __("ontmoeten"),
    Kind.CONTACT: __("persoonlijk contact"), Kind.ROLE: __("een rol of taak"), Kind.ACTIVITIES: __("bezigheden"),
    Kind.EXPECTATIONS: __("anders leren denken"), Kind.TALK_NOW: __("nu iemand om mee te praten"),
}


def column_name(column: str) -> str:
    return str(COLUMNS.get(column, column))


def row_name(by: str, row: str, names: dict[str, str] | None = None) -> str:
    """A row as people read it; months, weeks and areas are their own names, offers have ``names``."""
    if names and row in names:
        return names[row]
    if by == "role" and row in set(Role):
        return str(texts.ROLES[Role(row)])
    if by == "sign" and row in set(Observation):
        return str(texts.OBSERVATIONS[Observation(row)])
    if by == "outcome" and row in set(Outcome):
        return str(texts.OUTCOMES[Outcome(row)])
    if by == "event" and row in set(EventKind):
        return str(KINDS[EventKind(row)])
    if by == "kind" and row in set(Kind):
        return str(SUPPORT_KINDS[Kind(row)])
    if by == "forward" and row in set(Forward):
        return str(texts.FORWARDS[Forward(row)])
    if by == "check" and row in set(FollowUpAnswer):
        return str(texts.FOLLOW_UP_ANSWERS[FollowUpAnswer(row)])
    if by == "resident" and row in set(HelpAnswer):
        return str(texts.HELP_ANSWERS[HelpAnswer(row)])
    if by == "need" and row in set(Need):
        return str(NEEDS[Need(row)])
    if by == "age":
        return AGES.get(row, row)
    if row in STANDING:
        return str(STANDING[row])
    return row


def percent(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def step_name(step: str) -> str:
    return {"claim": _("oppakken"), "contact": _("eerste contact"), "close": _("afronden")}[step]


def summary_payload(month: str, figures: Figures) -> dict[str, Any]:
    """The month in a few lines for a coordinator: every count through the small-number rule."""
    total = dict(figures.table.rows).get("total", {})

    def count(name: str) -> str:
        return escape(str(total.get(name, Count(0))))

    lines = [_("<b>Cijfers van {point}, {month}</b>").format(point=escape(figures.point or ""), month=month),
             _("Binnengekomen: {signals} signalen. Opgepakt: {claimed}. Contact: {contacted}. Afgerond: {closed}.")
             .format(signals=count("signals"), claimed=count("claimed"), contacted=count("contacted"),
                     closed=count("closed")),
             _("Nu open: {open}, waarvan over tijd: {late}.").format(open=escape(str(figures.backlog["open"])),
                                                                     late=escape(str(figures.backlog["late"])))]
    for month_label, shares in figures.deadlines[-1:]:
        for step in ("claim", "contact"):
            goal = figures.goals.get(step)
            line = _("Binnen de termijn ({step}): {share}").format(step=step_name(step), share=percent(shares[step]))
            if goal is not None:
                line += " · " + _("doel {goal}").format(goal=percent(goal))
            lines.append(line)
        del month_label
    for goal in figures.area_goals:
        lines.append(_("Signalen uit {area}: {signals}, doel {goal}.").format(
            area=goal.area, signals=escape(str(goal.signals)), goal=goal.for_period))
    follow_up = {name: dict(table.rows) for name, table in figures.follow_up.items()}
    if follow_up:
        lines.append(_("Doorverwezen naar aanbod: {referrals}. Doorgezet: {forwarded}. Weer geopend: {reopened}.")
                     .format(referrals=escape(str(follow_up["offer"]["total"]["referrals"])),
                             forwarded=escape(str(follow_up["forward"]["total"]["signals"])),
                             reopened=escape(str(follow_up["reopened"]["reopened"]["events"]))))
    lines.append(_("Zoekvragen van inwoners: {searches}, waarvan niets in de buurt: {nothing}.").format(
        searches=escape(str(figures.residents["searches"])), nothing=escape(str(figures.residents["nothing_local"]))))
    lines.append(escape(_("<5 betekent 1 tot 4: zo is niemand te herkennen.")))
    return payload("\n".join(lines))


def chart_caption(which: str) -> str:
    return {"months": _("Signalen per maand, naar uitkomst"),
            "deadlines": _("Deel binnen de termijn per maand, met het doel")}[which]
