"""Logging that cannot leak an address or a note.

Exception messages may quote the data they choke on (a validation error shows its input), so
unexpected errors are logged by type and stack only, never by message. Database drivers that
log statements with their parameters are kept quiet, also with ``--verbose``.
"""

from __future__ import annotations

import logging
import traceback

QUIET = ("aiosqlite",)
"""Loggers that print statement parameters (so addresses and notes) at DEBUG: never below WARNING."""


def configure_logging(verbose: bool, quiet: bool = False) -> None:
    """INFO by default; DEBUG with ``verbose``; only warnings with ``quiet`` (the demo's console)."""
    logging.basicConfig(level=logging.DEBUG if verbose else logging.WARNING if quiet else logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for name in QUIET:
        logging.getLogger(name).setLevel(logging.WARNING)
    if not verbose:  # a line per minute that says the sweep ran is noise; the sweep logs what it sent
        logging.getLogger("apscheduler").setLevel(logging.WARNING)


def error_summary(error: BaseException) -> str:
    return f"{type(error).__name__}\n" + "".join(traceback.format_tb(error.__traceback__))
