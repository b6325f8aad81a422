"""Several instances on PostgreSQL behind one webhook URL, and /readyz when the database is gone.

Only with OMZIEN_TEST_DATABASE_URL set to PostgreSQL (SQLite allows one instance at a time)."""

from __future__ import annotations

import asyncio
import itertools
import os

import aiohttp
import pytest
from aiohttp import web
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from omzien.sandbox.client import SandboxClient
from omzien.sandbox.state import BOT_ID
from tests.botprocess import TOKEN, BotProcess
from tests.webserve import NOTE, PATIENCE, free_port, get, report, shows, total, until_listening

URL = os.environ.get("OMZIEN_TEST_DATABASE_URL", "")
pytestmark = pytest.mark.skipif(not URL.startswith("postgresql"),
                                reason="OMZIEN_TEST_DATABASE_URL is not PostgreSQL: several instances need it")


class RoundRobin:
    """A reverse proxy in front of the instances: each request to the next one, as a load balancer does."""

    def __init__(self, targets: list[str]) -> None:
        self.targets, self.turn = targets, itertools.cycle(targets)
        self.errors: list[str] = []
        self.runner: web.AppRunner | None = None
        self.url = ""

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/{path:.*}", self.forward)
        self.runner = web.AppRunner(app, access_log=None)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        self.url = f"http://127.0.0.1:{self.runner.addresses[0][1]}"

    async def forward(self, request: web.Request) -> web.Response:
        headers = {k: v for k, v in request.headers.items()
                   if k.lower() in ("content-type", "x-telegram-bot-api-secret-token")}
        body = await request.read()
        for _ in range(len(self.targets)):  # as nginx does: a target that takes no connection, the next one
            try:
                async with aiohttp.ClientSession() as http, \
                        http.post(next(self.turn) + request.path, data=body, headers=headers) as answer:
                    return web.Response(body=await answer.read(), status=answer.status,
                                        headers={"Content-Type": answer.headers.get("Content-Type", "text/plain")})
            except aiohttp.ClientConnectorError as error:
                self.errors.append(type(error).__name__)
            except aiohttp.ClientError as error:  # the request may have arrived: not sent again
                self.errors.append(type(error).__name__)
                break
        return web.Response(status=502)

    async def stop(self) -> None:
        if self.runner is not None:
            await self.runner.cleanup()


async def fresh_database(name: str) -> str:
    """An empty PostgreSQL database ``name`` on the test server; its URL."""
    server = create_async_engine(make_url(URL).set(database="postgres"), isolation_level="AUTOCOMMIT")
    async with server.connect() as connection:
        await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await connection.execute(text(f'CREATE DATABASE "{name}"'))
    await server.dispose()
    return make_url(URL).set(database=name).render_as_string(hide_password=False)


async def drop_database(name: str) -> None:
    server = create_async_engine(make_url(URL).set(database="postgres"), isolation_level="AUTOCOMMIT")
    async with server.connect() as connection:
        await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    await server.dispose()


async def sent_messages(database_url: str) -> int:
    engine = create_async_engine(database_url)
    async with engine.connect() as connection:
        count = await connection.scalar(text(
            "SELECT count(*) FROM outbox WHERE status = 'sent' AND method IN ('send', 'photo')"))
    await engine.dispose()
    return count or 0


async def test_two_instances_behind_one_webhook_both_handle_and_one_sends(sandbox, tmp_path) -> None:
    client = SandboxClient(sandbox.url)
    anna, piet = await client.user("Anna"), await client.user("Piet")
    group = await client.group("Signaalpunt Noord", members=[anna])
    database_url = await fresh_database(make_url(URL).database + "_instances")
    ports = [free_port(), free_port()]
    proxy = RoundRobin([f"http://127.0.0.1:{port}" for port in ports])
    await proxy.start()
    bots = [BotProcess(sandbox.url, TOKEN, database_url, tmp_path / f"bot{n}.log") for n in (1, 2)]
    await asyncio.to_thread(bots[0].omzien, "points", "add", "--name", "Signaalpunt Noord",
                            "--postcodes", "3040-3059", "--group-chat-id", str(group.id))
    for bot, port in zip(bots, ports, strict=True):
        bot.start("--webhook-url", f"{proxy.url}/telegram", "--listen", f"127.0.0.1:{port}")
    try:
        for bot, port in zip(bots, ports, strict=True):
            await until_listening(bot, f"http://127.0.0.1:{port}")

        await anna.send("/start")
        await anna.tap("Ik werk bij een signaalpunt", timeout=PATIENCE)
        await report(piet, "3044 AB 287", NOTE)
        await anna.wait_for(shows("postcode 3044"), chat=group, timeout=PATIENCE)
        await anna.tap("Ik pak dit op", chat=group, timeout=PATIENCE)
        await anna.wait_for(shows("opgepakt door Anna"), chat=group, timeout=PATIENCE)
        await anna.wait_for(shows("3044 AB 287"), timeout=PATIENCE)
        await piet.wait_for(shows("is opgepakt"), timeout=PATIENCE)

        handled = [total((await get(f"http://127.0.0.1:{port}/metrics"))[1], "omzien_updates_handled_total")
                   for port in ports]
        assert all(count > 0 for count in handled), f"both instances handle updates: {handled}"
        assert set(sandbox.webhook.answers) == {200}, \
            f"every update was handled the first time it came (the proxy met: {proxy.errors})"
        assert sum(handled) == len(sandbox.webhook.answers), "each update was handled by one instance, once"
        logs = [bot.log.read_text() for bot in bots]
        assert sum("This instance sends the outbox" in log for log in logs) == 1, "one sends"
        assert sum("this one stands by" in log for log in logs) == 1, "the other stands by"

        shown = sum(1 for chat in sandbox.state.chats.values() for message in chat.messages.values()
                    if message.sender["id"] == BOT_ID)
        deadline = asyncio.get_running_loop().time() + 20
        while (sent := await sent_messages(database_url)) != shown and asyncio.get_running_loop().time() < deadline:
            await asyncio.sleep(0.2)
        assert sent == shown, f"every message arrived once: {sent} sent, {shown} shown"
        group_texts = [m["text"] for m in await anna.chat(chat=group)]
        assert sum("Signaal S-" in t for t in group_texts) == 1
        assert await client.refusals() == [], "the bot sent a request the stand-in refused"
    except BaseException:
        for bot in bots:
            print(bot.tail())
        raise
    finally:
        codes = [bot.stop() for bot in bots]
        await proxy.stop()
        await client.close()
    assert codes == [0, 0], [bot.tail() for bot in bots]


async def test_readyz_fails_when_the_database_is_gone(sandbox, tmp_path) -> None:
    name = make_url(URL).database + "_gone"
    database_url = await fresh_database(name)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    bot = BotProcess(sandbox.url, TOKEN, database_url, tmp_path / "bot.log")
    bot.start("--listen", f"127.0.0.1:{port}")  # polling, with the health endpoints
    try:
        await until_listening(bot, base)
        assert await get(f"{base}/readyz") == (200, "ready\n")
        await drop_database(name)
        status, reason = await get(f"{base}/readyz")
        assert (status, reason) == (503, "database not reachable\n")
        assert await get(f"{base}/healthz") == (200, "ok\n"), "the process itself is alive"
        status, exposition = await get(f"{base}/metrics")
        assert status == 200 and total(exposition, "omzien_database_up") == 0
    except BaseException:
        print(bot.tail())
        raise
    finally:
        bot.kill()
