"""What every command needs: a clear sentence on failure, and a database transaction."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncEngine

from omzien.bot.database import NoKeys, engine_for
from omzien.core.i18n import gettext as _
from omzien.core.settings import Settings
from omzien.flows.sla import DUTCH_TIME
from omzien.storage.db import prepare, session_factory
from omzien.storage.models import utcnow

EXIT_USAGE = 2

Command = Callable[[Settings, argparse.Namespace], int]


def fail(sentence: str) -> int:
    print(sentence, file=sys.stderr)
    return EXIT_USAGE


def in_database(handler: Callable[[Any, argparse.Namespace], Awaitable[int]]) -> Command:
    """A command that runs ``handler(session, args)`` in one transaction on a migrated database."""

    async def with_database(settings: Settings, args: argparse.Namespace) -> int:
        engine = engine_for(settings)
        try:
            await prepare(engine)
            async with session_factory(engine).begin() as session:
                return await handler(session, args)
        finally:
            await engine.dispose()

    return lambda settings, args: _said(lambda: asyncio.run(with_database(settings, args)))


def on_engine(handler: Callable[[AsyncEngine, argparse.Namespace], Awaitable[int]]) -> Command:
    """A command that runs ``handler(engine, args)`` on a migrated database (for work in several transactions)."""

    async def with_engine(settings: Settings, args: argparse.Namespace) -> int:
        engine = engine_for(settings)
        try:
            await prepare(engine)
            return await handler(engine, args)
        finally:
            await engine.dispose()

    return lambda settings, args: _said(lambda: asyncio.run(with_engine(settings, args)))


def _said(command: Callable[[], int]) -> int:
    try:
        return command()
    except NoKeys as error:
        return fail(str(error))


def moment_or_say(text: str | None) -> datetime | None:
    """``moment``, or None after saying in one sentence how to write it."""
    try:
        return moment(text)
    except ValueError:
        fail(_("Dit tijdstip begrijp ik niet: {at}. Schrijf het zo: 2026-12-24T16:30.").format(at=text))
        return None


def moment(text: str | None) -> datetime:
    """A moment typed on the command line: Dutch time unless a time zone is given; now if empty."""
    if not text:
        return utcnow()
    value = datetime.fromisoformat(text)
    if value.tzinfo is None:
        value = value.replace(tzinfo=ZoneInfo(DUTCH_TIME))
    return value.astimezone(UTC)
