"""Helpers for the stories of the bot's HTTP side: free ports, waiting for a bot to listen, reading /metrics."""

from __future__ import annotations

import asyncio
import socket

import aiohttp
from prometheus_client.parser import text_string_to_metric_families

from omzien.sandbox.client import Person
from tests.botprocess import BotProcess

PATIENCE = 60
NOTE = "Mevrouw loopt moeilijk achter haar rollator"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def get(url: str) -> tuple[int, str]:
    async with aiohttp.ClientSession() as http, http.get(url) as response:
        return response.status, await response.text()


async def until_listening(bot: BotProcess, base: str, timeout: float = 60.0) -> None:
    """Wait until the bot process answers /healthz; fail with its log when it stopped or took too long."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        assert bot.process is not None and bot.process.poll() is None, f"the bot stopped:\n{bot.tail()}"
        try:
            if (await get(f"{base}/healthz"))[0] == 200:
                return
        except aiohttp.ClientError:
            pass
        assert loop.time() < deadline, f"the bot did not listen within {timeout:g} s:\n{bot.tail()}"
        await asyncio.sleep(0.2)


def total(exposition: str, name: str, **labels: str) -> float:
    """The sum of the samples called ``name`` whose labels include ``labels``."""
    return sum(sample.value for family in text_string_to_metric_families(exposition) for sample in family.samples
               if sample.name == name and labels.items() <= sample.labels.items())


def label_values(exposition: str) -> set[str]:
    return {value for family in text_string_to_metric_families(exposition) for sample in family.samples
            for value in sample.labels.values()}


def shows(fragment: str):
    return lambda messages: any(fragment in m["text"] or any(fragment in b["text"] for row in m["buttons"] or []
                                                            for b in row) for m in messages)


async def report(piet: Person, address: str, note: str) -> None:
    """Piet, a postman, reports a worry about ``address`` with ``note``, step by step as a person taps."""
    await piet.send("/start")
    await piet.tap("Ik maak me zorgen om iemand", timeout=PATIENCE)
    await piet.tap("Bezorging", timeout=PATIENCE)
    await piet.tap("Postbode", timeout=PATIENCE)
    await piet.wait_for(shows("Maakt u zich zorgen om iemand?"), timeout=PATIENCE)
    await piet.send(address)
    for label, next_step in [("Overvolle brievenbus", "✅ Overvolle brievenbus"), ("Verder", "Weet de bewoner"),
                             ("Weet ik niet", "Wilt u nog iets vertellen")]:
        await piet.tap(label, timeout=PATIENCE)
        await piet.wait_for(shows(next_step), timeout=PATIENCE)
    await piet.send(note)
    await piet.wait_for(shows("Mag het signaalpunt"), timeout=PATIENCE)
    await piet.tap("Ja", timeout=PATIENCE)
    await piet.wait_for(shows("Klopt dit?"), timeout=PATIENCE)
    await piet.tap("Versturen", timeout=PATIENCE)
    await piet.wait_for(shows("Kenmerk"), timeout=PATIENCE)
