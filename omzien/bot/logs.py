"""Logging that cannot leak an address or a note.

Exception messages may quote the data they choke on (a validation error shows its input), so
unexpected errors are logged by type and stack only, never by message.
"""

from __future__ import annotations

import traceback


def error_summary(error: BaseException) -> str:
    return f"{type(error).__name__}\n" + "".join(traceback.format_tb(error.__traceback__))
