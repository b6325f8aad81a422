"""Time to handle an update, Omzien against a bare aiogram echo bot, in the same run.

Both dispatchers get the same kinds of updates and answer through the same in-process
Telegram stand-in (no network). Omzien's time includes its database transaction, the
conversation state and sending the outbox. SQLite always, and each ``--database-url`` given
(PostgreSQL), in the same run. Prints JSON; the ratio is what to compare, by the clock and by this process's
CPU time (which other work on the machine moves less). The statements and transactions per update are
counted apart for handling the update and for sending its answers.

A third bot gives the floor of a durable bot on the same engine: the echo bot that queues each answer as an
outbox row in one transaction and marks it sent in another (``floor_ratio``).

    python bench/update_handling.py [--reports 200] [--database-url postgresql+asyncpg://...]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from pathlib import Path

from aiogram import Bot, Dispatcher, F
from aiogram.types import CallbackQuery, Chat, Message, Update, User
from sqlalchemy import JSON, bindparam, event, insert, text, update
from sqlalchemy.ext.asyncio import AsyncEngine

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from omzien.bot.app import make_dispatcher
from omzien.bot.sender import RateLimiter, Sender
from omzien.core.i18n import load_i18n
from omzien.core.settings import Settings
from omzien.storage.db import create_engine, session_factory, upgrade
from omzien.storage.models import OutboxMessage, utcnow
from omzien.storage.sealing import Keyring
from tests.telegram import BOT_USER, FakeTelegram, inline

STEPS = ["3044 AB {n}", "tap:Overvolle brievenbus", "tap:Verder", "tap:Weet ik niet", "tap:Overslaan",
         "tap:Nee", "tap:Versturen"]


class Counter:
    """Statements and transactions on an engine, counted apart while handling and while sending."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.phase = "handling"
        self.counts = {"handling": [0, 0], "sending": [0, 0]}
        self.seconds = {"handling": 0.0, "sending": 0.0}
        self.since = time.perf_counter()
        event.listen(engine.sync_engine, "before_cursor_execute", self._statement)
        event.listen(engine.sync_engine, "begin", self._transaction)

    def switch(self, phase: str) -> None:
        now = time.perf_counter()
        self.seconds[self.phase] += now - self.since
        self.phase, self.since = phase, now

    def _statement(self, *_args: object) -> None:
        self.counts[self.phase][0] += 1

    def _transaction(self, *_args: object) -> None:
        self.counts[self.phase][1] += 1

    def per_update(self, updates: int) -> dict[str, float]:
        self.switch(self.phase)
        return {f"{what}_per_update_{phase}": round(count[i] / updates, 1)
                for phase, count in self.counts.items() for i, what in enumerate(("statements", "transactions"))} \
            | {f"ms_per_update_{phase}": round(seconds / updates * 1000, 3) for phase, seconds in self.seconds.items()}


class Driver:
    def __init__(self, dispatcher: Dispatcher, bot: Bot, telegram: FakeTelegram, after=None,
                 counter: Counter | None = None) -> None:
        self.dispatcher, self.bot, self.telegram, self.after = dispatcher, bot, telegram, after
        self.counter = counter
        self.update_id = 0

    async def feed(self, user: User, step: str, n: int) -> None:
        self.update_id += 1
        chat = Chat(id=user.id, type="private")
        if step.startswith("tap:"):
            label = step[4:]
            shown = [m for m in self.telegram.shown(user.id) if any(label in b for b in m.buttons)]
            on = shown[-1] if shown else self.telegram.last(user.id)
            data = on.data_of(label) if shown else "echo"
            message = Message(message_id=on.message_id, date=utcnow(), chat=chat, from_user=BOT_USER,
                              text=on.text, reply_markup=inline(on.markup))
            update = Update(update_id=self.update_id, callback_query=CallbackQuery(
                id=str(self.update_id), from_user=user, chat_instance="bench", message=message, data=data))
        else:
            update = Update(update_id=self.update_id, message=Message(
                message_id=self.update_id, date=utcnow(), chat=chat, from_user=user, text=step.format(n=n)))
        if self.counter:
            self.counter.switch("handling")
        result = await self.dispatcher.feed_update(self.bot, update)
        if result is not None and hasattr(result, "as_"):
            await self.bot(result)
        if self.after:
            if self.counter:
                self.counter.switch("sending")
            await self.after()

    async def run(self, reports: int) -> tuple[float, float]:
        """Milliseconds per update: wall-clock, and this process's CPU time (less moved by other work on the
        machine; a hand-off between threads costs CPU too)."""
        users = [User(id=10_000 + i, is_bot=False, first_name="Bench") for i in range(reports)]
        start, cpu = time.perf_counter(), time.process_time()
        for n, user in enumerate(users, 1):
            for step in STEPS:
                await self.feed(user, step, n)
        updates = reports * len(STEPS)
        return (time.perf_counter() - start) / updates * 1000, (time.process_time() - cpu) / updates * 1000


