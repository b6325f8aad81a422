"""Many reports while Telegram fails a fifth of the bot's requests and the bot is killed once (SIGKILL).

The reports go to 20 signal points, each with its own group: Telegram lets a bot post only 20
messages a minute in one group, so a thousand cards in one group would take 50 minutes by rule.
``tests/test_faults.py`` runs it with 200 reports; ``bench/faults.py`` with a thousand.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from omzien.flows.routing import parse_areas
from omzien.sandbox.client import SandboxClient
from omzien.sandbox.server import Sandbox
from omzien.storage.db import create_engine, session_factory, upgrade
from omzien.storage.points import add_point
from tests.botprocess import BotProcess
from tests.conftest import KEYS

TOKEN = "123456789:AAHfaultTestTokenForTheSandbox0000"
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


@dataclass
class FaultRun:
    """What the run left behind, counted from the stand-in (what people see) and the database."""

    reports: int
    seconds: float = 0.0
    killed_after: int = 0
    injected: dict = field(default_factory=dict)
    stored: int = 0
    signals: tuple[int, int] = (0, 0)
    handled: int = 0
    cards: Counter = field(default_factory=Counter)
    confirmations: Counter = field(default_factory=Counter)
    refusals: Counter = field(default_factory=Counter)

    def broken(self) -> list[str]:
        """Every promise the run did not keep (none: all well)."""
        promises = {
            "every report stored exactly once": self.stored == self.reports
            and self.signals == (self.reports, self.reports),
            "every signal has its card": len(self.cards) == self.reports,
            "a card is posted twice only if the kill hit its send": sum(self.cards.values()) - len(self.cards) <= 1,
            "every reporter exactly one confirmation per report": sum(self.confirmations.values()) == self.reports,
            "only refusals that cut-offs and a kill cause": all(r.startswith(EXPECTED_REFUSALS)
                                                                for r in self.refusals),
        }
        return [promise for promise, kept in promises.items() if not kept]

    def summary(self) -> str:
        return (f"fault run: {self.reports} reports by {REPORTERS} reporters in {self.seconds:.0f} s; "
                f"bot killed (SIGKILL) after {self.killed_after} confirmations and restarted\n"
                f"  faults injected by the stand-in: {self.injected}\n"
                f"  stored reports: {self.stored}; signals: {self.signals[0]} ({self.signals[1]} addresses); "
                f"updates handled: {self.handled}\n"
                f"  cards in {POINTS} groups: {len(self.cards)} signals, posted {sum(self.cards.values())} times; "
                f"confirmations: {sum(self.confirmations.values())} to {len(self.confirmations)} reporters\n"
                f"  requests the stand-in refused: {dict(self.refusals) or 'none'}")


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


async def cards_when_all_posted(worker, groups: list, reports: int, timeout: float) -> Counter:
    """Cards trail the confirmations: a group takes 20 messages a minute, and failed sends wait their turn."""
    deadline = time.monotonic() + timeout
    while len(cards := await cards_in(worker, groups)) < reports and time.monotonic() < deadline:
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


async def fault_run(reports: int, folder: Path) -> FaultRun:
    """``reports`` reports by 100 reporters, the bot killed once halfway and restarted; what came of it."""
    sandbox = Sandbox(TOKEN)
    await sandbox.start(host="127.0.0.1", port=0)
    client = SandboxClient(sandbox.url)
    database = folder / "faults.sqlite3"
    bot = BotProcess(sandbox.url, TOKEN, f"sqlite+aiosqlite:///{database}", folder / "bot.log")
    started, run = time.monotonic(), FaultRun(reports)
    try:
        people = [await client.user(f"Melder {n}") for n in range(REPORTERS)]
        worker = await client.user("Anna")
        groups = [await client.group(f"Signaalpunt {3001 + i}", members=[worker]) for i in range(POINTS)]
        await seed_points(f"sqlite+aiosqlite:///{database}", groups)
        await client.faults(error_share=0.07, cut_share=0.05, flood_share=0.05, delay_share=0.03,
                            delay_seconds=2, seed=20261122)
        bot.start()
        confirmed: Counter = Counter()
        numbers = list(range(1, reports + 1))
        runs = [asyncio.create_task(reporter(person, numbers[i::REPORTERS], confirmed))
                for i, person in enumerate(people)]
        while confirmed["reports"] < reports // 2:
            await asyncio.sleep(0.2)
        bot.kill()
        run.killed_after = confirmed["reports"]
        bot.start()
        await asyncio.gather(*runs)

        run.cards = await cards_when_all_posted(worker, groups, reports, timeout=600)
        for person in people:
            for message in await person.chat():
                if "Kenmerk" in message["text"]:
                    run.confirmations[person.id] += 1
        with sqlite3.connect(database) as db:
            run.stored = db.execute("SELECT count(*) FROM reports").fetchone()[0]
            run.signals = tuple(db.execute("SELECT count(*), count(DISTINCT address_key) FROM signals").fetchone())
            run.handled = db.execute("SELECT count(*) FROM handled_updates").fetchone()[0]
        run.injected = (await client.faults())["counts"]
        run.refusals = Counter(r["description"] for r in await client.refusals())
        run.seconds = time.monotonic() - started
        if run.broken():
            print(bot.tail())
        return run
    except BaseException:
        print(bot.tail())
        raise
    finally:
        if bot.process and bot.process.poll() is None:
            bot.stop()
        await client.close()
        await sandbox.stop()
