"""The ``omzien`` command: run the bot, set up signal points, look after the database."""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import sys
from collections.abc import Awaitable, Callable
from contextlib import suppress
from dataclasses import asdict
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from aiogram.utils.i18n import get_i18n, ngettext
from aiogram.utils.i18n import gettext as _
from aiogram.utils.token import TokenValidationError, validate_token

from omzien.bot.i18n import load_i18n
from omzien.bot.logs import configure_logging
from omzien.bot.settings import Settings
from omzien.flows import sla as sla_rules
from omzien.flows.matching import Index, Query
from omzien.flows.offers import Need
from omzien.flows.routing import AreaRange, AreaSyntaxError, format_areas, parse_areas
from omzien.handlers import alerts
from omzien.handlers.notify import update_card
from omzien.handlers.offer_views import why
from omzien.storage import catalogue, points, signals
from omzien.storage import offers as offers_storage
from omzien.storage import sla as sla_storage
from omzien.storage.db import create_engine, prepare, session_factory
from omzien.storage.models import utcnow

EXIT_USAGE = 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="omzien",
        description=_("Omzien: signalen van eenzaamheid melden, oppakken en opvolgen via Telegram."),
        epilog=_("Instellingen komen uit de omgeving of uit .env: OMZIEN_BOT_TOKEN, OMZIEN_DATABASE_URL "
                 "(standaard een SQLite-bestand omzien.sqlite3 in deze map), OMZIEN_TELEGRAM_API_URL."),
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar=_("opdracht"))

    run = commands.add_parser("run", help=_("start de bot"), description=_(
        "Start de bot (long polling). Maakt eerst de database aan of werkt hem bij. Nodig: OMZIEN_BOT_TOKEN. "
        "Optioneel: OMZIEN_DATABASE_URL (standaard sqlite+aiosqlite:///omzien.sqlite3) en "
        "OMZIEN_TELEGRAM_API_URL (een andere Bot API-server; verzoeken gaan dan naar {base}/bot{token}/{method}). "
        "Stoppen met Ctrl-C."))
    run.add_argument("--database-url", help=_("database, bijvoorbeeld postgresql+asyncpg://user@host/db "
                                              "(gaat voor op OMZIEN_DATABASE_URL)"))
    run.add_argument("--telegram-api-url", help=_("basis-URL van een andere Bot API-server "
                                                  "(gaat voor op OMZIEN_TELEGRAM_API_URL)"))
    run.add_argument("-v", "--verbose", action="store_true", help=_("meer meldingen in het logboek"))

    demo = commands.add_parser("demo", help=_("probeer Omzien in de browser, zonder Telegram"), description=_(
        "Start een nagebootste Telegram op deze computer, de echte bot daarop, een fictief signaalpunt met twee "
        "medewerkers, en een chatpagina waarop u de pakketbezorger, een bewoner of een medewerker bent. "
        "Geen token nodig. Stoppen met Ctrl-C."))
    demo.add_argument("--host", default="127.0.0.1", help=_("adres van de chatpagina (standaard 127.0.0.1)"))
    demo.add_argument("--port", type=int, default=8080, help=_("poort van de chatpagina (standaard 8080)"))
    demo.add_argument("--database-url", help=_("database voor de demo (standaard een tijdelijk SQLite-bestand, "
                                               "dat bij het stoppen verdwijnt)"))

    db = commands.add_parser("db", help=_("de database beheren"))
    db_commands = db.add_subparsers(dest="db_command", required=True, metavar=_("opdracht"))
    db_commands.add_parser("upgrade", help=_("de database aanmaken of bijwerken naar de nieuwste versie"))

    point = commands.add_parser("points", help=_("signaalpunten instellen en bekijken"), description=_(
        "Een signaalpunt is een welzijnsorganisatie met de postcodegebieden waar zij signalen voor oppakt, "
        "en de Telegram-groep van haar medewerkers."))
    point_commands = point.add_subparsers(dest="points_command", required=True, metavar=_("opdracht"))
    add = point_commands.add_parser("add", help=_("een signaalpunt toevoegen"), description=_(
        "Voegt een signaalpunt toe en toont zijn nummer en een eenmalige koppelcode. Typ in de groep van "
        "de medewerkers (met de bot erin) /koppel CODE om de groep te koppelen."))
    add.add_argument("--name", required=True, help=_("naam, bijvoorbeeld \"Signaalpunt Noord\""))
    add.add_argument("--postcodes", required=True, help=_(
        "postcodegebieden van 4 cijfers, als reeksen en losse gebieden: 3040-3059,3061"))
    add.add_argument("--group-chat-id", type=int, help=_(
        "koppel meteen deze Telegram-groep (het chat-id, negatief), zonder koppelcode"))
    point_commands.add_parser("list", help=_("alle signaalpunten, hun postcodes en of er een groep gekoppeld is"))
    code = point_commands.add_parser("code", help=_("een nieuwe koppelcode maken voor een signaalpunt"))
    code.add_argument("point_id", type=int, metavar=_("nummer"), help=_("het nummer van het signaalpunt"))
    policy = point_commands.add_parser("set-policy", help=_("termijnen, werktijden en wie escalaties krijgt"),
                                       description=_(
        "Stelt de termijnen van een signaalpunt in, in werkdagen: oppakken (standaard 1), eerste contact "
        "(standaard 3) en afronden (standaard 10). Werkdagen tellen alleen binnen de werktijden, zonder "
        "Nederlandse feestdagen en zonder de extra gesloten dagen. Alleen wat u opgeeft verandert; "
        "de termijnen van signalen die al open staan blijven zoals ze waren."))
    policy.add_argument("point_id", type=int, metavar=_("nummer"), help=_("het nummer van het signaalpunt"))
    policy.add_argument("--claim", type=float, metavar=_("dagen"), help=_("oppakken binnen zoveel werkdagen"))
    policy.add_argument("--contact", type=float, metavar=_("dagen"), help=_("eerste contact binnen zoveel werkdagen"))
    policy.add_argument("--close", type=float, metavar=_("dagen"), help=_("afronden binnen zoveel werkdagen"))
    policy.add_argument("--hours", metavar="09:00-17:00", help=_("werktijden op een werkdag"))
    policy.add_argument("--days", metavar="ma-vr", help=_("werkdagen, bijvoorbeeld ma-vr of ma,di,do"))
    policy.add_argument("--closed", metavar="2026-12-24,2026-12-31", help=_(
        "extra gesloten dagen (naast de feestdagen); een lege waarde wist ze"))
    policy.add_argument("--time-zone", metavar="Europe/Amsterdam", help=_("tijdzone van de werktijden"))
    policy.add_argument("--coordinators", metavar="123,456", help=_(
        "Telegram-gebruikers-id's van de coördinatoren: zij horen het als een signaal niet op tijd is "
        "opgepakt; een lege waarde wist ze"))
    policy.add_argument("--fallback", metavar="789", help=_(
        "Telegram-id van het regionale vangnet: hoort het bij drie keer de termijn; \"geen\" wist het"))

    signal = commands.add_parser("signals", help=_("signalen bekijken"))
    signal_commands = signal.add_subparsers(dest="signals_command", required=True, metavar=_("opdracht"))
    signal_commands.add_parser("unrouted", help=_(
        "signalen uit postcodes waar geen signaalpunt voor is (alleen kenmerk, postcodegebied en datum)"))

    offers = commands.add_parser("offers", help=_("de catalogus van aanbod: inlezen, uitvoeren, zoeken"),
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

    sla = commands.add_parser("sla", help=_("termijnen: herinneringen versturen en cijfers bekijken"))
    sla_commands = sla.add_subparsers(dest="sla_command", required=True, metavar=_("opdracht"))
    sweep = sla_commands.add_parser("sweep", help=_("één ronde herinneringen en escalaties, nu of op een tijdstip"),
                                    description=_(
        "Doet wat de draaiende bot elke minuut doet: zoekt de signalen waarvan een termijn verloopt en zet "
        "de herinneringen, het overzicht in de groep en de escalaties klaar. De draaiende bot verstuurt ze. "
        "Wat al verstuurd is, gaat nooit nog eens."))
    sweep.add_argument("--at", metavar="2026-12-24T16:30", help=_(
        "doe alsof het dit tijdstip is (Nederlandse tijd, tenzij er een tijdzone bij staat)"))
    report = sla_commands.add_parser("report", help=_("tijd tot oppakken en tot contact, per signaalpunt"),
                                     description=_(
        "Per signaalpunt, voor signalen gemeld sinds de opgegeven datum: de mediaan en het 90e percentiel "
        "van de tijd tot oppakken en tot het eerste contact (in werkuren), en welk deel binnen de termijn bleef."))
    report.add_argument("--point", type=int, metavar=_("nummer"), help=_("alleen dit signaalpunt"))
    report.add_argument("--since", metavar="2026-01-01", help=_("signalen gemeld vanaf deze datum "
                                                               "(standaard: 90 dagen geleden)"))
    report.add_argument("--json", action="store_true", help=_("als JSON, voor verdere verwerking"))
    return parser


def main(argv: list[str] | None = None) -> int:
    settings = Settings()
    i18n = load_i18n(settings.language)
    with i18n.context():
        args = build_parser().parse_args(argv)
        if args.command == "run":
            return _run(args, settings)
        if args.command == "demo":
            return _demo(args)
        if args.command == "sla" and args.sla_command == "sweep":
            return asyncio.run(_sweep(settings, args))
        handler = {"db": _db, "points": _points, "signals": _signals, "sla": _sla_report,
                   "offers": _offers}[args.command]
        return asyncio.run(_with_database(settings, handler, args))


def _run(args: argparse.Namespace, settings: Settings) -> int:
    from omzien.bot.app import StartupError, run

    if args.database_url:
        settings.database_url = args.database_url
    if args.telegram_api_url:
        settings.telegram_api_url = args.telegram_api_url
    token = settings.bot_token.get_secret_value().strip() if settings.bot_token else ""
    if not token:
        return _fail(_("OMZIEN_BOT_TOKEN ontbreekt: vraag een token aan bij @BotFather in Telegram en zet het "
                       "in de omgeving of in een bestand .env (OMZIEN_BOT_TOKEN=...)."))
    try:
        validate_token(token)
    except TokenValidationError:
        return _fail(_("OMZIEN_BOT_TOKEN is geen geldig Telegram-token: het hoort eruit te zien als "
                       "123456789:AAE... (cijfers, een dubbele punt, dan letters en cijfers)."))
    configure_logging(args.verbose)
    try:
        asyncio.run(run(settings, token))
    except StartupError as error:
        return _fail(str(error))
    except KeyboardInterrupt:
        pass
    return 0


def _demo(args: argparse.Namespace) -> int:
    from omzien.sandbox.demo import serve

    configure_logging(verbose=False, quiet=True)
    with suppress(KeyboardInterrupt):
        asyncio.run(serve(args.host, args.port, args.database_url))
    return 0


def _fail(sentence: str) -> int:
    print(sentence, file=sys.stderr)
    return EXIT_USAGE


async def _with_database(settings: Settings, handler: Callable[..., Awaitable[int]], args: Any) -> int:
    engine = create_engine(settings.database_url)
    try:
        await prepare(engine)
        sessions = session_factory(engine)
        async with sessions.begin() as session:
            return await handler(session, args)
    finally:
        await engine.dispose()


async def _db(session: Any, args: argparse.Namespace) -> int:
    print(_("De database is bijgewerkt."))
    return 0


async def _points(session: Any, args: argparse.Namespace) -> int:
    if args.points_command == "add":
        return await _add_point(session, args)
    if args.points_command == "set-policy":
        return await _set_policy(session, args)
    if args.points_command == "code":
        point = await points.point_by_id(session, args.point_id)
        if point is None:
            return _fail(_("Er is geen signaalpunt met nummer {id}.").format(id=args.point_id))
        code = await points.renew_link_code(session, point)
        print(_("Nieuwe koppelcode voor {name}: {code}").format(name=point.name, code=code))
        print(_("Typ in de Telegram-groep van de medewerkers: /koppel {code}").format(code=code))
        return 0
    for point in await points.all_points(session):
        areas = format_areas(AreaRange(a.first, a.last) for a in point.areas)
        if point.group_chat_id is not None:
            group = _("groep gekoppeld ({chat})").format(chat=point.group_chat_id)
        else:
            group = _("geen groep gekoppeld; koppelcode {code}").format(code=point.link_code or "-")
        print(f"{point.id:>3}  {point.name}  ·  " + _("postcodes {areas}").format(areas=areas) + f"  ·  {group}")
        print("     " + _policy_line(point))
    waiting = len(await signals.unrouted(session))
    if waiting:
        print(ngettext("{count} signaal zonder signaalpunt: zie omzien signals unrouted",
                       "{count} signalen zonder signaalpunt: zie omzien signals unrouted",
                       waiting).format(count=waiting))
    return 0


async def _add_point(session: Any, args: argparse.Namespace) -> int:
    try:
        areas = parse_areas(args.postcodes)
    except AreaSyntaxError as error:
        return _fail(_("Deze postcodes begrijp ik niet: „{part}”. Schrijf ze zo: 3040-3059,3061.").format(
            part=error))
    try:
        point = await points.add_point(session, args.name.strip(), areas, args.group_chat_id)
    except points.NameTaken:
        return _fail(_("Er is al een signaalpunt met de naam {name}.").format(name=args.name))
    except points.AreasTaken as error:
        return _fail(_("Deze postcodes vallen al onder een ander signaalpunt: {overlap}. "
                       "Een postcodegebied hoort bij één signaalpunt.").format(overlap=error))
    print(_("Signaalpunt {id} aangemaakt: {name}, postcodes {areas}.").format(
        id=point.id, name=point.name, areas=format_areas(areas)))
    routed = await signals.route_unrouted(session, utcnow())
    for signal in routed:
        await update_card(session, signal, get_i18n(), utcnow())
    if routed:
        print(ngettext("{count} eerder gemeld signaal uit deze postcodes gaat nu naar dit signaalpunt.",
                       "{count} eerder gemelde signalen uit deze postcodes gaan nu naar dit signaalpunt.",
                       len(routed)).format(count=len(routed)))
    if point.link_code:
        print(_("Koppelcode (eenmalig): {code}").format(code=point.link_code))
        print(_("Voeg de bot toe aan de Telegram-groep van de medewerkers en typ daar: /koppel {code}").format(
            code=point.link_code))
    return 0


async def _signals(session: Any, args: argparse.Namespace) -> int:
    waiting = await signals.unrouted(session)
    if not waiting:
        print(_("Er zijn geen signalen zonder signaalpunt."))
    for signal in waiting:
        print(_("{reference}  postcode {area}  gemeld {date}  ({count}× gemeld)").format(
            reference=signal.reference, area=signal.area, date=signal.created_at.date().isoformat(),
            count=len(signal.reports)))
    return 0


def _days(count: float) -> str:
    return f"{count:g}"


def _policy_line(point: Any) -> str:
    days = ",".join(list(sla_rules.DAY_NAMES)[int(day)] for day in point.weekdays)  # the Dutch names come first
    line = _("oppakken {claim} · contact {contact} · afronden {close} werkdagen · {days} {opens}-{closes} "
             "({zone})").format(claim=_days(point.claim_days), contact=_days(point.contact_days),
                                close=_days(point.close_days), days=days, opens=point.opens, closes=point.closes,
                                zone=point.time_zone)
    if point.closed_days:
        line += " · " + _("gesloten: {dates}").format(dates=", ".join(point.closed_days))
    line += " · " + _("coördinatoren: {count}").format(count=len(point.coordinators))
    line += " · " + (_("vangnet: {id}").format(id=point.fallback_chat_id) if point.fallback_chat_id
                     else _("geen vangnet"))
    return line


def _ids(text: str) -> list[int]:
    return [int(part) for part in text.replace(" ", "").split(",") if part]


async def _set_policy(session: Any, args: argparse.Namespace) -> int:
    point = await points.point_by_id(session, args.point_id)
    if point is None:
        return _fail(_("Er is geen signaalpunt met nummer {id}.").format(id=args.point_id))
    try:
        for name in ("claim", "contact", "close"):
            if getattr(args, name) is not None:
                setattr(point, f"{name}_days", getattr(args, name))
        if args.hours is not None:
            opens, closes = sla_rules.parse_hours(args.hours)
            point.opens, point.closes = opens.strftime("%H:%M"), closes.strftime("%H:%M")
        if args.days is not None:
            point.weekdays = "".join(str(day) for day in sorted(sla_rules.parse_weekdays(args.days)))
        if args.closed is not None:
            point.closed_days = sorted({date.fromisoformat(d).isoformat()
                                        for d in args.closed.replace(" ", "").split(",") if d})
        if args.time_zone is not None:
            point.time_zone = args.time_zone
        if args.coordinators is not None:
            point.coordinators = _ids(args.coordinators)
        if args.fallback is not None:
            point.fallback_chat_id = None if args.fallback.strip().lower() in ("", "geen", "none") \
                else int(args.fallback)
        sla_storage.policy_of(point)  # refuses what cannot work: closing before opening, claim > contact, ...
    except (ValueError, KeyError) as error:
        await session.rollback()
        return _fail(_("Deze instelling klopt niet ({error}). Voorbeeld: omzien points set-policy 1 --claim 1 "
                       "--contact 3 --close 10 --hours 09:00-17:00 --days ma-vr --closed 2026-12-24").format(
            error=type(error).__name__ if isinstance(error, KeyError) else error))
    await session.flush()
    print(_("Ingesteld voor {name}:").format(name=point.name))
    print("  " + _policy_line(point))
    return 0


def _moment(text: str | None) -> datetime:
    if not text:
        return utcnow()
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo("Europe/Amsterdam"))
    return moment.astimezone(UTC)


