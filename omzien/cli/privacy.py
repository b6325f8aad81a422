"""``omzien privacy``: personal data that has had its time goes (counts only are printed, never contents)."""

from __future__ import annotations

import argparse
import asyncio
import json
from typing import Any
from zoneinfo import ZoneInfo

from aiogram.utils.i18n import gettext as _

from omzien.cli.common import fail, in_database, moment
from omzien.core.settings import Settings
from omzien.flows.sla import DUTCH_TIME
from omzien.services import privacy
from omzien.storage import privacy as storage_privacy
from omzien.storage.db import create_engine, prepare


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
    purge.set_defaults(execute=lambda settings, args: asyncio.run(run_purge(settings, args)))

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


async def run_purge(settings: Settings, args: argparse.Namespace) -> int:
    try:
        now = moment(args.at)
    except ValueError:
        return fail(_("Dit tijdstip begrijp ik niet: {at}. Schrijf het zo: 2026-12-24T16:30.").format(at=args.at))
    engine = create_engine(settings.database_url)
    try:
        await prepare(engine)
        purged = await privacy.purge(engine, now, dry_run=args.dry_run)
    finally:
        await engine.dispose()
    print(json.dumps({"at": now.isoformat(), "dry_run": args.dry_run, "signals_anonymised": purged.signals,
                      "accounts_removed": purged.accounts}, sort_keys=True))
    return 0
