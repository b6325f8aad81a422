"""The ``omzien`` command: one module per group of commands, each registering its own."""

from __future__ import annotations

import argparse

from aiogram.utils.i18n import gettext as _

from omzien.cli import demo, offers, partners, points, privacy, run, sla, stats
from omzien.core.i18n import load_i18n
from omzien.core.settings import Settings

GROUPS = (run, demo, points, partners, offers, sla, stats, privacy)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="omzien",
        description=_("Omzien: signalen van eenzaamheid melden, oppakken en opvolgen via Telegram."),
        epilog=_("Instellingen komen uit de omgeving of uit .env: OMZIEN_BOT_TOKEN, OMZIEN_DATABASE_URL "
                 "(standaard een SQLite-bestand omzien.sqlite3 in deze map), OMZIEN_TELEGRAM_API_URL."),
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar=_("opdracht"))
    for group in GROUPS:
        group.register(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    settings = Settings()
    i18n = load_i18n(settings.language)
    with i18n.context():
        args = build_parser().parse_args(argv)
        return args.execute(settings, args)
