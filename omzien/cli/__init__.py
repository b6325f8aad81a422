"""The ``omzien`` command: one module per group of commands, each registering its own.

Only the chosen command's module is imported, so ``omzien points list`` loads the database and
nothing of the bot: ``commands()`` lists every command with its module and its line in ``omzien --help``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from importlib import import_module
from typing import Any

from omzien.core.i18n import Catalogues
from omzien.core.i18n import gettext as _
from omzien.core.settings import Settings


def commands() -> dict[str, tuple[str, str]]:
    """Every command: its module in ``omzien.cli``, and its line in ``omzien --help``."""
    return {
        "run": ("run", _("start de bot")),
        "db": ("run", _("de database beheren")),
        "demo": ("demo", _("probeer Omzien in de browser, zonder Telegram")),
        "points": ("points", _("signaalpunten instellen en bekijken")),
        "signals": ("points", _("signalen bekijken")),
        "partners": ("partners", _("partners met een eigen link, zoals een depot of apotheek")),
        "poster": ("partners", _("een poster (A4, PDF) en een afbeelding (PNG) met een QR-code")),
        "offers": ("offers", _("de catalogus van aanbod: inlezen, uitvoeren, zoeken")),
        "sla": ("sla", _("termijnen: herinneringen versturen en cijfers bekijken")),
        "stats": ("stats", _("cijfers voor de gemeente: signalen, opvolging, termijnen, inwoners")),
        "privacy": ("privacy", _("persoonsgegevens opruimen als hun tijd om is")),
        "audit": ("privacy", _("de geschiedenis van één signaal: wie deed wat, wanneer")),
    }


class Commands:
    """What a module's ``register`` adds its commands to: each gets its line from ``commands()``."""

    def __init__(self, subparsers: Any, lines: dict[str, str]) -> None:
        self.subparsers, self.lines = subparsers, lines

    def add_parser(self, name: str, **kwargs: Any) -> argparse.ArgumentParser:
        return self.subparsers.add_parser(name, **{"help": self.lines[name], **kwargs})


def build_parser(argv: Sequence[str]) -> argparse.ArgumentParser:
    """The parser of ``omzien``, complete for the command named in ``argv``; the others are listed only."""
    parser = argparse.ArgumentParser(
        prog="omzien",
        description=_("Omzien: signalen van eenzaamheid melden, oppakken en opvolgen via Telegram."),
        epilog=_("Instellingen komen uit de omgeving of uit .env: OMZIEN_BOT_TOKEN, OMZIEN_DATABASE_URL "
                 "(standaard een SQLite-bestand omzien.sqlite3 in deze map), OMZIEN_TELEGRAM_API_URL."),
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar=_("opdracht"))
    table = commands()
    lines = {name: line for name, (_module, line) in table.items()}
    named = next((arg for arg in argv if not arg.startswith("-")), None)
    chosen = table[named][0] if named in table else None
    for name, (module, line) in table.items():
        if name in subparsers.choices:
            continue  # added with the other commands of its module
        if module == chosen:
            import_module(f"omzien.cli.{module}").register(Commands(subparsers, lines))
        else:
            subparsers.add_parser(name, help=line)
    return parser


@contextmanager
def argparse_speaking(locale: str) -> Iterator[None]:
    """argparse's own words ("usage:", "error:") in ``locale``, from the catalogue ``argparse.po``.

    argparse looks up its module's ``_`` and ``ngettext`` (the stdlib's, domain 'argparse') each time
    it speaks, so they are swapped for the project's catalogue while the command line is parsed.
    """
    words = Catalogues(locale, domain="argparse")
    spoken = argparse._, argparse.ngettext  # type: ignore[attr-defined]
    argparse._ = words.gettext  # type: ignore[attr-defined]
    argparse.ngettext = words.gettext  # type: ignore[attr-defined]
    try:
        yield
    finally:
        argparse._, argparse.ngettext = spoken  # type: ignore[attr-defined]


def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    settings = Settings()
    with Catalogues(settings.language).context():
        with argparse_speaking(settings.language):
            args = build_parser(argv).parse_args(argv)
        return args.execute(settings, args)
