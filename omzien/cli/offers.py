"""``omzien offers``: the catalogue of offers — read in a municipality's file, write it out, search it."""

from __future__ import annotations

import argparse
import io
import json
import sys
from pathlib import Path
from typing import Any

from omzien.cli.common import fail, in_database
from omzien.core.i18n import gettext as _
from omzien.flows.offers import Need
from omzien.storage import catalogue
from omzien.storage import offers as offers_storage


def register(commands: Any) -> None:
    offers = commands.add_parser("offers",
                                 description=_(
        "De catalogus van aanbod tegen eenzaamheid. Omzien heeft het landelijke aanbod en de methoden al aan boord; "
        "een gemeente leest haar lokale aanbod in als CSV (kolommen: zie docs/catalogue-columns.md) of als "
        "HSDS-JSON (Open Referral)."))
    offer_commands = offers.add_subparsers(dest="offers_command", required=True, metavar=_("opdracht"))
    load = offer_commands.add_parser("import", help=_("aanbod inlezen uit een CSV- of HSDS-JSON-bestand"),
                                     description=_(
        "Controleert elke regel en noemt elke fout met het regelnummer en de reden. Als er een fout in zit, "
        "wordt niets ingelezen, tenzij u --skip-invalid opgeeft. Aanbod met hetzelfde id wordt bijgewerkt; "
        "hetzelfde bestand nog eens inlezen verandert niets."))
    load.add_argument("file", metavar=_("bestand"), help=_("een .csv- of .json-bestand"))
    load.add_argument("--skip-invalid", action="store_true", help=_("de goede regels inlezen en de foute overslaan"))
    dump = offer_commands.add_parser("export", help=_("de hele catalogus uitvoeren als CSV of HSDS-JSON"))
    dump.add_argument("--format", choices=("csv", "hsds"), default="csv", help=_("csv (standaard) of hsds"))
    dump.add_argument("--output", metavar=_("bestand"), help=_("naar dit bestand (standaard: het scherm)"))
    find = offer_commands.add_parser("search", help=_("zoeken zoals een inwoner zoekt"), description=_(
        "Zoekt in de catalogus zoals de bot dat voor een inwoner doet, en zegt bij elk resultaat waarom het past."))
    find.add_argument("query", metavar=_("vraag"), help=_("in gewone woorden, bijvoorbeeld \"wandelen met anderen\""))
    find.add_argument("--postcode", metavar="3044", help=_("postcode (4 cijfers): ook lokaal aanbod"))
    find.add_argument("--age", type=int, metavar="80", help=_("leeftijd"))
    find.add_argument("--needs", metavar="praten,ontmoeten", help=_(
        "wat zou helpen: praten, ontmoeten, bezoek, zinvol, leren, praktisch, mantelzorg"))
    find.add_argument("--free", action="store_true", help=_("alleen gratis aanbod"))
    find.add_argument("--limit", type=int, default=5, help=_("hoeveel resultaten (standaard 5)"))
    find.add_argument("--json", action="store_true", help=_("als JSON: id, name, score, why"))
    load.set_defaults(execute=in_database(import_offers))
    dump.set_defaults(execute=in_database(export_offers))
    find.set_defaults(execute=in_database(search))


async def export_offers(session: Any, args: argparse.Namespace) -> int:
    found = await offers_storage.load(session)
    text = (catalogue.write_csv(found) if args.format == "csv"
            else json.dumps(catalogue.to_hsds(found), indent=2, ensure_ascii=False) + "\n")
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
        print(_("{count} regels geschreven naar {file}.").format(count=len(found), file=args.output),
              file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


async def import_offers(session: Any, args: argparse.Namespace) -> int:
    path = Path(args.file)
    try:
        content = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        return fail(_("Dit bestand kan ik niet lezen: {file} ({error}).").format(
            file=args.file, error=type(error).__name__))
    known = await offers_storage.method_ids(session)
    if path.suffix.lower() == ".json":
        try:
            found, errors = catalogue.read_hsds(json.loads(content), known)
        except json.JSONDecodeError as error:
            return fail(_("Dit is geen geldige JSON: regel {line}, kolom {column}.").format(
                line=error.lineno, column=error.colno))
    else:
        found, errors = catalogue.read_csv(io.StringIO(content, newline=""), known)
    for error in errors:
        print(_("Regel {line}: {reason}").format(line=error.line, reason=error.reason), file=sys.stderr)
    if errors and not args.skip_invalid:
        return fail(_("{count} fout(en): niets ingelezen. Verbeter het bestand, of lees alleen de goede regels in "
                       "met --skip-invalid.").format(count=len(errors)))
    stored = await offers_storage.store(session, found, offers_storage.IMPORTED)
    print(_("Ingelezen: {created} nieuw, {updated} bijgewerkt, {unchanged} ongewijzigd, {skipped} overgeslagen.")
          .format(created=stored.created, updated=stored.updated, unchanged=stored.unchanged,
                  skipped=len({e.line for e in errors})))
    return 0


async def search(session: Any, args: argparse.Namespace) -> int:
    from omzien.flows.matching import Query  # the matcher, and the views behind why: only for a search
    from omzien.flows.matching.index import Index
    from omzien.views.offers import why

    try:
        needs = frozenset(Need(n.strip()) for n in (args.needs or "").split(",") if n.strip())
    except ValueError:
        return fail(_("Kies uit: {needs}.").format(needs=", ".join(n.value for n in Need)))
    area = None
    if args.postcode:
        if not args.postcode.strip()[:4].isdigit():
            return fail(_("Een postcode begint met 4 cijfers, bijvoorbeeld 3044."))
        area = int(args.postcode.strip()[:4])
    index = Index(await offers_storage.load(session))
    query = Query(text=args.query, needs=needs, age=args.age, postcode_area=area, free_only=args.free)
    matches = index.search(query, limit=max(1, args.limit))
    if args.json:
        print(json.dumps([{"id": m.offer.id, "name": m.offer.name.nl, "score": round(m.score, 3), "why": why(m),
                           "local": m.offer.local} for m in matches], indent=2, ensure_ascii=False))
        return 0
    if not matches:
        print(_("Niets gevonden dat past."))
    for number, match in enumerate(matches, 1):
        print(f"{number}. {match.offer.name.nl}  ({match.offer.id}, {match.score:.2f})")
        print("   " + why(match))
    return 0
