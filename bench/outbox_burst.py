"""The outbox against the Bot API stand-in over HTTP: a burst of N messages to many chats, and short answers.

Telegram allows a bot about 30 messages a second overall. The first figure is the rate the sender
reaches in a burst as a share of that (the goal is ≥ 97 %), with no 429 answer from the stand-in,
which applies Telegram's flood limits. The second is how long a short answer of three messages to
one person takes to arrive in full (Telegram allows a short burst per chat): the median and the
slowest of a few, measured from the commit to the moment the third message shows in the chat.

    python bench/outbox_burst.py [--messages 10000] [--chats 1000] [--answers 5] [--database-url URL]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
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
ANSWER = 3
"""Messages in one short answer (a tap that brings a confirmation, a case and a menu)."""


async def sent(sessions) -> int:
    async with sessions() as session:
        return await session.scalar(select(func.count()).where(OutboxMessage.status == "sent")) or 0


async def answer_seconds(sessions, sender: Sender, person) -> float:
    """From the commit of a short answer to the moment all of it shows in the person's chat."""
    before = len(await person.chat())
    started = time.perf_counter()
    async with sessions.begin() as session:
        for n in range(ANSWER):
            outbox.send(session, person.id, {"text": f"Antwoord {n + 1} van {ANSWER}"})
    sender.wake()
    await person.wait_for(lambda messages: len(messages) >= before + ANSWER, timeout=30)
    return time.perf_counter() - started


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--chats", type=int, default=1_000)
    parser.add_argument("--answers", type=int, default=5, help="short answers to measure, each to its own person")
    parser.add_argument("--database-url")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        engine = create_engine(args.database_url or f"sqlite+aiosqlite:///{folder}/burst.sqlite3", Keyring.generate())
        await upgrade(engine)
        sessions = session_factory(engine)
        async with Sandbox(TOKEN) as sandbox, SandboxClient(sandbox.url) as client:
            people = [await client.user(f"Persoon {n}") for n in range(args.chats + args.answers)]
            for person in people:  # the bot may write only to people who started it
                await person.send("/start")
            askers, people = people[args.chats:], people[:args.chats]
            bot = Bot(TOKEN, session=AiohttpSession(api=TelegramAPIServer.from_base(sandbox.url)))
            sender = Sender(bot, sessions)
            task = asyncio.create_task(sender.run())
            answers = [await answer_seconds(sessions, sender, person) for person in askers]

            async with sessions.begin() as session:
                for n in range(args.messages):
                    outbox.send(session, people[n % len(people)].id, {"text": f"Bericht {n}"})
            started = time.perf_counter()
            sender.wake()
            while await sent(sessions) < args.messages + ANSWER * len(askers):
                await asyncio.sleep(0.5)
            elapsed = time.perf_counter() - started
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
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
        "answer_of_3_seconds_median": round(statistics.median(answers), 3) if answers else None,
        "answer_of_3_seconds_max": round(max(answers), 3) if answers else None,
    }, indent=2))


if __name__ == "__main__":
    asyncio.run(main())