def echo_dispatcher() -> Dispatcher:
    dispatcher = Dispatcher()

    @dispatcher.message(F.text)
    async def echo(message: Message) -> None:
        await message.answer(message.text or "")

    @dispatcher.callback_query()
    async def tapped(callback: CallbackQuery):  # type: ignore[no-untyped-def]
        await callback.message.answer("ok")
        return callback.answer()

    return dispatcher


async def echo(reports: int) -> tuple[float, float]:
    telegram = FakeTelegram()
    return await Driver(echo_dispatcher(), Bot("4242:BENCH", session=telegram), telegram).run(reports)


def floor_dispatcher(sessions) -> Dispatcher:  # type: ignore[no-untyped-def]
    """The echo bot made durable the least a bot can: each update one write transaction that queues its answer
    as a row, and one more that marks it sent. What Omzien costs above this is its own work."""
    dispatcher = Dispatcher()
    table = OutboxMessage.__table__
    queue = insert(table).values(chat_id=bindparam("chat"), method="send", payload=bindparam("payload", type_=JSON))

    async def answer(chat_id: int, text: str) -> None:
        async with sessions.begin() as session:
            row = (await session.execute(queue.returning(table.c.id), {"chat": chat_id, "payload": {"text": text}}))
            row_id = row.scalar_one()
        await dispatcher["bot"].send_message(chat_id, text)
        async with sessions.begin() as session:
            await session.execute(update(table).where(table.c.id == row_id).values(status="sent", payload={}))

    @dispatcher.message(F.text)
    async def echo(message: Message) -> None:
        await answer(message.chat.id, message.text or "")

    @dispatcher.callback_query()
    async def tapped(callback: CallbackQuery):  # type: ignore[no-untyped-def]
        await answer(callback.message.chat.id, "ok")
        return callback.answer()

    return dispatcher


async def floor(url: str, reports: int) -> tuple[float, float]:
    engine = await fresh_engine(url)
    telegram = FakeTelegram()
    bot = Bot("4242:BENCH", session=telegram)
    dispatcher = floor_dispatcher(session_factory(engine))
    dispatcher["bot"] = bot
    try:
        return await Driver(dispatcher, bot, telegram).run(reports)
    finally:
        await engine.dispose()


async def fresh_engine(url: str) -> AsyncEngine:
    """An engine on an empty database: a PostgreSQL database given to a bench is emptied first."""
    engine = create_engine(url, Keyring.generate())
    if engine.dialect.name == "postgresql":
        async with engine.begin() as connection:
            await connection.execute(text("DROP SCHEMA public CASCADE"))
            await connection.execute(text("CREATE SCHEMA public"))
    await upgrade(engine)
    return engine


async def omzien(url: str, reports: int) -> tuple[tuple[float, float], Counter]:
    engine = await fresh_engine(url)
    sessions = session_factory(engine)
    telegram = FakeTelegram()
    bot = Bot("4242:BENCH", session=telegram)
    sender = Sender(bot, sessions, limiter=RateLimiter(per_second=10**6, chat_interval=0, group_per_minute=10**6))
    dispatcher = make_dispatcher(sessions, load_i18n(), Settings(), sender.wake)
    counter = Counter(engine)
    try:
        return await Driver(dispatcher, bot, telegram, after=sender.drain, counter=counter).run(reports), counter
    finally:
        await engine.dispose()


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reports", type=int, default=200)
    parser.add_argument("--database-url", action="append", default=[],
                        help="also this scratch database (PostgreSQL; emptied first); SQLite always")
    args = parser.parse_args()
    updates = args.reports * len(STEPS)
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for url in [f"sqlite+aiosqlite:///{tmp}/bench.sqlite3", *args.database_url]:
            (echo_ms, echo_cpu) = await echo(args.reports)  # right before each database: a busy machine changes both
            (floor_ms, floor_cpu) = await floor(url, args.reports)
            (omzien_ms, omzien_cpu), counter = await omzien(url, args.reports)
            results.append({"database": url.split("+")[0], "echo_ms_per_update": round(echo_ms, 3),
                            "omzien_ms_per_update": round(omzien_ms, 3), "ratio": round(omzien_ms / echo_ms, 1),
                            "echo_cpu_ms_per_update": round(echo_cpu, 3),
                            "omzien_cpu_ms_per_update": round(omzien_cpu, 3),
                            "cpu_ratio": round(omzien_cpu / echo_cpu, 1),
                            "floor_ms_per_update": round(floor_ms, 3), "floor_ratio": round(floor_ms / echo_ms, 1),
                            "floor_cpu_ratio": round(floor_cpu / echo_cpu, 1), **counter.per_update(updates)})
    print(json.dumps({"benchmark": "update_handling", "updates": updates, "results": results}, indent=2))


if __name__ == "__main__":
    asyncio.run(main())
