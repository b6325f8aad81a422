"""The stand-in's webhook as Telegram's, and what /readyz and /metrics tell an administrator."""

from __future__ import annotations

import asyncio
import random
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
import pytest
from aiogram.exceptions import TelegramRetryAfter
from aiohttp import web
from sqlalchemy import select, update

from omzien.bot.app import make_bot, sweep_now
from omzien.bot.metrics import Metrics, TelegramWatch
from omzien.bot.web import Health
from omzien.core.i18n import load_i18n
from omzien.core.settings import Settings
from omzien.flows.signal import Status
from omzien.sandbox.client import SandboxClient
from omzien.sandbox.server import Sandbox
from omzien.storage import outbox, sla
from omzien.storage.gauges import signals_by_point
from omzien.storage.models import OutboxMessage, Signal, utcnow
from tests.botprocess import TOKEN
from tests.conftest import Omzien
from tests.test_signal_chain import linked_group
from tests.test_sla import file_many
from tests.webserve import total


class Receiver:
    """A bot's webhook endpoint that notes what came, fails the first post, and answers taps in its response."""

    def __init__(self) -> None:
        self.posts: list[tuple[str | None, dict[str, Any], int]] = []
        self.url = ""

    async def start(self) -> web.AppRunner:
        app = web.Application()
        app.router.add_post("/hook", self.hook)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        self.url = f"http://127.0.0.1:{runner.addresses[0][1]}/hook"
        return runner

    async def hook(self, request: web.Request) -> web.Response:
        update = await request.json()
        status = 500 if not self.posts else 200
        self.posts.append((request.headers.get("X-Telegram-Bot-Api-Secret-Token"), update, status))
        if status == 200 and "callback_query" in update:
            return web.json_response({"method": "answerCallbackQuery", "text": "Dank u",
                                      "callback_query_id": update["callback_query"]["id"]})
        return web.json_response({}, status=status)

    def texts(self) -> list[tuple[str, int]]:
        return [(u["message"]["text"], status) for _, u, status in self.posts if "message" in u]


async def api(sandbox: Sandbox, method: str, **params: Any) -> tuple[int, dict[str, Any]]:
    async with aiohttp.ClientSession() as http, http.post(f"{sandbox.url}/bot{TOKEN}/{method}", json=params) as r:
        return r.status, await r.json()


async def test_the_stand_in_posts_updates_in_order_again_until_answered_and_carries_out_the_answer() -> None:
    receiver = Receiver()
    runner = await receiver.start()
    async with Sandbox(TOKEN) as sandbox, SandboxClient(sandbox.url) as client:
        sandbox.webhook.retry_pause = 0.05
        piet = await client.user("Piet")
        assert (await api(sandbox, "setWebhook", url="http://example.org/hook"))[0] == 400, "https only"
        assert (await api(sandbox, "setWebhook", url=receiver.url, secret_token="not allowed!"))[0] == 400
        assert (await api(sandbox, "setWebhook", url=receiver.url, secret_token="s3cret-token",
                          max_connections=2, drop_pending_updates=False)) == (200, {"ok": True, "result": True})
        status, body = await api(sandbox, "getUpdates")
        assert status == 409 and "webhook is active" in body["description"]

        await piet.send("een")
        await piet.send("twee")
        for _ in range(100):
            if len(receiver.texts()) >= 3:
                break
            await asyncio.sleep(0.05)
        assert receiver.texts() == [("een", 500), ("een", 200), ("twee", 200)], "again, and in order per chat"
        assert {secret for secret, _, _ in receiver.posts} == {"s3cret-token"}
        info = (await api(sandbox, "getWebhookInfo"))[1]["result"]
        assert info["pending_update_count"] == 0 and "500" in info["last_error_message"]
        assert info["max_connections"] == 2

        await api(sandbox, "sendMessage", chat_id=piet.id, text="Klopt dit?",
                  reply_markup={"inline_keyboard": [[{"text": "Ja", "callback_data": "ja"}]]})
        await piet.tap("Ja")
        for _ in range(100):
            if await piet.answers():
                break
            await asyncio.sleep(0.05)
        assert [a["text"] for a in await piet.answers()] == ["Dank u"], "the answer in the response was carried out"
        assert [r["method"] for r in sandbox.refusals] == ["setWebhook", "setWebhook", "getUpdates"], \
            "only the test's own wrong requests were refused"

        assert (await api(sandbox, "deleteWebhook"))[0] == 200
        assert (await api(sandbox, "getUpdates"))[0] == 200, "polling again once the webhook is gone"
    await runner.cleanup()


