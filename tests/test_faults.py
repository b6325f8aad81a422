"""A thousand reports while Telegram fails a fifth of the bot's requests and the bot is killed once.

Afterwards every report is stored exactly once, every signal's card was posted exactly once,
every reporter got exactly one confirmation, and nothing a person did was lost or done twice.
Set OMZIEN_FAULT_REPORTS to run fewer (the default is the full thousand).
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
import time
from collections import Counter

import aiohttp

from omzien.sandbox.client import SandboxClient
from omzien.sandbox.server import Sandbox
from tests.botprocess import BotProcess

TOKEN = "123456789:AAHfaultTestTokenForTheSandbox0000"
REPORTS = int(os.environ.get("OMZIEN_FAULT_REPORTS", "1000"))
REPORTERS = 100
STEPS = [("Overvolle brievenbus", "✅"), ("Verder", "Weet deze persoon"), ("Weet ik niet", "Wilt u nog iets"),
         ("Overslaan", "Mag het signaalpunt"), ("Nee", "Klopt dit?"), ("Versturen", "Kenmerk")]


def on_screen(fragment: str):
    """The newest message shows the fragment, in its text or on one of its buttons."""
    def check(messages: list[dict]) -> bool:
        if not messages:
            return False
        last = messages[-1]
        labels = [b["text"] for row in last.get("buttons") or [] for b in row]
        return fragment in last["text"] or any(fragment in label for label in labels)
    return check


async def one_report(person, number: int, confirmed: Counter) -> None:
    await person.send(f"3044 AB {number}")
    await person.wait_for(on_screen("Wat viel u op"), timeout=300)
    for label, expected in STEPS:
        await person.tap(label)
        await person.wait_for(on_screen(expected), timeout=300)
    confirmed["reports"] += 1


async def reporter(person, numbers: list[int], confirmed: Counter) -> None:
    for number in numbers:
        await one_report(person, number, confirmed)


async def test_a_thousand_reports_survive_failures_and_a_crash(tmp_path) -> None:
    sandbox = Sandbox(TOKEN)
    await sandbox.start(host="127.0.0.1", port=0)
    client = SandboxClient(sandbox.url)
    database = tmp_path / "faults.sqlite3"
    bot = BotProcess(sandbox.url, TOKEN, f"sqlite+aiosqlite:///{database}", tmp_path / "bot.log")
    started = time.monotonic()
    try:
        people = [await client.user(f"Melder {n}") for n in range(REPORTERS)]
        worker = await client.user("Anna")
        group = await client.group("Signaalpunt Noord", members=[worker])
        await asyncio.to_thread(bot.omzien, "points", "add", "--name", "Signaalpunt Noord",
                                "--postcodes", "3040-3059", "--group-chat-id", str(group.id))
        async with aiohttp.ClientSession() as http:
            await http.post(f"{sandbox.url}/sandbox/faults", json={
                "error_share": 0.08, "cut_share": 0.06, "flood_share": 0.06, "seed": 20261122})
        bot.start()
        confirmed: Counter = Counter()
        numbers = list(range(1, REPORTS + 1))
        runs = [asyncio.create_task(reporter(person, numbers[i::REPORTERS], confirmed))
                for i, person in enumerate(people)]
        while confirmed["reports"] < REPORTS // 2:
            await asyncio.sleep(0.2)
        bot.kill()
        killed_at = confirmed["reports"]
        bot.start()
        await asyncio.gather(*runs)

        cards = Counter()
        for message in await worker.chat(chat=group):
            if message["text"].startswith("Signaal S-"):
                cards[message["text"].split()[1]] += 1
        confirmations = Counter()
        for person in people:
            for message in await person.chat():
                if "Kenmerk" in message["text"]:
                    confirmations[person.id] += 1
        with sqlite3.connect(database) as db:
            stored = db.execute("SELECT count(*) FROM reports").fetchone()[0]
            signals = db.execute("SELECT count(*), count(DISTINCT address_key) FROM signals").fetchone()
            handled = db.execute("SELECT count(*) FROM handled_updates").fetchone()[0]
        async with aiohttp.ClientSession() as http:
            injected = await (await http.get(f"{sandbox.url}/sandbox/faults")).json()
        print(f"\nfault run: {REPORTS} reports by {REPORTERS} reporters in {time.monotonic() - started:.0f} s; "
              f"bot killed (SIGKILL) after {killed_at} confirmations and restarted")
        print(f"  faults injected by the stand-in: {injected}")
        print(f"  stored reports: {stored}; signals: {signals[0]} ({signals[1]} addresses); "
              f"updates handled: {handled}")
        print(f"  cards in the group: {len(cards)} signals, posted {sum(cards.values())} times; "
              f"confirmations: {sum(confirmations.values())} to {len(confirmations)} reporters")
        assert stored == REPORTS and signals == (REPORTS, REPORTS)
        assert len(cards) == REPORTS and set(cards.values()) == {1}, "every card exactly once"
        assert sum(confirmations.values()) == REPORTS, "every reporter exactly one confirmation per report"
        assert await client.refusals() == []
    except BaseException:
        print(bot.tail())
        raise
    finally:
        if bot.process and bot.process.poll() is None:
            bot.stop()
        await client.close()
        await sandbox.stop()
