"""``omzien partners`` and ``omzien poster``: organisations that make a point known, their links and posters."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path
from typing import Any

from omzien import services
from omzien.cli.common import fail, in_database
from omzien.core.i18n import gettext as _
from omzien.core.settings import Settings
from omzien.flows.signallers import partner_link, start_link
from omzien.storage import partners, points
from omzien.storage.models import utcnow
from omzien.views.poster import Poster, write_pdf, write_png


def register(commands: Any) -> None:
    partner = commands.add_parser("partners",
                                  description=_(
        "Een partner maakt het signaalpunt bekend, bijvoorbeeld met een poster. Wie via de link van de partner "
        "begint, telt mee voor die partner. Alleen aantallen; nooit wie."))
    partner_commands = partner.add_subparsers(dest="partners_command", required=True, metavar=_("opdracht"))
    add = partner_commands.add_parser("add", help=_("een partner toevoegen en zijn link tonen"))
    add.add_argument("--point", type=int, required=True, metavar=_("nummer"), help=_("het nummer van het signaalpunt"))
    add.add_argument("--name", required=True, help=_("naam, bijvoorbeeld \"PostNL depot Rotterdam-Noord\""))
    _bot_option(add)
    add.set_defaults(execute=_with_username(add_partner))
    listing = partner_commands.add_parser("list", help=_("alle partners en hoeveel mensen via hun link begonnen"))
    _bot_option(listing)
    listing.set_defaults(execute=_with_username(list_partners, required=False))

    poster = commands.add_parser("poster",
                                 description=_(
        "Maakt een poster om op te hangen: A4 als PDF, en een vierkante PNG voor sociale media ernaast. "
        "Met --partner leidt de QR-code naar de link van die partner."))
    poster.add_argument("--point", type=int, required=True, metavar=_("nummer"),
                        help=_("het nummer van het signaalpunt"))
    poster.add_argument("--partner", type=int, metavar=_("nummer"), help=_("het nummer van de partner"))
    poster.add_argument("--output", type=Path, default=Path("poster.pdf"),
                        help=_("het PDF-bestand (standaard poster.pdf)"))
    _bot_option(poster)
    poster.set_defaults(execute=_with_username(make_poster))


def _bot_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--bot-username", metavar="omzien_bot", help=_(
        "de naam van de bot in Telegram (anders OMZIEN_BOT_USERNAME, of Telegram vragen met OMZIEN_BOT_TOKEN)"))


def _with_username(handler: Any, required: bool = True) -> Any:
    """The command, with ``args.bot_username`` filled in the way ``omzien run`` learns it: from Telegram."""
    command = in_database(handler)

    def execute(settings: Settings, args: argparse.Namespace) -> int:
        args.bot_username = args.bot_username or settings.bot_username
        if not args.bot_username and settings.bot_token:
            args.bot_username = asyncio.run(_ask_telegram(settings))
        if required and not args.bot_username:
            return fail(_("Ik weet de naam van de bot niet. Geef --bot-username, zet OMZIEN_BOT_USERNAME, "
                          "of zet OMZIEN_BOT_TOKEN zodat ik het Telegram kan vragen."))
        return command(settings, args)

    return execute


async def _ask_telegram(settings: Settings) -> str | None:
    from omzien.bot.app import make_bot

    assert settings.bot_token is not None
    bot = make_bot(settings.bot_token.get_secret_value().strip(), settings.telegram_api_url)
    try:
        return (await bot.get_me()).username
    except Exception:
        return None
    finally:
        await bot.session.close()


async def add_partner(session: Any, args: argparse.Namespace) -> int:
    try:
        partner = await services.signallers.add_partner(session, args.point, args.name.strip(), utcnow())
    except services.signallers.NoSuchPoint:
        return fail(_("Er is geen signaalpunt met nummer {id}.").format(id=args.point))
    print(_("Partner {id} aangemaakt: {name}, voor {point}.").format(id=partner.id, name=partner.name,
                                                                     point=partner.point.name))
    print(_("Link: {link}").format(link=partner_link(args.bot_username, partner.code)))
    print(_("Poster: omzien poster --point {point} --partner {id} --output poster.pdf").format(
        point=partner.point_id, id=partner.id))
    return 0


async def list_partners(session: Any, args: argparse.Namespace) -> int:
    figures = await services.signallers.partner_figures(session)
    if not figures:
        print(_("Er zijn nog geen partners. Voeg er een toe met: omzien partners add --point 1 --name \"…\""))
    for figure in figures:
        link = partner_link(args.bot_username, figure.code) if args.bot_username else f"start=p-{figure.code}"
        print(f"{figure.id:>3}  {figure.name}  ·  {figure.point}  ·  " +
              _("via de link begonnen: {count}").format(count=figure.started) + f"  ·  {link}")
    return 0


async def make_poster(session: Any, args: argparse.Namespace) -> int:
    point = await points.point_by_id(session, args.point)
    if point is None:
        return fail(_("Er is geen signaalpunt met nummer {id}.").format(id=args.point))
    link, partner_name = start_link(args.bot_username), None
    if args.partner is not None:
        partner = await partners.partner_by_id(session, args.partner)
        if partner is None or partner.point_id != point.id:
            return fail(_("Signaalpunt {point} heeft geen partner met nummer {id}.").format(point=point.id,
                                                                                          id=args.partner))
        link, partner_name = partner_link(args.bot_username, partner.code), partner.name
    poster = Poster(point.name, link, args.bot_username, partner_name)
    output: Path = args.output
    image = output.with_suffix(".png")
    try:
        write_pdf(poster, output)
        write_png(poster, image)
    except OSError as error:
        return fail(_("Kan de poster niet schrijven: {reason}.").format(reason=error.strerror or error))
    print(_("Poster: {pdf} (A4) en {png} (voor sociale media). De QR-code leidt naar {link}").format(
        pdf=output, png=image, link=link))
    return 0
