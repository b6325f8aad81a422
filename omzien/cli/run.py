"""``omzien run`` and ``omzien db``: the bot itself, and its database."""

from __future__ import annotations

import argparse
import asyncio
from typing import Any

from omzien.cli.common import fail, in_database
from omzien.core.i18n import gettext as _
from omzien.core.logs import configure_logging
from omzien.core.settings import Settings


def register(commands: Any) -> None:
    run = commands.add_parser("run", description=_(
        "Start de bot (long polling, of met --webhook-url een webhook). Maakt eerst de database aan of werkt "
        "hem bij. Nodig: OMZIEN_BOT_TOKEN. "
        "Optioneel: OMZIEN_DATABASE_URL (standaard sqlite+aiosqlite:///omzien.sqlite3) en "
        "OMZIEN_TELEGRAM_API_URL (een andere Bot API-server; verzoeken gaan dan naar {base}/bot{token}/{method}). "
        "Stoppen met Ctrl-C."))
    run.add_argument("--database-url", help=_("database, bijvoorbeeld postgresql+asyncpg://user@host/db "
                                              "(gaat voor op OMZIEN_DATABASE_URL)"))
    run.add_argument("--telegram-api-url", help=_("basis-URL van een andere Bot API-server "
                                                  "(gaat voor op OMZIEN_TELEGRAM_API_URL)"))
    run.add_argument("--webhook-url", help=_("https-adres waarop Telegram de berichten aflevert, in plaats van "
                                             "long polling (gaat voor op OMZIEN_WEBHOOK_URL)"))
    run.add_argument("--listen", help=_("adres en poort voor de webhook en voor /healthz, /readyz en /metrics, "
                                        "zoals 127.0.0.1:8081 (gaat voor op OMZIEN_LISTEN)"))
    run.add_argument("-v", "--verbose", action="store_true", help=_("meer meldingen in het logboek"))
    run.set_defaults(execute=run_bot)

    db = commands.add_parser("db")
    db_commands = db.add_subparsers(dest="db_command", required=True, metavar=_("opdracht"))
    db_commands.add_parser("upgrade", help=_("de database aanmaken of bijwerken naar de nieuwste versie")
                           ).set_defaults(execute=in_database(upgraded))


def run_bot(settings: Settings, args: argparse.Namespace) -> int:
    from aiogram.utils.token import TokenValidationError, validate_token

    from omzien.bot.app import StartupError, run

    if args.database_url:
        settings.database_url = args.database_url
    if args.telegram_api_url:
        settings.telegram_api_url = args.telegram_api_url
    settings.webhook_url = args.webhook_url or settings.webhook_url
    settings.listen = args.listen or settings.listen
    token = settings.bot_token.get_secret_value().strip() if settings.bot_token else ""
    if not token:
        return fail(_("OMZIEN_BOT_TOKEN ontbreekt: vraag een token aan bij @BotFather in Telegram en zet het "
                      "in de omgeving of in een bestand .env (OMZIEN_BOT_TOKEN=...)."))
    try:
        validate_token(token)
    except TokenValidationError:
        return fail(_("OMZIEN_BOT_TOKEN is geen geldig Telegram-token: het hoort eruit te zien als "
                      "123456789:AAE... (cijfers, een dubbele punt, dan letters en cijfers)."))
    configure_logging(args.verbose)
    try:
        asyncio.run(run(settings, token))
    except StartupError as error:
        return fail(str(error))
    except KeyboardInterrupt:
        pass
    return 0


async def upgraded(session: Any, args: argparse.Namespace) -> int:
    print(_("De database is bijgewerkt."))
    return 0
