"""The whole signal chain with the bot as a real process, over the real Bot API protocol (the stand-in)."""

from __future__ import annotations

import asyncio

from omzien.sandbox.client import SandboxClient
from tests.botprocess import TOKEN, BotProcess

PATIENCE = 60  # seconds a person waits for the bot (a busy CI machine can be slow; the bot is a separate process)


def texts(messages: list[dict]) -> list[str]:
    return [m["text"] for m in messages]


def shows(fragment: str):
    return lambda messages: any(fragment in m["text"] for m in messages)


async def test_a_report_travels_from_deliverer_to_worker_and_back(sandbox, tmp_path) -> None:
    client = SandboxClient(sandbox.url)
    anna, piet = await client.user("Anna"), await client.user("Piet")
    group = await client.group("Signaalpunt Noord", members=[anna])
    bot = BotProcess(sandbox.url, TOKEN, f"sqlite+aiosqlite:///{tmp_path}/e2e.sqlite3", tmp_path / "bot.log")
    out = await asyncio.to_thread(bot.omzien, "points", "add", "--name", "Signaalpunt Noord",
                                  "--postcodes", "3040-3059", "--group-chat-id", str(group.id))
    assert "Signaalpunt 1 aangemaakt" in out
    bot.start()
    try:
        await anna.send("/start")
        await anna.wait_for(shows("Wat brengt u hier?"), timeout=PATIENCE)
        await anna.tap("Ik werk bij een signaalpunt", timeout=PATIENCE)
        await piet.send("/start")
        await piet.tap("Ik maak me zorgen om iemand", timeout=PATIENCE)
        await piet.wait_for(shows("wie bent u?"), timeout=PATIENCE)
        await piet.tap("Bezorging", timeout=PATIENCE)
        await piet.wait_for(shows("Kies wat het best past"), timeout=PATIENCE)
        await piet.tap("Postbode", timeout=PATIENCE)
        await piet.wait_for(shows("Maakt u zich zorgen om iemand?"), timeout=PATIENCE)
        await piet.send("3044 AB 287")
        for label, next_step in [("Overvolle brievenbus", "✅ Overvolle brievenbus"), ("Verder", "Weet de bewoner"),
                                 ("Weet ik niet", "Wilt u nog iets vertellen"), ("Overslaan", "Mag het signaalpunt"),
                                 ("Ja", "Klopt dit?"), ("Versturen", "Kenmerk")]:
            await piet.tap(label, timeout=PATIENCE)
            await piet.wait_for(lambda ms, s=next_step: any(s in m["text"] or any(
                s in b["text"] for row in m["buttons"] or [] for b in row) for m in ms), timeout=PATIENCE)

        await anna.wait_for(shows("postcode 3044"), chat=group, timeout=PATIENCE)
        await anna.tap("Ik pak dit op", chat=group, timeout=PATIENCE)
        await anna.wait_for(shows("opgepakt door Anna"), chat=group, timeout=PATIENCE)
        await anna.wait_for(shows("3044 AB 287"), timeout=PATIENCE)
        await piet.wait_for(shows("is opgepakt"), timeout=PATIENCE)
        await anna.tap("Contact gemaakt", timeout=PATIENCE)
        await anna.wait_for(shows("contact gemaakt"), chat=group, timeout=PATIENCE)
        await anna.tap("Afgerond na gesprek", timeout=PATIENCE)
        await anna.wait_for(shows("afgerond door Anna: Afgerond na gesprek"), chat=group, timeout=PATIENCE)
        await anna.wait_for(shows("is afgerond: Afgerond na gesprek"), timeout=PATIENCE)  # Piet hears in 10 minutes

        group_texts = texts(await anna.chat(chat=group))
        assert sum("Signaal S-" in t for t in group_texts) == 1
        assert not any("287" in t or "AB" in t for t in group_texts)
        assert await client.refusals() == [], "the bot sent a request the stand-in refused"
    except BaseException:
        print(bot.tail())
        raise
    finally:
        code = bot.stop()
        await client.close()
    assert code == 0, bot.tail()


