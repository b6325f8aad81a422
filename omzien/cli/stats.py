"""``omzien stats``: the figures of a period for the municipality — a table, CSV for Excel, JSON, charts, a report."""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from omzien.cli.common import fail, in_database
from omzien.core.i18n import gettext as _
from omzien.flows.figures import Count, Figures
from omzien.flows.sla import DUTCH_TIME
from omzien.services import figures as figures_service
from omzien.storage import points
from omzien.storage.models import utcnow
from omzien.views.figures import column_name, row_name


def register(commands: Any) -> None:
    stats = commands.add_parser("stats",
                                description=_(
        "Cijfers over een periode: wat binnenkwam, wat ermee gebeurde, of de termijnen gehaald zijn, en wat "
        "inwoners zochten maar niet in de buurt vonden. Een aantal van 1 tot 4 staat er als <5, zodat niemand "
        "te herkennen is."))
    stats.add_argument("--point", type=int, metavar=_("nummer"), help=_("alleen dit signaalpunt"))
    stats.add_argument("--since", metavar="2026-01-01", help=_("vanaf deze datum (standaard: 12 maanden terug)"))
    stats.add_argument("--until", metavar="2026-12-31", help=_("tot en met deze datum (standaard: vandaag)"))
    stats.add_argument("--by", choices=figures_service.BY, default="month", help=_("indeling van de tabel"))
    stats.add_argument("--format", choices=("table", "csv", "json"), default="table",
                       help=_("tabel op het scherm, CSV voor Excel (puntkomma, UTF-8) of JSON"))
    stats.add_argument("--chart", metavar="FILE.png", help=_("grafiek van de signalen per maand als PNG"))
    stats.add_argument("--report", metavar="FILE.html", help=_("één HTML-bestand met grafieken en tabellen"))
    stats.set_defaults(execute=in_database(show))


def _day(text: str, zone: ZoneInfo) -> datetime:
    return datetime.combine(date.fromisoformat(text), time(0), zone)


async def show(session: Any, args: argparse.Namespace) -> int:
    now = utcnow()
    zone = ZoneInfo(DUTCH_TIME)
    try:
        until = _day(args.until, zone) + timedelta(days=1) if args.until else now
        today = now.astimezone(zone).date()
        since = _day(args.since, zone) if args.since else datetime.combine(
            date(today.year - 1, today.month, 1), time(0), zone)
    except ValueError:
        return fail(_("Deze datum begrijp ik niet. Schrijf hem zo: 2026-01-01."))
    if since >= until:
        return fail(_("De begindatum ligt na de einddatum."))
    point = None
    if args.point is not None and (point := await points.point_by_id(session, args.point)) is None:
        return fail(_("Er is geen signaalpunt met nummer {id}.").format(id=args.point))
    figures = await figures_service.gather(session, point, since, until, args.by, now)
    if figures.empty:
        print(_("Er zijn nog geen signalen of zoekvragen in deze periode. Er is dus nog niets te tellen."))
        return 0
    if args.chart or args.report:
        from omzien.views import charts, figures_report  # matplotlib: only for a chart

        if args.chart:
            Path(args.chart).write_bytes(charts.months_chart(figures))
        if args.report:
            Path(args.report).write_text(figures_report.html(figures), encoding="utf-8")
    if args.format == "json":
        print(json.dumps(as_json(figures), indent=2, ensure_ascii=False))
    elif args.format == "csv":
        sys.stdout.buffer.write(as_csv(figures))
        sys.stdout.flush()
    else:
        print(as_text(figures))
    return 0


def _cell(count: Count) -> int | str:
    return count.json()


def as_json(figures: Figures) -> dict[str, Any]:
    """Every count is a number or "<5" (or "x": hidden so that a small count cannot be worked out)."""
    return {
        "point": figures.point, "since": figures.since.date().isoformat(),
        "until": (figures.until - timedelta(seconds=1)).date().isoformat(), "by": figures.table.by,
        "rows": [{"key": row, **{c: _cell(v) for c, v in values.items()}} for row, values in figures.table.rows],
        "months": [{"month": row, **{c: _cell(v) for c, v in values.items()}} for row, values in figures.months.rows],
        "within_deadline": [{"month": month, **shares} for month, shares in figures.deadlines],
        "goals": figures.goals,
        "area_goals": [{"point": g.point, "area": g.area, "signals": _cell(g.signals), "goal_per_year": g.per_year,
                        "goal_for_period": g.for_period, "reached": g.reached} for g in figures.area_goals],
        "service_levels": [{"point": s.point, "step": s.step, "median_hours": s.median_hours,
                            "p90_hours": s.p90_hours, "within": s.within, "goal": s.goal,
                            "late_waiting": _cell(s.late_waiting)} for s in figures.service],
        "backlog": {k: _cell(v) for k, v in figures.backlog.items()},
        "residents": {k: _cell(v) if isinstance(v, Count) else v for k, v in figures.residents.items()},
        "searches": {by: [{"key": row, **{c: _cell(v) for c, v in values.items()}} for row, values in table.rows]
                     for by, table in figures.searches.items()},
        "follow_up": {name: [{"key": row, **({"name": table.names[row]} if row in table.names else {}),
                               **{c: _cell(v) for c, v in values.items()}} for row, values in table.rows]
                      for name, table in figures.follow_up.items()},
        "partners": [] if figures.partners is None else [
            {"key": row, "name": figures.partners.names.get(row, ""), **{c: _cell(v) for c, v in values.items()}}
            for row, values in figures.partners.rows],
        "gaps": [{"need": need, "area": area, "age": age, "searches": _cell(count)}
                 for need, area, age, count in figures.gaps],
    }


def as_csv(figures: Figures) -> bytes:
    """The table as Dutch Excel opens it by a double click: semicolons, UTF-8 with a byte order mark."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([figures.table.by, "name", *figures.table.columns])
    for row, values in figures.table.rows:
        writer.writerow([row, row_name(figures.table.by, row, figures.table.names),
                         *(str(values[c]) for c in figures.table.columns)])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def as_text(figures: Figures) -> str:
    table = figures.table
    header = [column_name(table.by)] + [column_name(c) for c in table.columns]
    lines = [[row_name(table.by, row, table.names)] + [str(values[c]) for c in table.columns]
             for row, values in table.rows]
    widths = [max(len(line[i]) for line in [header, *lines]) for i in range(len(header))]
    text = [_("{point}, {since} tot {until}").format(
        point=figures.point or _("alle signaalpunten"), since=figures.since.date().isoformat(),
        until=(figures.until - timedelta(seconds=1)).date().isoformat())]
    text += ["  ".join(cell.ljust(w) if i == 0 else cell.rjust(w) for i, (cell, w) in enumerate(zip(line, widths,
                                                                                                      strict=True)))
             for line in [header, *lines]]
    text.append(_("<5: een aantal van 1 tot 4. x: verborgen, zodat een klein aantal niet uit te rekenen is."))
    return "\n".join(text)
