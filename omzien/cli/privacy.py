"""``omzien privacy``: personal data that has had its time goes (counts only are printed, never contents)."""

from __future__ import annotations

import argparse
import asyncio
import json
from typing import Any

from aiogram.utils.i18n import gettext as _

from omzien.cli.common import fail, moment
from omzien.core.settings import Settings
from omzien.services import privacy
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