async def test_readyz_names_a_late_outbox_and_an_unreachable_telegram_and_metrics_count_429s(sandbox,
                                                                                            sessions) -> None:
    bot = make_bot(TOKEN, sandbox.url)
    metrics = Metrics(sessions)
    bot.session.middleware(TelegramWatch(metrics))
    health = Health(bot, sessions, metrics, Settings(ready_outbox_lag=60))
    try:
        ready = await health.readyz(None)  # type: ignore[arg-type]
        assert (ready.status, ready.text) == (200, "ready\n")
        assert metrics.telegram_answered_at is not None, "asked getMe once"

        async with sessions.begin() as session:
            outbox.send(session, 4242, {"text": "Dag"})
            await session.flush()
            await session.execute(update(OutboxMessage).values(created_at=utcnow() - timedelta(minutes=10)))
        ready = await health.readyz(None)  # type: ignore[arg-type]
        assert ready.status == 503 and ready.text.startswith("outbox behind: a message has waited 6")
        exposition = (await metrics.exposition()).decode()
        assert total(exposition, "omzien_outbox_waiting") == 1
        assert total(exposition, "omzien_outbox_oldest_due_seconds") >= 600

        await SandboxClient(sandbox.url).faults(flood_share=1.0)
        with pytest.raises(TelegramRetryAfter):
            await bot.send_message(chat_id=4242, text="Dag")
        assert total((await metrics.exposition()).decode(), "omzien_telegram_retry_after_total") == 1

        await sandbox.stop()
        metrics.telegram_answered_at, health.asked_telegram_at = None, -1000.0
        ready = await health.readyz(None)  # type: ignore[arg-type]
        assert ready.status == 503 and "Telegram not reachable" in ready.text
    finally:
        await bot.session.close()


async def test_the_metrics_count_open_and_late_signals_as_the_overview_does_and_time_the_sweep(app: Omzien) -> None:
    """Per point in one query (``storage.gauges``), the same rule as ``storage.sla.overdue_counts``."""
    await linked_group(app, app.person("Anna"))
    await file_many(app, 60)
    now = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    pick = random.Random(11)
    async with app.sessions.begin() as session:
        for signal in await session.scalars(select(Signal)):
            signal.due_claim_at, signal.due_contact_at, signal.due_close_at = sorted(
                now + timedelta(hours=pick.randint(-72, 72)) for _ in range(3))
            signal.status = pick.choice([Status.NEW, Status.CLAIMED, Status.CLOSED])
            signal.contacted_at = now if pick.random() < 0.4 else None
    async with app.sessions() as session:
        point_id = await session.scalar(select(Signal.point_id))
        open_count, late_count = await sla.overdue_counts(session, point_id, now)
        assert await signals_by_point(session, now) == {point_id: (open_count, late_count)}
    assert 0 < late_count < open_count
    metrics = Metrics(app.sessions, clock=lambda: now)
    exposition = (await metrics.exposition()).decode()
    assert total(exposition, "omzien_signals_open", point=str(point_id)) == open_count
    assert total(exposition, "omzien_signals_overdue", point=str(point_id)) == late_count
    await sweep_now(app.sessions, load_i18n("nl"), lambda: None, lambda: now, metrics)
    exposition = (await metrics.exposition()).decode()
    assert total(exposition, "omzien_sweep_seconds_count") == 1, "the sweep is timed"
