"""Taps handled per second, polling against webhook mode, in the same run, with a round trip to Telegram.

``--people`` people each tap a button ``--taps`` times while the bot is down (the stand-in keeps the
updates). Then the bot starts as a real process, polling or with a webhook, and works the queue off.
The stand-in answers each of the bot's requests ``--round-trip`` ms late (not getUpdates, getMe or
the webhook methods). Polling handles one update at a time and waits for each tap's answer; with the
webhook Telegram posts the updates of different chats at the same time and the answer goes back in
the response. The rate is counted from the bot's own /metrics. Prints JSON; the ratio counts.

    python bench/webhook.py [--people 40] [--taps 5] [--round-trip 20] [--database-url postgresql+asyncpg://…]
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from omzien.sandbox.client import SandboxClient
from omzien.sandbox.server import Sandbox
from tests.botprocess import BotProcess
from tests.webserve import free_port, get, total, until_listening

TOKEN = "123456789:AAHbenchWebhookTokenForTheSandbox0000"


async def fresh(url: str, folder: Path, mode: str) -> str:
    """An empty database for one mode: a new SQLite file, or an emptied PostgreSQL schema."""
    if not url:
        return f"sqlite+aiosqlite:///{folder}/{mode}.sqlite3"
    engine = create_async_engine(make_url(url))
    async with engine.begin() as connection:
        await connection.execute(text("DROP SCHEMA public CASCADE"))
        await connection.execute(text("CREATE SCHEMA public"))
    await engine.dispose()
    return url


async def one_mode(webhook: bool, args: argparse.Namespace, folder: Path) -> dict[str, float]:
    sandbox = Sandbox(TOKEN)
    await sandbox.start()
    client = SandboxClient(sandbox.url)
    mode = "webhook" if webhook else "polling"
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    bot = BotProcess(sandbox.url, TOKEN, await fresh(args.database_url, folder, mode), folder / f"{mode}.log")
    try:
        people = [await client.user(f"Persoon {n}") for n in range(args.people)]
        for person in people:
            await person.send("hallo")  # a private chat exists once they wrote
        sandbox.state.updates.pending.clear()
        for person in people:
            await sandbox.api.call("sendMessage", sandbox.spec.check_request("sendMessage", {
                "chat_id": person.id, "text": "Oud bericht",
                "reply_markup": {"inline_keyboard": [[{"text": "Oude knop", "callback_data": "oud:1"}]]}}))
            for _ in range(args.taps):
                await person.tap("Oude knop")
        expected = args.people * args.taps
        await client.faults(delay_share=1.0, delay_seconds=args.round_trip / 1000)
        bot.start(*(["--webhook-url", f"{base}/telegram"] if webhook else []), "--listen", f"127.0.0.1:{port}")
        await until_listening(bot, base)
        first = last = None
        while True:
            exposition = (await get(f"{base}/metrics"))[1]
            handled = total(exposition, "omzien_updates_handled_total") + total(exposition,
                                                                                "omzien_updates_failed_total")
            now = time.perf_counter()
            if handled >= 1 and first is None:
                first = (now, handled)
            if handled >= expected:
                last = (now, handled)
                break
            await asyncio.sleep(0.02)
        assert first is not None and last is not None
        refused = [r for r in await client.refusals() if r["error_code"] != 429]
        assert refused == [], f"the stand-in refused: {refused}"
        return {"taps": expected, "failed": total(exposition, "omzien_updates_failed_total"),
                "seconds": round(last[0] - first[0], 2),
                "taps_per_second": round((last[1] - first[1]) / (last[0] - first[0]), 1),
                "answers_in_webhook_response": len(sandbox.webhook.replied)}
    finally:
        if bot.process is not None:
            bot.stop()
        await client.close()
        await sandbox.stop()


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=40)
    parser.add_argument("--taps", type=int, default=5)
    parser.add_argument("--round-trip", type=float, default=20.0, help="ms added to each answer of the stand-in")
    parser.add_argument("--database-url", default="", help="PostgreSQL to use (emptied); else SQLite files")
    args = parser.parse_args()
    os.environ.setdefault("OMZIEN_SECRET_KEY", base64.b64encode(os.urandom(32)).decode())  # for the bot processes
    with tempfile.TemporaryDirectory() as folder:
        polling = await one_mode(False, args, Path(folder))
        webhook = await one_mode(True, args, Path(folder))
    print(json.dumps({"database": "postgresql" if args.database_url else "sqlite", "people": args.people,
                      "round_trip_ms": args.round_trip, "polling": polling, "webhook": webhook,
                      "ratio_webhook_to_polling": round(webhook["taps_per_second"] / polling["taps_per_second"], 2)},
                     indent=2))


if __name__ == "__main__":
    asyncio.run(main())
