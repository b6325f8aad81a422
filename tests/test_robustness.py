"""When things go wrong: a failing handler, Telegram unreachable at start, and what reaches the logs."""

from __future__ import annotations

import asyncio
import logging
import sqlite3

import pytest
from aiogram import Bot
from aiogram.exceptions import TelegramNetworkError, TelegramUnauthorizedError
from aiogram.methods import GetMe, SetMyCommands
from sqlalchemy import select, text

from omzien.bot import app as app_module
from omzien.bot.app import StartupError, check_bot, register_commands
from omzien.core.i18n import load_i18n
from omzien.core.logs import configure_logging
from omzien.storage import outbox, signals
from omzien.storage.db import create_engine
from omzien.storage.models import OutboxMessage, Signal
from tests.conftest import KEYS, Omzien
from tests.telegram import FakeTelegram
from tests.test_signal_chain import NOTE, linked_group, report


async def test_a_failure_while_sending_loses_nothing_and_the_reporter_can_try_again(app: Omzien,
                                                                                   monkeypatch) -> None:
    piet = app.person("Piet")
    await report(piet, "3044 AB 12", contact=False, send=False)

    async def broken(*args, **kwargs):
        raise RuntimeError("database went away")

    original = signals.file_report
    monkeypatch.setattr(signals, "file_report", broken)
    await piet.taps("Versturen")
    assert "er ging bij mij iets mis" in piet.sees().text
    assert not any("Kenmerk" in text for text in app.telegram.texts_to(piet.user.id)), \
        "no confirmation without a committed signal"
    monkeypatch.setattr(signals, "file_report", original)
    await piet.taps("Versturen")
    assert any("Kenmerk" in m.text for m in app.telegram.shown(piet.user.id))
    async with app.sessions() as session:
        assert len((await session.scalars(select(Signal))).all()) == 1


async def test_at_start_an_unreachable_telegram_is_waited_for_and_a_wrong_token_stops(monkeypatch) -> None:
    telegram = FakeTelegram()
    failures = [TelegramNetworkError, TelegramNetworkError]
    telegram.fail(lambda m: failures.pop(0)(method=m, message="timeout") if failures and isinstance(m, GetMe)
                  else None)
    slept = []

    async def no_sleep(seconds: float) -> None:
        slept.append(seconds)

    monkeypatch.setattr(app_module.asyncio, "sleep", no_sleep)
    i18n = load_i18n()
    with i18n.context():
        me = await check_bot(Bot("4242:TEST-token", session=telegram))
        assert me.username == "omzien_test_bot" and slept == [1.0, 2.0]

        refusing = FakeTelegram()
        refusing.fail(lambda m: TelegramUnauthorizedError(method=m, message="Unauthorized"))
        with pytest.raises(StartupError, match="kent dit token niet"):
            await check_bot(Bot("4242:TEST-token", session=refusing))


async def test_the_command_menu_is_registered_in_both_languages() -> None:
    telegram = FakeTelegram()
    i18n = load_i18n()
    with i18n.context():
        await register_commands(Bot("4242:TEST-token", session=telegram), i18n)
    menus = {(r.scope.type, r.language_code): [c.command for c in r.commands] for r in telegram.sent(SetMyCommands)}
    assert menus[("all_private_chats", None)] == ["start", "melden", "taal", "cancel", "tips", "maandbericht", "help",
                                                  "privacy"]
    assert menus[("all_private_chats", "en")] == menus[("all_private_chats", None)]
    assert menus[("all_group_chats", None)] == ["open", "koppel"]
    english = next(r for r in telegram.sent(SetMyCommands) if r.language_code == "en" and len(r.commands) > 1)
    assert english.commands[1].description == "I am worried about someone"


async def test_the_address_and_the_note_never_reach_the_logs(app: Omzien, caplog) -> None:
    configure_logging(verbose=True)
    caplog.set_level(logging.DEBUG)
    anna = app.person("Anna")
    await anna.says("/start")
    group = await linked_group(app, anna)
    await report(app.person("Piet"), "3044 AB 287", note=NOTE)
    app.telegram.blocked.add(anna.user.id)  # so the sender logs a refusal on the claimer's private message
    await anna.taps("Ik pak dit op", in_=group)
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "Outbox row" in logged or "does not accept" in logged
    assert "287" not in logged and "3044 AB" not in logged and "3044AB" not in logged and NOTE not in logged


async def test_after_postgresql_restarted_the_next_update_is_answered_as_usual(app: Omzien, engine) -> None:
    """The pool holds connections the server closed (a restart, a failover): the first update notices, and is
    handled on a new connection, not answered with an error."""
    if engine.dialect.name != "postgresql":
        pytest.skip("about PostgreSQL's connections")
    piet = app.person("Piet")
    await piet.says("/start")
    welcome = piet.sees().text
    admin = create_engine(engine.url.render_as_string(hide_password=False), KEYS)
    async with admin.connect() as connection:
        closed = await connection.scalar(text(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"))
    await admin.dispose()
    assert closed >= 1, "the bot's pooled connections were closed"
    await piet.says("/start")
    assert piet.sees().text == welcome
    assert not any("er ging bij mij iets mis" in t for t in app.telegram.texts_to(piet.user.id))


async def test_every_filter_runs_on_the_event_loop(app: Omzien) -> None:
    """aiogram would run a plain function filter on a thread: four hand-offs for a check of microseconds."""
    def on_threads(router) -> list[object]:  # type: ignore[no-untyped-def]
        return [check.callback for observer in router.observers.values()
                for check in [*(observer._handler.filters or ()), *observer.handlers,
                              *(f for handler in observer.handlers for f in handler.filters or ())]
                if not check.awaitable] \
            + [found for child in router.sub_routers for found in on_threads(child)]

    assert on_threads(app.dispatcher) == []


async def test_while_another_process_writes_to_sqlite_the_bot_waits_without_stopping(engine, sessions) -> None:
    """A command writing to the same file (``omzien points add``, a backup) holds SQLite's write lock: a write
    of the bot waits for it without holding up the event loop, so other people's answers go on."""
    if engine.dialect.name != "sqlite":
        pytest.skip("about SQLite's one writer")
    other = sqlite3.connect(engine.url.database, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            ticks += 1

    async def write() -> None:
        async with sessions.begin() as session:
            outbox.send(session, 501, {"text": "na het wachten"})

    running = asyncio.create_task(ticker())
    writing = asyncio.create_task(write())
    await asyncio.sleep(0.5)
    assert not writing.done(), "it waited for the other writer"
    assert ticks >= 25, f"the event loop went on meanwhile ({ticks} ticks of 10 ms in 0.5 s)"
    other.execute("COMMIT")
    other.close()
    await asyncio.wait_for(writing, 5)
    running.cancel()
    async with sessions() as session:
        assert (await session.scalars(select(OutboxMessage.chat_id))).all() == [501]
