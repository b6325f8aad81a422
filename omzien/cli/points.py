"""``omzien points`` and ``omzien signals``: signal points, their service level, and signals nobody covers."""

from __future__ import annotations

import argparse
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from omzien.cli.common import fail, in_database, on_engine
from omzien.core.i18n import get_i18n, ngettext
from omzien.core.i18n import gettext as _
from omzien.flows import sla
from omzien.flows.address import parse_address
from omzien.flows.figures import area_goals_of
from omzien.flows.routing import AreaRange, AreaSyntaxError, format_areas, parse_areas
from omzien.storage import points, signals
from omzien.storage.models import Point, utcnow


def register(commands: Any) -> None:
    point = commands.add_parser("points", description=_(
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
    policy.add_argument("--urgent", type=float, metavar=_("dagen"), help=_(
        "een dringend signaal (woorden die wijzen op gevaar of zelfdoding) oppakken binnen zoveel werkdagen "
        "(standaard 0,25: dezelfde dag)"))
    policy.add_argument("--claim-limit", type=int, metavar=_("aantal"), help=_(
        "meer oppakken dan dit binnen --claim-window minuten is ongewoon: de coördinatoren moeten het toestaan "
        "(standaard 5)"))
    policy.add_argument("--claim-window", type=int, metavar=_("minuten"), help=_("standaard 10"))
    policy.add_argument("--retention", type=int, metavar=_("dagen"), help=_(
        "zoveel dagen na het afronden verdwijnen de persoonsgegevens van een signaal (standaard 90)"))
    policy.add_argument("--follow-up", type=int, metavar=_("weken"), help=_(
        "zoveel werkweken na afronden met contact of een verwijzing vraagt Omzien „Hoe gaat het nu?” (standaard 4)"))
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
    goals = point_commands.add_parser("set-goals", help=_("doelen: welk deel binnen de termijn"), description=_(
        "De doelen van het signaalpunt (Kwaliteitskompas): welk deel van de signalen binnen de termijn wordt "
        "opgepakt, gecontacteerd en afgerond. omzien stats en /cijfers zetten de cijfers ernaast."))
    goals.add_argument("point_id", type=int, metavar=_("nummer"), help=_("het nummer van het signaalpunt"))
    for option in ("--claim-within", "--contact-within", "--close-within"):
        goals.add_argument(option, metavar="90%", help=_("een percentage, bijvoorbeeld 90%%"))
    goals.add_argument("--signals-per-area", metavar="3044=20", help=_(
        "zoveel signalen per jaar uit een postcodegebied, bijvoorbeeld 3044=20,3045=15 (0 wist het doel)"))
    for name, handler in (("add", add_point), ("list", list_points), ("code", new_code), ("set-policy", set_policy),
                          ("set-goals", set_goals)):
        point_commands.choices[name].set_defaults(execute=in_database(handler))

    signal = commands.add_parser("signals")
    signal_commands = signal.add_subparsers(dest="signals_command", required=True, metavar=_("opdracht"))
    signal_commands.add_parser("unrouted", help=_(
        "signalen uit postcodes waar geen signaalpunt voor is (alleen kenmerk, postcodegebied en datum)"))
    signal_commands.choices["unrouted"].set_defaults(execute=in_database(unrouted))
    erase = signal_commands.add_parser("erase", help=_("alle persoonsgegevens van één adres nu verwijderen"),
                                       description=_(
        "Als een bewoner bezwaar maakt: van elk signaal op dit adres verdwijnen nu huisnummer, toelichtingen, "
        "telefoonnummer, melders en medewerker; een open signaal wordt afgesloten. Wat anoniem is (postcodegebied, "
        "wat gezien is, de tijden) blijft voor de cijfers. Elk signaal krijgt daarvan een gebeurtenis."))
    erase.add_argument("--address", required=True, metavar="\"3044 AB 12\"", help=_("postcode en huisnummer"))
    erase.set_defaults(execute=on_engine(erase_address))


async def new_code(session: Any, args: argparse.Namespace) -> int:
    point = await points.point_by_id(session, args.point_id)
    if point is None:
        return fail(_("Er is geen signaalpunt met nummer {id}.").format(id=args.point_id))
    code = await points.renew_link_code(session, point)
    print(_("Nieuwe koppelcode voor {name}: {code}").format(name=point.name, code=code))
    print(_("Typ in de Telegram-groep van de medewerkers: /koppel {code}").format(code=code))
    return 0


async def list_points(session: Any, args: argparse.Namespace) -> int:
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


async def add_point(session: Any, args: argparse.Namespace) -> int:
    from omzien import services  # it renders Telegram cards: the other commands need not load them

    try:
        areas = parse_areas(args.postcodes)
    except AreaSyntaxError as error:
        return fail(_("Deze postcodes begrijp ik niet: „{part}”. Schrijf ze zo: 3040-3059,3061.").format(
            part=error))
    try:
        added = await services.points.add_point(session, get_i18n(), args.name.strip(), areas, args.group_chat_id,
                                                utcnow())
    except points.NameTaken:
        return fail(_("Er is al een signaalpunt met de naam {name}.").format(name=args.name))
    except points.AreasTaken as error:
        return fail(_("Deze postcodes vallen al onder een ander signaalpunt: {overlap}. "
                      "Een postcodegebied hoort bij één signaalpunt.").format(overlap=error))
    point = added.point
    print(_("Signaalpunt {id} aangemaakt: {name}, postcodes {areas}.").format(
        id=point.id, name=point.name, areas=format_areas(areas)))
    if added.routed:
        print(ngettext("{count} eerder gemeld signaal uit deze postcodes gaat nu naar dit signaalpunt.",
                       "{count} eerder gemelde signalen uit deze postcodes gaan nu naar dit signaalpunt.",
                       added.routed).format(count=added.routed))
    if point.link_code:
        print(_("Koppelcode (eenmalig): {code}").format(code=point.link_code))
        print(_("Voeg de bot toe aan de Telegram-groep van de medewerkers en typ daar: /koppel {code}").format(
            code=point.link_code))
    return 0


async def erase_address(engine: AsyncEngine, args: argparse.Namespace) -> int:
    from omzien.services import privacy

    address = parse_address(args.address)
    if address is None:
        return fail(_("Dit adres begrijp ik niet: {address}. Schrijf het zo: \"3044 AB 12\".").format(
            address=args.address))
    references = await privacy.erase(engine, address, utcnow())
    print(ngettext("{count} signaal geanonimiseerd: {references}", "{count} signalen geanonimiseerd: {references}",
                   len(references)).format(count=len(references), references=", ".join(references) or "-"))
    return 0


async def unrouted(session: Any, args: argparse.Namespace) -> int:
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


def _policy_line(point: Point) -> str:
    days = ",".join(list(sla.DAY_NAMES)[int(day)] for day in point.weekdays)  # the Dutch names come first
    line = _("oppakken {claim} (dringend {urgent}) · contact {contact} · afronden {close} werkdagen · {days} "
             "{opens}-{closes} ({zone})").format(claim=_days(point.claim_days), urgent=_days(point.urgent_claim_days),
                                                contact=_days(point.contact_days), close=_days(point.close_days),
                                                days=days, opens=point.opens, closes=point.closes, zone=point.time_zone)
    if point.closed_days:
        line += " · " + _("gesloten: {dates}").format(dates=", ".join(point.closed_days))
    line += " · " + _("bewaren: {days} dagen na afronden").format(days=point.retention_days)
    line += " · " + _("coördinatoren: {count}").format(count=len(point.coordinators))
    line += " · " + (_("vangnet: {id}").format(id=point.fallback_chat_id) if point.fallback_chat_id
                     else _("geen vangnet"))
    return line


def _ids(text: str) -> list[int]:
    return [int(part) for part in text.replace(" ", "").split(",") if part]


async def set_policy(session: Any, args: argparse.Namespace) -> int:
    point = await points.point_by_id(session, args.point_id)
    if point is None:
        return fail(_("Er is geen signaalpunt met nummer {id}.").format(id=args.point_id))
    try:
        fallback: int | points.Unset | None = points.UNSET
        if args.fallback is not None:
            fallback = None if args.fallback.strip().lower() in ("", "geen", "none") else int(args.fallback)
        await points.set_policy(
            session, point, claim=args.claim, contact=args.contact, close=args.close, urgent=args.urgent,
            retention=args.retention, claim_limit=args.claim_limit, claim_window=args.claim_window,
            follow_up_weeks=args.follow_up,
            hours=sla.parse_hours(args.hours) if args.hours is not None else None,
            weekdays=sla.parse_weekdays(args.days) if args.days is not None else None,
            closed_days=None if args.closed is None else [date.fromisoformat(d)
                                                          for d in args.closed.replace(" ", "").split(",") if d],
            time_zone=args.time_zone,
            coordinators=_ids(args.coordinators) if args.coordinators is not None else None, fallback=fallback)
    except (ValueError, KeyError) as error:
        return fail(_("Deze instelling klopt niet ({error}). Voorbeeld: omzien points set-policy 1 --claim 1 "
                      "--contact 3 --close 10 --hours 09:00-17:00 --days ma-vr --closed 2026-12-24").format(
            error=type(error).__name__ if isinstance(error, KeyError) else error))
    print(_("Ingesteld voor {name}:").format(name=point.name))
    print("  " + _policy_line(point))
    return 0


def _share(text: str | None) -> float | None:
    if text is None:
        return None
    return float(text.strip().rstrip("%").replace(",", ".")) / 100


async def set_goals(session: Any, args: argparse.Namespace) -> int:
    point = await points.point_by_id(session, args.point_id)
    if point is None:
        return fail(_("Er is geen signaalpunt met nummer {id}.").format(id=args.point_id))
    try:
        areas = area_goals_of(args.signals_per_area) if args.signals_per_area else None
    except ValueError:
        return fail(_("Een doel per gebied schrijft u zo: --signals-per-area 3044=20,3045=15"))
    try:
        await points.set_goals(session, point, claim=_share(args.claim_within), contact=_share(args.contact_within),
                               close=_share(args.close_within), areas=areas)
    except ValueError:
        return fail(_("Een doel is een percentage van 0 tot 100, voor een gebied van het signaalpunt. Voorbeeld: "
                      "omzien points set-goals 1 --claim-within 90% --signals-per-area 3044=20"))
    print(_("Doelen voor {name}: oppakken {claim}, contact {contact}, afronden {close} binnen de termijn.").format(
        name=point.name, **{step: "-" if goal is None else f"{goal:.0%}" for step, goal in (
            ("claim", point.goal_claim), ("contact", point.goal_contact), ("close", point.goal_close))}))
    if point.area_goals:
        print(_("Signalen per jaar: {goals}.").format(
            goals=", ".join(f"{area}: {goal}" for area, goal in sorted(point.area_goals.items()))))
    return 0
