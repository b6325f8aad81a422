"""Time to handle an update, Omzien against a bare aiogram echo bot, in the same run.

Both dispatchers get the same kinds of updates and answer through the same in-process
Telegram stand-in (no network). Omzien's time includes its database transaction, the
conversation state and sending the outbox. Prints JSON; the ratio is what to compare.

    python bench/update_handling.py [--reports 200] [--database-url URL]
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

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from omzien.bot.app import make_dispatcher
from omzien.bot.sender import RateLimiter, Sender
from omzien.core.i18n import load_i18n
from omzien.core.settings import Settings
from omzien.storage.db import create_engine, session_factory, upgrade
from omzien.storage.models import utcnow
from omzien.storage.sealing import Keyring
from tests.telegram import BOT_USER, FakeTelegram, inline

STEPS = ["3044 AB {n}", "tap:Overvolle brievenbus", "tap:Verder", "tap:Weet ik niet", "tap:Overslaan",
         "tap:Nee", "tap:Versturen"]


class Driver:
    def __init__(self, dispatcher: Dispatcher, bot: Bot, telegram: FakeTelegram, after=None) -> None:
        self.dispatcher, self.bot, self.telegram, self.after = dispatcher, bot, telegram, after
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
        result = await self.dispatcher.feed_update(self.bot, update)
        if result is not None and hasattr(result, "as_"):
            await self.bot(result)
        if self.after:
            await self.after()

    async def run(self, reports: int) -> float:
        users = [User(id=10_000 + i, is_bot=False, first_name="Bench") for i in range(reports)]
        start = time.perf_counter()
        for n, user in enumerate(users, 1):
            for step in STEPS:
                await self.feed(user, step, n)
        return (time.perf_counter() - start) / (reports * len(STEPS)) * 1000


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


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reports", type=int, default=200)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite+aiosqlite:///{tmp}/bench.sqlite3"
        engine = create_engine(url, Keyring.generate())
        await upgrade(engine)
        sessions = session_factory(engine)

        echo_telegram = FakeTelegram()
        echo_bot = Bot("4242:BENCH", session=echo_telegram)
        echo_ms = await Driver(echo_dispatcher(), echo_bot, echo_telegram).run(args.reports)

        telegram = FakeTelegram()
        bot = Bot("4242:BENCH", session=telegram)
        sender = Sender(bot, sessions, limiter=RateLimiter(per_second=10**6, chat_interval=0, group_per_minute=10**6))
        dispatcher = make_dispatcher(sessions, load_i18n(), Settings(), sender.wake)
        omzien_ms = await Driver(dispatcher, bot, telegram, after=sender.drain).run(args.reports)
        await engine.dispose()
    print(json.dumps({
        "benchmark": "update_handling",
        "database": engine.url.get_backend_name(),
        "updates": args.reports * len(STEPS),
        "echo_ms_per_update": round(echo_ms, 3),
        "omzien_ms_per_update": round(omzien_ms, 3),
        "ratio": round(omzien_ms / echo_ms, 1),
    }, indent=2))


if __name__ == "__main__":
    asyncio.run(main())
