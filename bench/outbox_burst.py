"""A burst through the outbox: N messages to many chats, sent to the Bot API stand-in over HTTP.

Telegram allows a bot about 30 messages a second overall. The figure to compare is the rate the
sender reaches as a share of that (the quality bar is ≥ 90 %), with no 429 answer from the
stand-in, which applies Telegram's flood limits.

    python bench/outbox_burst.py [--messages 10000] [--chats 1000] [--database-url URL]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time

from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from sqlalchemy import func, select

from omzien.bot.sender import Sender
from omzien.sandbox.client import SandboxClient
from omzien.sandbox.server import Sandbox
from omzien.storage import outbox
from omzien.storage.db import create_engine, session_factory, upgrade
from omzien.storage.models import OutboxMessage
from omzien.storage.sealing import Keyring

TOKEN = "123456789:AAHbenchOutboxBurstTokenSandbox000"
TELEGRAM_PER_SECOND = 30


async def sent(sessions) -> int:
    async with sessions() as session:
        return await session.scalar(select(func.count()).where(OutboxMessage.status == "sent")) or 0


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--chats", type=int, default=1_000)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        engine = create_engine(args.database_url or f"sqlite+aiosqlite:///{folder}/burst.sqlite3", Keyring.generate())
        await upgrade(engine)
        sessions = session_factory(engine)
        async with Sandbox(TOKEN) as sandbox, SandboxClient(sandbox.url) as client:
            people = [await client.user(f"Persoon {n}") for n in range(args.chats)]
            for person in people:  # the bot may write only to people who started it
                await person.send("/start")
            async with sessions.begin() as session:
                for n in range(args.messages):
                    outbox.send(session, people[n % len(people)].id, {"text": f"Bericht {n}"})
            bot = Bot(TOKEN, session=AiohttpSession(api=TelegramAPIServer.from_base(sandbox.url)))
            sender = Sender(bot, sessions)
            started = time.perf_counter()
            task = asyncio.create_task(sender.run())
            while await sent(sessions) < args.messages:
                await asyncio.sleep(0.5)
            elapsed = time.perf_counter() - started
            task.cancel()
            await bot.session.close()
            floods = [r for r in await client.refusals() if r.get("error_code") == 429]
        await engine.dispose()
    rate = args.messages / elapsed
    print(json.dumps({
        "benchmark": "outbox_burst",
        "messages": args.messages,
        "chats": args.chats,
        "seconds": round(elapsed, 1),
        "messages_per_second": round(rate, 2),
        "share_of_telegram_limit": round(rate / TELEGRAM_PER_SECOND, 3),
        "answers_429": len(floods),
    }, indent=2))


if __name__ == "__main__":
    asyncio.run(main())
