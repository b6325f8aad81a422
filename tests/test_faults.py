"""A thousand reports while Telegram fails a fifth of the bot's requests and the bot is killed once.

Afterwards every report is stored exactly once, every signal's card was posted once, every
reporter got exactly one confirmation per report, and nothing a person did was lost or done twice.
The reports go to 20 signal points, each with its own group: Telegram lets a bot post only 20
messages a minute in one group, so 1,000 cards in one group would take 50 minutes by rule.
Set OMZIEN_FAULT_REPORTS to run fewer (the default is the full thousand).
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
import time
from collections import Counter

from omzien.flows.routing import parse_areas
from omzien.sandbox.client import SandboxClient
from omzien.sandbox.server import Sandbox
from omzien.storage.db import create_engine, session_factory, upgrade
from omzien.storage.points import add_point
from tests.botprocess import BotProcess
from tests.conftest import KEYS

TOKEN = "123456789:AAHfaultTestTokenForTheSandbox0000"
REPORTS = int(os.environ.get("OMZIEN_FAULT_REPORTS", "1000"))
REPORTERS = 100
POINTS = 20
NOT_MODIFIED = ("Bad Request: message is not modified: specified new message content and reply markup are "
                "exactly the same as a current content and reply markup of the message")
EXPECTED_REFUSALS = (
    NOT_MODIFIED,  # an edit that was on its way when the bot was killed, sent again
    "Bad Request: message to edit not found",  # looking for a message cut off on its way: it never arrived
    "Bad Request: message can't be edited",  # ... and passing someone else's message while looking
    "Too Many Requests: retry after",  # the restarted bot does not know what the killed one just sent
)
STEPS = [("Overvolle brievenbus", "✅"), ("Verder", "Weet de bewoner"), ("Weet ik niet", "Wilt u nog iets"),
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


def address(number: int) -> str:
    return f"{3001 + number % POINTS} AB {number}"


async def seed_points(database_url: str, groups: list) -> None:
    engine = create_engine(database_url, KEYS)
    await upgrade(engine)
    async with session_factory(engine).begin() as session:
        for index, group in enumerate(groups):
            area = 3001 + index
            await add_point(session, f"Signaalpunt {area}", parse_areas(str(area)), group_chat_id=group.id)
    await engine.dispose()


async def cards_in(worker, groups: list) -> Counter:
    cards: Counter = Counter()
    for group in groups:
        for message in await worker.chat(chat=group):
            if message["text"].startswith("Signaal S-"):
                cards[message["text"].split()[1]] += 1
    return cards


async def cards_when_all_posted(worker, groups: list, timeout: float) -> Counter:
    """Cards trail the confirmations: a group takes 20 messages a minute, and failed sends wait their turn."""
    deadline = time.monotonic() + timeout
    while len(cards := await cards_in(worker, groups)) < REPORTS and time.monotonic() < deadline:
        await asyncio.sleep(2)
    return cards


async def one_report(person, number: int, confirmed: Counter) -> None:
    await person.send(address(number))
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
        groups = [await client.group(f"Signaalpunt {3001 + i}", members=[worker]) for i in range(POINTS)]
        await seed_points(f"sqlite+aiosqlite:///{database}", groups)
        await client.faults(error_share=0.07, cut_share=0.05, flood_share=0.05, delay_share=0.03,
                            delay_seconds=2, seed=20261122)
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

        cards = await cards_when_all_posted(worker, groups, timeout=600)
        confirmations = Counter()
        for person in people:
            for message in await person.chat():
                if "Kenmerk" in message["text"]:
                    confirmations[person.id] += 1
        with sqlite3.connect(database) as db:
            stored = db.execute("SELECT count(*) FROM reports").fetchone()[0]
            signals = db.execute("SELECT count(*), count(DISTINCT address_key) FROM signals").fetchone()
            handled = db.execute("SELECT count(*) FROM handled_updates").fetchone()[0]
        injected = (await client.faults())["counts"]
        refusals = Counter(r["description"] for r in await client.refusals())
        print(f"\nfault run: {REPORTS} reports by {REPORTERS} reporters in {time.monotonic() - started:.0f} s; "
              f"bot killed (SIGKILL) after {killed_at} confirmations and restarted")
        print(f"  faults injected by the stand-in: {injected}")
        print(f"  stored reports: {stored}; signals: {signals[0]} ({signals[1]} addresses); "
              f"updates handled: {handled}")
        print(f"  cards in {POINTS} groups: {len(cards)} signals, posted {sum(cards.values())} times; "
              f"confirmations: {sum(confirmations.values())} to {len(confirmations)} reporters")
        print(f"  requests the stand-in refused: {dict(refusals) or 'none'}")
        assert stored == REPORTS and signals == (REPORTS, REPORTS)
        assert len(cards) == REPORTS, "every signal has its card"
        assert sum(cards.values()) - len(cards) <= 1, "a card is posted twice only if the kill hit its send"
        assert sum(confirmations.values()) == REPORTS, "every reporter exactly one confirmation per report"
        assert all(refusal.startswith(EXPECTED_REFUSALS) for refusal in refusals), "only what cut-offs and a kill cause"
    except BaseException:
        print(bot.tail())
        raise
    finally:
        if bot.process and bot.process.poll() is None:
            bot.stop()
        await client.close()
        await sandbox.stop()
