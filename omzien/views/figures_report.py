"""One HTML file a policy officer can mail or print: the period, the goals, the charts (inside the file) and
the tables. It loads nothing from elsewhere."""

from __future__ import annotations

import base64
from datetime import timedelta
from html import escape

from omzien.core.i18n import gettext as _
from omzien.flows.figures import Figures, Table
from omzien.views import charts
from omzien.views.figures import column_name, percent, row_name, step_name

STYLE = """body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#111}
table{border-collapse:collapse;margin:1rem 0}th,td{border:1px solid #999;padding:.2rem .5rem}
td.n{text-align:right}img{max-width:100%}@media print{h2{break-before:page}}"""


def _image(png: bytes, alt: str) -> str:
    return f'<img alt="{escape(alt)}" src="data:image/png;base64,{base64.b64encode(png).decode()}">'


def _table(table: Table) -> str:
    head = "".join(f"<th>{escape(column_name(c))}</th>" for c in (table.by, *table.columns))
    body = "".join("<tr><td>" + escape(row_name(table.by, row, table.names)) + "</td>" +
                   "".join(f'<td class="n">{escape(str(values[c]))}</td>' for c in table.columns) + "</tr>"
                   for row, values in table.rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def html(figures: Figures) -> str:
    until = (figures.until - timedelta(seconds=1)).date().isoformat()
    title = _("Cijfers van {point}").format(point=figures.point or _("alle signaalpunten"))
    parts = [f"<!doctype html><html lang=\"nl\"><head><meta charset=\"utf-8\"><title>{escape(title)}</title>"
             f"<style>{STYLE}</style></head><body>",
             f"<h1>{escape(title)}</h1>",
             "<p>" + escape(_("Periode: {since} tot {until}.").format(since=figures.since.date().isoformat(),
                                                                   until=until)) + "</p>",
             "<p>" + escape(_("Een aantal van 1 tot 4 staat er als <5. Een x is verborgen, zodat een klein aantal "
                              "niet uit een totaal te berekenen is. Zo is niemand te herkennen.")) + "</p>",
             "<h2>" + escape(_("Doelen en termijnen")) + "</h2><table><thead><tr>" +
             "".join(f"<th>{escape(h)}</th>" for h in (_("signaalpunt"), _("stap"), _("mediaan (werkuren)"),
                                                         _("90% binnen (werkuren)"), _("binnen de termijn"),
                                                         _("doel"))) + "</tr></thead><tbody>"]
    for level in figures.service:
        cells = (level.point, step_name(level.step), "-" if level.median_hours is None else f"{level.median_hours:g}",
                 "-" if level.p90_hours is None else f"{level.p90_hours:g}", percent(level.within),
                 percent(level.goal))
        parts.append("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in cells) + "</tr>")
    parts.append("</tbody></table>")
    if figures.area_goals:
        parts.append("<table><thead><tr>" + "".join(f"<th>{escape(h)}</th>" for h in (
            _("signaalpunt"), _("postcodegebied"), _("signalen"), _("doel per jaar"), _("doel in deze periode"),
            _("gehaald"))) + "</tr></thead><tbody>")
        for goal in figures.area_goals:
            reached = "-" if goal.reached is None else _("ja") if goal.reached else _("nee")
            cells = (goal.point, goal.area, str(goal.signals), str(goal.per_year), str(goal.for_period), reached)
            parts.append("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in cells) + "</tr>")
        parts.append("</tbody></table>")
    parts.append("<p>" + escape(_("Nu open: {open}, waarvan over tijd: {late}.").format(
        open=figures.backlog["open"], late=figures.backlog["late"])) + "</p>")
    parts.append("<h2>" + escape(_("Signalen per maand")) + "</h2>")
    parts.append(_image(charts.months_chart(figures), _("Signalen per maand, naar uitkomst")))
    parts.append(_image(charts.deadlines_chart(figures), _("Deel binnen de termijn per maand, met het doel")))
    parts.append(_table(figures.table))
    if figures.follow_up:
        parts.append("<h2>" + escape(_("Na het afronden")) + "</h2>")
        parts.append("<p>" + escape(_("Dit gaat over de signalen uit deze periode. Naar welk aanbod gingen ze? "
                                      "Waar zijn ze doorgezet? En wat zeiden de vragen achteraf?"))
                     + "</p>")
        parts += [_table(table) for table in figures.follow_up.values()]
    if figures.partners is not None and figures.partners.rows:
        parts.append("<h2>" + escape(_("Partners")) + "</h2>")
        parts.append("<p>" + escape(_("Melders die via de link of poster van een partner kwamen, en hun meldingen."))
                     + "</p>")
        parts.append(_table(figures.partners))
    parts.append("<h2>" + escape(_("Wat inwoners zochten")) + "</h2>")
    parts.append("<p>" + escape(_("Zoekvragen: {searches}, waarvan niets in de buurt: {nothing} ({share}). "
                                  "Terugbelverzoeken: {callbacks}.").format(
        searches=figures.residents["searches"], nothing=figures.residents["nothing_local"],
        share=percent(figures.residents["nothing_local_share"]),  # type: ignore[arg-type]
        callbacks=figures.residents["callbacks"])) + "</p>")
    for table in figures.searches.values():
        parts.append(_table(table))
    parts.append("<h2>" + escape(_("Wat in de buurt ontbreekt")) + "</h2>")
    if figures.heat:
        parts.append(_image(charts.gaps_chart(figures), _("Zoekvragen zonder aanbod in de buurt")))
        rows = "".join(f"<tr><td>{escape(row_name('need', need))}</td><td>{escape(area)}</td>"
                       f"<td>{escape(row_name('age', age))}</td><td class=\"n\">{escape(str(count))}</td></tr>"
                       for need, area, age, count in figures.gaps)
        parts.append("<table><thead><tr>" + "".join(f"<th>{escape(h)}</th>" for h in (
            _("behoefte"), _("postcodegebied"), _("leeftijd"), _("zoekvragen"))) + f"</tr></thead><tbody>{rows}"
                     "</tbody></table>")
    else:
        parts.append("<p>" + escape(_("Geen zoekvragen zonder aanbod in de buurt in deze periode.")) + "</p>")
    parts.append("</body></html>")
    return "\n".join(parts)