async def _sweep(settings: Settings, args: argparse.Namespace) -> int:
    try:
        now = _moment(args.at)
    except ValueError:
        return _fail(_("Dit tijdstip begrijp ik niet: {at}. Schrijf het zo: 2026-12-24T16:30.").format(at=args.at))
    engine = create_engine(settings.database_url)
    try:
        await prepare(engine)
        counts = await alerts.sweep(session_factory(engine), get_i18n(), now)
    finally:
        await engine.dispose()
    print(json.dumps({"at": now.isoformat(), **counts}, sort_keys=True))
    return 0


async def _sla_report(session: Any, args: argparse.Namespace) -> int:
    now = utcnow()
    try:
        since = (datetime.combine(date.fromisoformat(args.since), time(0), ZoneInfo("Europe/Amsterdam"))
                 if args.since else now - timedelta(days=90))
    except ValueError:
        return _fail(_("Deze datum begrijp ik niet: {since}. Schrijf hem zo: 2026-01-01.").format(since=args.since))
    chosen = [p for p in await points.all_points(session) if args.point is None or p.id == args.point]
    if not chosen:
        return _fail(_("Er is geen signaalpunt met nummer {id}.").format(id=args.point))
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


async def _offers(session: Any, args: argparse.Namespace) -> int:
    if args.offers_command == "search":
        return await _search(session, args)
    if args.offers_command == "export":
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
    path = Path(args.file)
    try:
        content = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        return _fail(_("Dit bestand kan ik niet lezen: {file} ({error}).").format(
            file=args.file, error=type(error).__name__))
    known = await offers_storage.method_ids(session)
    if path.suffix.lower() == ".json":
        try:
            found, errors = catalogue.read_hsds(json.loads(content), known)
        except json.JSONDecodeError as error:
            return _fail(_("Dit is geen geldige JSON: regel {line}, kolom {column}.").format(
                line=error.lineno, column=error.colno))
    else:
        found, errors = catalogue.read_csv(io.StringIO(content, newline=""), known)
    for error in errors:
        print(_("Regel {line}: {reason}").format(line=error.line, reason=error.reason), file=sys.stderr)
    if errors and not args.skip_invalid:
        return _fail(_("{count} fout(en): niets ingelezen. Verbeter het bestand, of lees alleen de goede regels in "
                       "met --skip-invalid.").format(count=len(errors)))
    stored = await offers_storage.store(session, found, offers_storage.IMPORTED)
    print(_("Ingelezen: {created} nieuw, {updated} bijgewerkt, {unchanged} ongewijzigd, {skipped} overgeslagen.")
          .format(created=stored.created, updated=stored.updated, unchanged=stored.unchanged,
                  skipped=len({e.line for e in errors})))
    return 0


async def _search(session: Any, args: argparse.Namespace) -> int:
    try:
        needs = frozenset(Need(n.strip()) for n in (args.needs or "").split(",") if n.strip())
    except ValueError:
        return _fail(_("Kies uit: {needs}.").format(needs=", ".join(n.value for n in Need)))
    area = None
    if args.postcode:
        if not args.postcode.strip()[:4].isdigit():
            return _fail(_("Een postcode begint met 4 cijfers, bijvoorbeeld 3044."))
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
