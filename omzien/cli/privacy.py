"""``omzien privacy``: personal data that has had its time goes (counts only are printed, never contents)."""

from __future__ import annotations

import argparse
import json
from typing import Any
from zoneinfo import ZoneInfo

from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncEngine

from omzien.cli.common import EXIT_USAGE, fail, in_database, moment_or_say, on_engine
from omzien.flows.sla import DUTCH_TIME
from omzien.services import privacy
from omzien.storage import privacy as storage_privacy


def register(commands: Any) -> None:
    group = commands.add_parser("privacy", help=_("persoonsgegevens opruimen als hun tijd om is"))
    privacy_commands = group.add_subparsers(dest="privacy_command", required=True, metavar=_("opdracht"))
    purge = privacy_commands.add_parser("purge", help=_("anonimiseer wat lang genoeg bewaard is"), description=_(
        "Van afgeronde signalen (na de bewaartermijn van het signaalpunt, standaard 90 dagen) en van signalen "
        "zonder signaalpunt verdwijnen huisnummer, toelichting, telefoonnummer, melder en medewerker; het "
        "postcodegebied van 4 cijfers, wat gezien is, de uitkomst en de tijden blijven voor de cijfers. "
        "Accounts die een jaar niet gebruikt zijn en door geen open signaal nodig zijn, verdwijnen. "
        "De draaiende bot doet dit elk uur. Drukt alleen aantallen af."))
    purge.add_argument("--at", metavar="2029-12-01T09:00", help=_(
        "doe alsof het dit tijdstip is (Nederlandse tijd, tenzij er een tijdzone bij staat)"))
    purge.add_argument("--dry-run", action="store_true", help=_("alleen tellen, niets veranderen"))
    purge.set_defaults(execute=on_engine(run_purge))

    audit = commands.add_parser("audit", help=_("de geschiedenis van één signaal: wie deed wat, wanneer"),
                                description=_(
        "Voor de privacyfunctionaris: elke gebeurtenis van een signaal met tijd, soort, wie (Telegram-id en "
        "voornaam, zolang die bekend zijn) en een toelichting. Nooit het adres of de toelichting van een melder."))
    audit.add_argument("reference", metavar="S-XXXX", help=_("het kenmerk van het signaal"))
    audit.set_defaults(execute=in_database(show_history))


async def show_history(session: Any, args: argparse.Namespace) -> int:
    events = await storage_privacy.history(session, args.reference)
    if events is None:
        return fail(_("Er is geen signaal met kenmerk {reference}.").format(reference=args.reference))
    for at, kind, who, detail in events:
        print(f"{at.astimezone(ZoneInfo(DUTCH_TIME)):%Y-%m-%d %H:%M}  {kind:<15} {who or '-':<24} {detail}")
    return 0


async def run_purge(engine: AsyncEngine, args: argparse.Namespace) -> int:
    if (now := moment_or_say(args.at)) is None:
        return EXIT_USAGE
    purged = await privacy.purge(engine, now, dry_run=args.dry_run)
    print(json.dumps({"at": now.isoformat(), "dry_run": args.dry_run, "signals_anonymised": purged.signals,
                      "accounts_removed": purged.accounts}, sort_keys=True))
    return 0