async def test_a_resident_in_the_demo_finds_offers_asks_to_be_called_and_gets_the_offer_anna_found(tmp_path) -> None:
    """The demo (stand-in, real bot, Demodorp's offers) as Mevrouw Jansen, then Anna's warm handover: nothing the
    stand-in refuses."""
    from omzien.cli.demo import demo_running
    from omzien.sandbox.client import Person

    async with demo_running(port=0, database_url=f"sqlite+aiosqlite:///{tmp_path}/demo.sqlite3") as demo:
        client = SandboxClient(demo.url)
        try:
            persona = next(p for p in demo.personas if "Jansen" in p["name"])
            jansen = Person(client, {"id": persona["user_id"], "first_name": persona["name"]})
            await jansen.send("/start")
            await jansen.tap("Ik zoek iets voor mezelf of mijn naaste", timeout=PATIENCE)
            for label, question in [("Mensen ontmoeten", "✅ Mensen ontmoeten"), ("Verder", "Hoe oud"),
                                    ("75 of ouder", "het liefst"), ("Buiten de deur", "postcode")]:
                await jansen.tap(label, timeout=PATIENCE)
                await jansen.wait_for(lambda ms, q=question: any(q in m["text"] or any(
                    q in b["text"] for row in m["buttons"] or [] for b in row) for m in ms), timeout=PATIENCE)
            await jansen.send("3044")
            await jansen.wait_for(shows("Dit past het best"), timeout=PATIENCE)
            await jansen.tap("Bel mij terug", timeout=PATIENCE)
            await jansen.tap("Ja, bel mij", timeout=PATIENCE)
            await jansen.wait_for(shows("Op welk nummer"), timeout=PATIENCE)
            await jansen.send("06 12345678")
            await jansen.wait_for(shows("Wat is uw adres"), timeout=PATIENCE)
            await jansen.send("3044 AB 12")
            await jansen.wait_for(shows("Doorgegeven"), timeout=PATIENCE)
            group = await client.chat(demo.group_id)
            assert any("Vraagt zelf om een belletje" in m["text"] for m in group["messages"])

            persona = next(p for p in demo.personas if p["name"] == "Anna")
            anna = Person(client, {"id": persona["user_id"], "first_name": persona["name"]})
            await anna.tap("Ik pak dit op", chat=demo.group_id, timeout=PATIENCE)
            await anna.wait_for(shows("3044 AB 12"), timeout=PATIENCE)
            await anna.tap("Doorverwezen naar aanbod", timeout=PATIENCE)
            await anna.wait_for(shows("Doorverwijzen:"), timeout=PATIENCE)
            await anna.tap("Mensen ontmoeten", timeout=PATIENCE)
            await anna.wait_for(shows("\n1. "), timeout=PATIENCE)
            await anna.tap("☐ 1.", timeout=PATIENCE)
            await anna.wait_for(shows("Gekozen:"), timeout=PATIENCE)
            await anna.tap("Afronden met deze keuze", timeout=PATIENCE)
            await anna.wait_for(shows("Verwezen naar:"), timeout=PATIENCE)
            await jansen.wait_for(shows("zocht dit voor u uit"), timeout=PATIENCE)
            assert await client.refusals() == [], "the bot sent a request the stand-in refused"
        finally:
            await client.close()


async def test_a_coordinator_gets_the_figures_as_photos_the_stand_in_accepts(sandbox, tmp_path) -> None:
    """The outbox sends the charts as multipart sendPhoto uploads; the stand-in checks them against the spec."""
    client = SandboxClient(sandbox.url)
    carla = await client.user("Carla")
    group = await client.group("Signaalpunt Noord", members=[carla])
    bot = BotProcess(sandbox.url, TOKEN, f"sqlite+aiosqlite:///{tmp_path}/e2e.sqlite3", tmp_path / "bot.log")
    await asyncio.to_thread(bot.omzien, "points", "add", "--name", "Signaalpunt Noord", "--postcodes", "3040-3059",
                            "--group-chat-id", str(group.id))
    await asyncio.to_thread(bot.omzien, "points", "set-policy", "1", "--coordinators", str(carla.id))
    bot.start()
    try:
        await carla.send("/cijfers")
        await carla.wait_for(shows("Cijfers van Signaalpunt Noord"), timeout=PATIENCE)
        await carla.wait_for(lambda ms: sum(1 for m in ms if m.get("media")) == 2, timeout=PATIENCE)
        assert await client.refusals() == [], "the bot sent a request the stand-in refused"
    except BaseException:
        print(bot.tail())
        raise
    finally:
        code = bot.stop()
        await client.close()
    assert code == 0, bot.tail()
