"""The bot's HTTP side (``omzien run --listen``): Telegram's webhook, and /healthz, /readyz and /metrics.

With ``--webhook-url`` Telegram posts every update to that address (through a reverse proxy to
``--listen``). An update is answered 200 only after it was handled and committed, so Telegram
sends it again after a crash; the handled-updates table stops a repeat. Several instances may
serve one webhook URL on PostgreSQL: each handles what it gets, one sends (``SenderLock``).
Telegram proves each request with the secret it was given in setWebhook; that secret is
``OMZIEN_WEBHOOK_SECRET`` or else derived from the bot token, so every instance knows the same one.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import signal
import time
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from aiogram import Bot, Dispatcher
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.exceptions import TelegramAPIError, TelegramBadRequest, TelegramNetworkError, TelegramServerError
from aiogram.methods import AnswerCallbackQuery, TelegramMethod
from aiogram.utils.i18n import gettext as _
from aiogram.webhook.aiohttp_server import SimpleRequestHandler
from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from omzien.bot.metrics import Metrics, TelegramWatch
from omzien.core.logs import error_summary
from omzien.core.settings import Settings
from omzien.storage.gauges import outbox_depth

log = logging.getLogger(__name__)

DEFAULT_LISTEN = "127.0.0.1:8081"
TELEGRAM_FRESH = 60.0
"""Seconds an answer from Telegram keeps it "reachable" for /readyz; older, /readyz asks getMe (at most so often)."""
PROBE_TIMEOUT = 5.0


def webhook_secret(settings: Settings, token: str) -> str:
    """The secret Telegram sends along with every update: the setting, or one derived from the token."""
    if settings.webhook_secret is not None and settings.webhook_secret.get_secret_value():
        return settings.webhook_secret.get_secret_value()
    return hmac.new(token.encode(), b"omzien webhook secret", hashlib.sha256).hexdigest()


def listen_address(settings: Settings) -> tuple[str, int] | None:
    """``host:port`` to serve on: the setting, or the default in webhook mode; None: no HTTP side."""
    listen = settings.listen or (DEFAULT_LISTEN if settings.webhook_url else None)
    if listen is None:
        return None
    host, _sep, port = listen.rpartition(":")
    if not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(listen)
    return host.strip("[]") or "0.0.0.0", int(port)


@dataclass
class CallbackReply:
    """The answer to this webhook update's callback query, kept to go back in the webhook's response."""

    callback_query_id: str
    method: AnswerCallbackQuery | None = None


_reply: ContextVar[CallbackReply | None] = ContextVar("webhook_reply", default=None)


class ReplyInWebhook(BaseRequestMiddleware):
    """While an update comes in over the webhook, the answer to its callback query is not a request of its
    own but goes back in the response to Telegram: one round trip less before the next update."""

    async def __call__(self, make_request: NextRequestMiddlewareType[Any], bot: Bot,
                       method: TelegramMethod[Any]) -> Any:
        reply = _reply.get()
        if reply is not None and reply.method is None and isinstance(method, AnswerCallbackQuery) \
                and method.callback_query_id == reply.callback_query_id:
            reply.method = method
            return True
        return await make_request(bot, method)


class WebhookHandler(SimpleRequestHandler):
    """aiogram's handler, answering only after the update was handled, with the callback answer in it."""

    async def _handle_request(self, bot: Bot, request: web.Request) -> web.Response:
        update = await request.json(loads=bot.session.json_loads)
        query = update.get("callback_query") if isinstance(update, dict) else None
        reply = CallbackReply(query["id"]) if isinstance(query, dict) and "id" in query else None
        token = _reply.set(reply)
        try:
            result = await self.dispatcher.feed_webhook_update(bot, update, **self.data)
        finally:
            _reply.reset(token)
        answer = reply.method if reply is not None else None
        if result is not None and answer is not None:  # only one method fits in the response
            await self.dispatcher.silent_call_request(bot, answer)
        return web.Response(body=self._build_response_writer(bot=bot, result=result or answer))


class Health:
    """/healthz: the process runs. /readyz: the database answers, Telegram answered lately, the outbox keeps up."""

    def __init__(self, bot: Bot, sessions: async_sessionmaker[AsyncSession], metrics: Metrics,
                 settings: Settings) -> None:
        self.bot, self.sessions, self.metrics, self.settings = bot, sessions, metrics, settings
        self.asked_telegram_at = -TELEGRAM_FRESH

    async def healthz(self, _: web.Request) -> web.Response:
        return web.Response(text="ok\n")

    async def readyz(self, _: web.Request) -> web.Response:
        reasons = [reason for reason in await asyncio.gather(self._database(), self._telegram()) if reason]
        if reasons:
            return web.Response(text="; ".join(reasons) + "\n", status=503)
        return web.Response(text="ready\n")

    async def metrics_text(self, _: web.Request) -> web.Response:
        return web.Response(body=await self.metrics.exposition(), headers={"Content-Type": CONTENT_TYPE_LATEST})

    async def _database(self) -> str | None:
        """None when the database answers and no due message has waited too long; else why not."""
        now = self.metrics.database.clock()
        try:
            async with asyncio.timeout(PROBE_TIMEOUT), self.sessions() as session:
                await session.execute(text("SELECT 1"))
                depth = await outbox_depth(session, now)
        except Exception as error:
            log.warning("/readyz: the database did not answer: %s", error_summary(error))
            return "database not reachable"
        lag = (now - depth.oldest_due).total_seconds() if depth.oldest_due else 0.0
        if lag > self.settings.ready_outbox_lag:
            return f"outbox behind: a message has waited {lag:.0f} s"
        return None

    async def _telegram(self) -> str | None:
        """None when Telegram answered within TELEGRAM_FRESH s; else one getMe, not more than once per that."""
        answered = self.metrics.telegram_answered_at
        now = time.monotonic()
        if answered is not None and now - answered < TELEGRAM_FRESH:
            return None
        if now - self.asked_telegram_at >= TELEGRAM_FRESH / 6:
            self.asked_telegram_at = now
            try:
                async with asyncio.timeout(PROBE_TIMEOUT):
                    await self.bot.get_me()
                return None
            except Exception as error:
                log.warning("/readyz: Telegram did not answer: %s", error_summary(error))
        return "Telegram not reachable"


