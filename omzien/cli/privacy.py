"""``omzien privacy``: personal data that has had its time goes (counts only are printed, never contents)."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncEngine

from omzien.bot.database import NoKeys, keys_for
from omzien.cli.common import EXIT_USAGE, fail, in_database, moment_or_say, on_engine
from omzien.core.i18n import gettext as _
from omzien.core.settings import Settings
from omzien.flows.sla import DUTCH_TIME
from omzien.services import privacy
from omzien.storage import privacy as storage_privacy
from omzien.storage.db import InUse, create_engine, only_runner, prepare
from omzien.storage.sealing import BadKey, Keyring, new_key, write_key_file


def register(commands: Any) -> None:
    group = commands.add_parser("privacy")
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

    rotate = privacy_commands.add_parser("rotate-key", help=_("adres, toelichting en telefoon opnieuw versleutelen "
                                                              "met een nieuwe sleutel"), description=_(
        "Met een sleutelbestand: maakt een nieuwe sleutel, versleutelt alles opnieuw en haalt dan de oude uit het "
        "bestand. Met OMZIEN_SECRET_KEY: zet eerst de nieuwe sleutel vooraan (nieuw,oud); dit versleutelt alles "
        "met de eerste, daarna haalt u de oude weg. Stop de bot eerst. Drukt alleen aantallen af."))
    rotate.set_defaults(execute=rotate_key)

    audit = commands.add_parser("audit",
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


def rotate_key(settings: Settings, _args: argparse.Namespace) -> int:
    try:
        with only_runner(settings.database_url):
            return asyncio.run(_rotate_key(settings))
    except InUse:
        return fail(_("De bot draait nog op deze database. Stop hem eerst en probeer het dan opnieuw."))
    except NoKeys as error:
        return fail(str(error))


async def _rotate_key(settings: Settings) -> int:
    from_file = settings.secret_key is None or not settings.secret_key.get_secret_value().strip()
    keys = keys_for(settings) if not from_file else _keys_from_file(settings)
    if from_file:
        keys = Keyring([new_key(), *keys.keys])
        write_key_file(settings.key_file, keys)  # the old key stays until everything is sealed anew
    engine = create_engine(settings.database_url, keys)
    try:
        await prepare(engine)
        done = await privacy.rotate_key(engine)
    finally:
        await engine.dispose()
    if from_file:
        write_key_file(settings.key_file, Keyring(keys.keys[:1]))
    print(json.dumps({"key": keys.current, "rows_sealed_anew": done}, sort_keys=True))
    if not from_file and len(keys.keys) > 1:
        print(_("Alles is nu versleuteld met de eerste sleutel ({key}). Haal de andere sleutels uit "
                "OMZIEN_SECRET_KEY.").format(key=keys.current), file=sys.stderr)
    return 0


def _keys_from_file(settings: Settings) -> Keyring:
    """The key file as it is: a rotation never starts from a key file that is not there."""
    try:
        return Keyring.from_text(settings.key_file.read_text())
    except FileNotFoundError:
        raise NoKeys(_("Er is nog geen sleutelbestand {file}: er is dus ook niets om opnieuw te versleutelen.").format(
            file=settings.key_file)) from None
    except BadKey:
        raise NoKeys(_("In {file} staat geen sleutel van Omzien.").format(file=settings.key_file)) from None
