"""Webhook mode: Telegram (the stand-in) posts the updates to the bot, a real process; health and metrics."""

from __future__ import annotations

import asyncio

import aiohttp

from omzien.sandbox.client import SandboxClient
from tests.botprocess import TOKEN, BotProcess
from tests.webserve import NOTE, PATIENCE, free_port, get, label_values, report, shows, total, until_listening


async def test_a_report_comes_in_over_the_webhook_and_a_wrong_secret_is_refused(sandbox, tmp_path) -> None:
    client = SandboxClient(sandbox.url)
    piet = await client.user("Piet")
    anna = await client.user("Anna")
    group = await client.group("Signaalpunt Noord", members=[anna])
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    bot = BotProcess(sandbox.url, TOKEN, f"sqlite+aiosqlite:///{tmp_path}/webhook.sqlite3", tmp_path / "bot.log")
    await asyncio.to_thread(bot.omzien, "points", "add", "--name", "Signaalpunt Noord", "--postcodes", "3040-3059",
                            "--group-chat-id", str(group.id))
    bot.start("--webhook-url", f"{base}/telegram", "--listen", f"127.0.0.1:{port}")
    try:
        await until_listening(bot, base)
        assert (await get(f"{base}/healthz"))[0] == 200

        await report(piet, "3044 AB 287", NOTE)
        await anna.wait_for(shows("postcode 3044"), chat=group, timeout=PATIENCE)

        info = sandbox.webhook.info({})
        assert info["url"] == f"{base}/telegram" and info["pending_update_count"] == 0
        assert set(sandbox.webhook.answers) == {200}, "every update was answered 200 the first time"
        assert "answerCallbackQuery" in sandbox.webhook.replied, "a tap's answer rode back on the webhook"
        assert len(await piet.answers()) >= 6, "every tap was answered"

        status, exposition = await get(f"{base}/metrics")
        assert status == 200
        handled = total(exposition, "omzien_updates_handled_total")
        assert total(exposition, "omzien_updates_handled_total", type="message") >= 3
        assert total(exposition, "omzien_updates_handled_total", type="callback_query") >= 6
        assert total(exposition, "omzien_update_handling_seconds_count") == handled
        assert total(exposition, "omzien_signals_open", point="1") == 1
        assert total(exposition, "omzien_outbox_waiting") >= 0 and "omzien_telegram_retry_after_total" in exposition
        # names, labels and help texts; not the sample values (a timestamp's digits can hold "287" by chance)
        described = "\n".join(line if line.startswith("#") else line.rsplit(" ", 1)[0]
                              for line in exposition.splitlines()).replace('le="0.0287"', "")
        for secret in ("3044", "287", "rollator", "Piet", "Anna", str(piet.id)):
            assert secret not in described, f"{secret!r} is in the metrics"
        assert label_values(exposition) <= {"1", "message", "callback_query", "my_chat_member", "+Inf"} | {
            line.split('le="')[1].split('"')[0] for line in exposition.splitlines() if 'le="' in line}

        forged = {"update_id": 1, "message": {"message_id": 1, "date": 0, "text": "/start",
                                              "chat": {"id": piet.id, "type": "private", "first_name": "Piet"},
                                              "from": {"id": piet.id, "is_bot": False, "first_name": "Piet"}}}
        before = len(await piet.chat())
        async with aiohttp.ClientSession() as http:
            for headers in ({"X-Telegram-Bot-Api-Secret-Token": "guessed"}, {}):
                async with http.post(f"{base}/telegram", json=forged, headers=headers) as answer:
                    assert answer.status in (401, 403)
        await asyncio.sleep(1.0)
        assert len(await piet.chat()) == before, "a forged update was not handled"
        assert total((await get(f"{base}/metrics"))[1], "omzien_updates_handled_total") == handled

        assert (await get(f"{base}/readyz")) == (200, "ready\n")
        assert await client.refusals() == [], "the bot sent a request the stand-in refused"
        async with aiohttp.ClientSession() as http, http.post(f"{sandbox.url}/bot{TOKEN}/getUpdates") as polled:
            assert polled.status == 409, "no polling while a webhook is set"
    except BaseException:
        print(bot.tail())
        raise
    finally:
        code = bot.stop()
        await client.close()
    assert code == 0, bot.tail()
    assert sandbox.webhook.url, "stopping one instance leaves the webhook for the others"
