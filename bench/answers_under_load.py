"""How fast people get an answer when many use the bot at once: serial (one update at a time) against concurrent.

Simulated people each play the report conversation (the steps of bench/update_handling.py), pausing
``--think-ms`` (±50 %) before each step, against the real dispatcher, polling and outbox sender.
Telegram is an in-process stand-in with a round trip of ``--rtt-ms`` on every request (half there,
half back), getUpdates included. Measured: from the moment an update is at Telegram to the moment
its answer is: the first message sent to or edited in the chat for a message, the callback answered
for a tap. SQLite always, and each ``--database-url`` (a scratch PostgreSQL database; emptied first).
Prints JSON, with concurrent/serial ratios of the same run.

    python bench/answers_under_load.py [--people 16 64] [--rtt-ms 0 20] [--database-url URL]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiogram import Bot
from aiogram.methods import AnswerCallbackQuery, EditMessageText, GetUpdates, SendMessage, SendPhoto, TelegramMethod
from aiogram.types import CallbackQuery, Chat, Message, Update, User

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.update_handling import STEPS, fresh_engine
from omzien.bot.app import make_dispatcher
from omzien.bot.polling import Polling
from omzien.bot.sender import RateLimiter, Sender
from omzien.core.i18n import load_i18n
from omzien.core.settings import Settings
from omzien.storage.db import session_factory
from omzien.storage.models import utcnow
from tests.telegram import BOT_USER, FakeTelegram, inline


@dataclass
class Telegram(FakeTelegram):
    """The test stand-in with a round trip, a long poll that wakes when an update comes in, and watchers."""

    rtt: float = 0.0
    watchers: list[tuple[Callable[[TelegramMethod[Any]], bool], asyncio.Future[float]]] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__post_init__()
        self.arrived = asyncio.Event()
        self.changed = asyncio.Event()

    def push(self, update: Update) -> float:
        self.updates.append(update)
        self.arrived.set()
        return time.perf_counter()

    def watch(self, predicate: Callable[[TelegramMethod[Any]], bool]) -> asyncio.Future[float]:
        future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self.watchers.append((predicate, future))
        return future

    async def make_request(self, bot: Bot, method: TelegramMethod[Any], timeout: int | None = None) -> Any:
        await asyncio.sleep(self.rtt / 2)
        result = await super().make_request(bot, method, timeout)
        now = time.perf_counter()
        for watcher in [w for w in self.watchers if w[0](method)]:
            self.watchers.remove(watcher)
            watcher[1].set_result(now)
        self.changed.set()
        self.changed = asyncio.Event()
        await asyncio.sleep(self.rtt / 2)
        return result

    async def _get_updates(self, method: GetUpdates) -> list[Update]:
        self.offsets.append(method.offset)
        if method.offset is not None:
            self.updates = [u for u in self.updates if u.update_id >= method.offset]
        if not self.updates and method.timeout:
            self.arrived.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.arrived.wait(), method.timeout)
        return self.updates[:method.limit or 100]

    async def until(self, condition: Callable[[], bool]) -> None:
        while not condition():
            await asyncio.wait_for(self.changed.wait(), 60)


class People:
    def __init__(self, telegram: Telegram, think: float, reports: int) -> None:
        self.telegram, self.think, self.reports = telegram, think, reports
        self.update_ids = itertools.count(1)
        self.latencies: list[float] = []

    async def play(self, number: int) -> None:
        user = User(id=20_000 + number, is_bot=False, first_name="Bench")
        chat = Chat(id=user.id, type="private")
        for report in range(self.reports):
            for step in STEPS:
                await asyncio.sleep(self.think * random.uniform(0.5, 1.5))
                if step.startswith("tap:"):
                    label = step[4:]
                    await self.telegram.until(lambda label=label: self._with_button(chat.id, label) is not None)
                    update, answered = self._tap(user, chat, label, next(self.update_ids))
                else:
                    update, answered = self._says(user, chat, step.format(n=number * 100 + report + 1),
                                                  next(self.update_ids))
                arrived = self.telegram.push(update)
                self.latencies.append((await asyncio.wait_for(answered, 60)) - arrived)

    def _tap(self, user: User, chat: Chat, label: str, update_id: int) -> tuple[Update, asyncio.Future[float]]:
        on = self._with_button(chat.id, label)
        message = Message(message_id=on.message_id, date=utcnow(), chat=chat, from_user=BOT_USER,
                          text=on.text, reply_markup=inline(on.markup))
        update = Update(update_id=update_id, callback_query=CallbackQuery(
            id=str(update_id), from_user=user, chat_instance="bench", message=message, data=on.data_of(label)))
        return update, self.telegram.watch(
            lambda m: isinstance(m, AnswerCallbackQuery) and m.callback_query_id == str(update_id))

    def _says(self, user: User, chat: Chat, text: str, update_id: int) -> tuple[Update, asyncio.Future[float]]:
        update = Update(update_id=update_id, message=Message(
            message_id=100_000_000 + update_id, date=utcnow(), chat=chat, from_user=user, text=text))
        return update, self.telegram.watch(
            lambda m: isinstance(m, SendMessage | EditMessageText | SendPhoto) and int(m.chat_id or 0) == chat.id)

    def _with_button(self, chat_id: int, label: str) -> Any:
        shown = [m for m in self.telegram.shown(chat_id) if any(label in b for b in m.buttons)]
        return shown[-1] if shown else None


async def scenario(url: str, people: int, rtt: float, concurrent: bool, think: float, reports: int) -> dict[str, Any]:
    engine = await fresh_engine(url)
    sessions = session_factory(engine)
    telegram = Telegram(rtt=rtt)
    bot = Bot("4242:BENCH", session=telegram)
    sender = Sender(bot, sessions, limiter=RateLimiter(per_second=10**6, chat_interval=0, group_per_minute=10**6))
    dispatcher = make_dispatcher(sessions, load_i18n(), Settings(), sender.wake)
    if concurrent:
        polling = Polling(dispatcher, bot, allowed_updates=dispatcher.resolve_used_update_types()).run()
    else:  # today's way: aiogram's own polling, one update at a time
        polling = dispatcher.start_polling(bot, allowed_updates=dispatcher.resolve_used_update_types(),
                                           handle_as_tasks=False, handle_signals=False, close_bot_session=False)
    background = [asyncio.create_task(sender.run()), asyncio.create_task(polling)]
    crowd = People(telegram, think, reports)
    start = time.perf_counter()
    try:
        await asyncio.gather(*(crowd.play(n) for n in range(1, people + 1)))
    finally:
        seconds = time.perf_counter() - start
        if not concurrent:
            await dispatcher.stop_polling()
        for task in background:
            while not task.done():  # Python 3.11's wait_for can swallow a cancel that meets a wake-up
                task.cancel()
                await asyncio.wait({task}, timeout=0.1)
        await asyncio.gather(*sender.in_flight.values(), return_exceptions=True)
        await engine.dispose()
    ms = sorted(latency * 1000 for latency in crowd.latencies)
    return {"database": url.split("+")[0], "people": people, "rtt_ms": round(rtt * 1000),
            "handling": "concurrent" if concurrent else "serial", "updates": len(ms),
            "updates_per_s": round(len(ms) / seconds, 1), "p50_ms": round(statistics.median(ms), 1),
            "p95_ms": round(ms[int(len(ms) * 0.95) - 1], 1), "max_ms": round(ms[-1], 1)}


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, nargs="+", default=[16, 64])
    parser.add_argument("--rtt-ms", type=float, nargs="+", default=[0, 20])
    parser.add_argument("--think-ms", type=float, default=1000, help="a person's pause before each step (±50 %%)")
    parser.add_argument("--reports", type=int, default=1, help="reports each person makes")
    parser.add_argument("--database-url", action="append", default=[],
                        help="also this scratch database (PostgreSQL; emptied first); SQLite always")
    args = parser.parse_args()
    random.seed(14)
    results, ratios = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for n, (url, people, rtt) in enumerate(itertools.product(
                ["sqlite+aiosqlite:///{tmp}/load-{n}-{mode}.sqlite3", *args.database_url], args.people, args.rtt_ms)):
            serial, concurrent = [await scenario(url.format(tmp=tmp, n=n, mode=mode), people, rtt / 1000, mode,
                                                 args.think_ms / 1000, args.reports) for mode in (False, True)]
            results += [serial, concurrent]
            ratios.append({"database": serial["database"], "people": people, "rtt_ms": rtt,
                           "p50_concurrent_over_serial": round(concurrent["p50_ms"] / serial["p50_ms"], 2),
                           "p95_concurrent_over_serial": round(concurrent["p95_ms"] / serial["p95_ms"], 2),
                           "updates_per_s_concurrent_over_serial":
                               round(concurrent["updates_per_s"] / serial["updates_per_s"], 2)})
            print(json.dumps(serial), json.dumps(concurrent), sep="\n", file=sys.stderr)
    print(json.dumps({"benchmark": "answers_under_load", "think_ms": args.think_ms, "reports": args.reports,
                      "results": results, "ratios": ratios}, indent=2))


if __name__ == "__main__":
    asyncio.run(main())