class WebServer:
    """The aiohttp site on ``--listen``: the webhook (in webhook mode) and the health and metrics endpoints."""

    def __init__(self, app: web.Application, host: str, port: int) -> None:
        self.runner = web.AppRunner(app, access_log=None, shutdown_timeout=5.0)
        self.host, self.port = host, port

    async def start(self) -> None:
        await self.runner.setup()
        await web.TCPSite(self.runner, self.host, self.port).start()
        self.port = self.runner.addresses[0][1]
        log.info("Listening on %s:%s", self.host, self.port)

    async def stop(self) -> None:
        await self.runner.cleanup()


async def start(settings: Settings, token: str, bot: Bot, dispatcher: Dispatcher,
                sessions: async_sessionmaker[AsyncSession], metrics: Metrics) -> WebServer | None:
    """Serve on ``--listen`` (if any), then tell Telegram how updates come: to the webhook, or by polling."""
    from omzien.bot.app import StartupError

    try:
        address = listen_address(settings)
    except ValueError:
        raise StartupError(_("--listen {listen} is geen adres met poort, zoals 127.0.0.1:8081.").format(
            listen=settings.listen)) from None
    server = None
    if address is not None:
        app = web.Application()
        health = Health(bot, sessions, metrics, settings)
        app.router.add_get("/healthz", health.healthz)
        app.router.add_get("/readyz", health.readyz)
        app.router.add_get("/metrics", health.metrics_text)
        if settings.webhook_url:
            secret = webhook_secret(settings, token)
            bot.session.middleware(ReplyInWebhook())  # first: an answer it keeps back is no request to Telegram
            handler = WebhookHandler(dispatcher, bot, handle_in_background=False, secret_token=secret)
            # Not handler.register(): its shutdown hook would close the bot's session under the running sender.
            app.router.add_post(urlsplit(settings.webhook_url).path or "/", handler.handle)
        bot.session.middleware(TelegramWatch(metrics))
        server = WebServer(app, *address)
        try:
            await server.start()
        except OSError as error:
            await server.stop()
            raise StartupError(_("Omzien kan niet luisteren op {listen}: {reason}").format(
                listen=f"{address[0]}:{address[1]}", reason=error.strerror or error)) from None
    try:
        await _tell_telegram(settings, token, bot, dispatcher)
    except BaseException:
        if server is not None:
            await server.stop()
        raise
    return server


async def _tell_telegram(settings: Settings, token: str, bot: Bot, dispatcher: Dispatcher) -> None:
    """Polling: remove a webhook left from before (a failure only warns). Webhook: set it, waiting for Telegram."""
    from omzien.bot.app import StartupError

    if not settings.webhook_url:
        try:
            if (await bot.get_webhook_info()).url:
                log.info("A webhook was set; removing it to poll (updates waiting for it are kept)")
                await bot.delete_webhook(drop_pending_updates=False)
        except TelegramAPIError as error:
            log.warning("Could not check for a webhook left from before: %s", error_summary(error))
        return
    delay = 1.0
    while True:
        try:
            await bot.set_webhook(settings.webhook_url, secret_token=webhook_secret(settings, token),
                                  max_connections=settings.webhook_connections,
                                  allowed_updates=dispatcher.resolve_used_update_types(),
                                  drop_pending_updates=False)
            break
        except TelegramBadRequest as error:
            raise StartupError(_("Telegram neemt het webhook-adres {url} niet aan: {reason}").format(
                url=settings.webhook_url, reason=error.message)) from None
        except (TelegramNetworkError, TelegramServerError) as error:
            log.warning("Could not set the webhook (%s); trying again in %.0f s", error_summary(error), delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 60.0)
    log.info("Telegram posts updates to the webhook")


async def until_stopped(handle_signals: bool) -> None:
    """Wait for Ctrl-C or SIGTERM (with ``handle_signals``), or until cancelled: webhook mode's main loop."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    signals = (signal.SIGINT, signal.SIGTERM) if handle_signals else ()
    for each in signals:
        loop.add_signal_handler(each, stop.set)
    try:
        await stop.wait()
    finally:
        for each in signals:
            loop.remove_signal_handler(each)
