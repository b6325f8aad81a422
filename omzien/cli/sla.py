"""``omzien sla``: one sweep of the clock, and the service-level figures per point."""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncEngine

from omzien.cli.common import EXIT_USAGE, fail, in_database, moment_or_say, on_engine
from omzien.core.i18n import get_i18n
from omzien.core.i18n import gettext as _
from omzien.flows.sla import DUTCH_TIME
from omzien.storage import points
from omzien.storage import sla as sla_storage
from omzien.storage.db import session_factory
from omzien.storage.models import utcnow


def register(commands: Any) -> None:
    sla = commands.add_parser("sla")
    sla_commands = sla.add_subparsers(dest="sla_command", required=True, metavar=_("opdracht"))
    sweep_command = sla_commands.add_parser(
        "sweep", help=_("één ronde herinneringen en escalaties, nu of op een tijdstip"), description=_(
        "Doet wat de draaiende bot elke minuut doet: zoekt de signalen waarvan een termijn verloopt en zet "
        "de herinneringen, het overzicht in de groep en de escalaties klaar. De draaiende bot verstuurt ze. "
        "Wat al verstuurd is, gaat nooit nog eens."))
    sweep_command.add_argument("--at", metavar="2026-12-24T16:30", help=_(
        "doe alsof het dit tijdstip is (Nederlandse tijd, tenzij er een tijdzone bij staat)"))
    report = sla_commands.add_parser("report", help=_("tijd tot oppakken en tot contact, per signaalpunt"),
                                     description=_(
        "Per signaalpunt, voor signalen gemeld sinds de opgegeven datum: de mediaan en het 90e percentiel "
        "van de tijd tot oppakken en tot het eerste contact (in werkuren), en welk deel binnen de termijn bleef."))
    report.add_argument("--point", type=int, metavar=_("nummer"), help=_("alleen dit signaalpunt"))
    report.add_argument("--since", metavar="2026-01-01", help=_("signalen gemeld vanaf deze datum "
                                                               "(standaard: 90 dagen geleden)"))
    report.add_argument("--json", action="store_true", help=_("als JSON, voor verdere verwerking"))
    sweep_command.set_defaults(execute=on_engine(one_sweep))
    report.set_defaults(execute=in_database(service_levels))


async def one_sweep(engine: AsyncEngine, args: argparse.Namespace) -> int:
    from omzien.services import sweep  # it renders Telegram messages: the report need not load them

    if (now := moment_or_say(args.at)) is None:
        return EXIT_USAGE
    counts = await sweep.sweep(session_factory(engine), get_i18n(), now)
    print(json.dumps({"at": now.isoformat(), **counts}, sort_keys=True))
    return 0


async def service_levels(session: Any, args: argparse.Namespace) -> int:
    now = utcnow()
    try:
        since = (datetime.combine(date.fromisoformat(args.since), time(0), ZoneInfo(DUTCH_TIME))
                 if args.since else now - timedelta(days=90))
    except ValueError:
        return fail(_("Deze datum begrijp ik niet: {since}. Schrijf hem zo: 2026-01-01.").format(since=args.since))
    chosen = [p for p in await points.all_points(session) if args.point is None or p.id == args.point]
    if not chosen:
        return fail(_("Er is geen signaalpunt met nummer {id}.").format(id=args.point))
    results = []
    for point in chosen:
        figures = await sla_storage.report(session, point, since, now)
        results.append({"point": point.id, "name": point.name, "since": since.date().isoformat(),
                        "signals": figures["signals"],
                        **{step: asdict(figures[step]) for step in ("claim", "contact")}})
    if args.json:
        print(json.dumps(results, indent=2, ensure_ascii=False))
        return 0
    for result in results:
        print(_("{name} (signaalpunt {id}): {count} signalen gemeld sinds {since}").format(
            name=result["name"], id=result["point"], count=result["signals"], since=result["since"]))
        for step, label in (("claim", _("oppakken")), ("contact", _("eerste contact"))):
            m = result[step]
            print("  " + _("{step}: mediaan {median} uur, 90% binnen {p90} uur (werkuren), binnen de termijn: "
                           "{within}; nog wachtend en over tijd: {late}").format(
                step=label, median=_number(m["median_hours"]), p90=_number(m["p90_hours"]),
                within="-" if m["within"] is None else f"{m['within']:.0%}", late=m["late_waiting"]))
    return 0


def _number(value: float | None) -> str:
    return "-" if value is None else f"{value:g}"

