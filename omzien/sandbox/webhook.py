"""The stand-in's webhook: after ``setWebhook`` updates are POSTed to the bot instead of handed out by getUpdates.

As Telegram does it: every request carries ``X-Telegram-Bot-Api-Secret-Token`` when a secret was set;
``getUpdates`` answers 409 while a webhook is set; the updates of one chat go one at a time and in
order, different chats at the same time up to ``max_connections``; an update is posted again, after
a growing pause, until the bot answers 2xx; a method in the body of that answer is carried out as if
the bot had requested it (checked against the spec, refusals kept). One difference: besides
``https://`` on ports 443, 80, 88 and 8443, the stand-in takes ``http://`` to this machine, for tests.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import logging
import re
import time
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit

import aiohttp

from omzien.sandbox.errors import BotApiError, bad_request
from omzien.sandbox.updates import DEFAULT_UPDATES, UpdateQueue

log = logging.getLogger(__name__)

SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
PORTS = {443, 80, 88, 8443}
LOCAL_HOSTS = {"localhost"}
POST_TIMEOUT = 60.0  # Telegram gives the bot about a minute to answer

Params = dict[str, Any]
CarryOut = Callable[[str, Params], Awaitable[None]]


def _local(host: str) -> bool:
    if host in LOCAL_HOSTS:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _chat_of(update: dict[str, Any]) -> Any:
    """What orders updates: the chat, else the person, else nothing (the update stands alone)."""
    payload = next((v for k, v in update.items() if k != "update_id" and isinstance(v, dict)), {})
    chat = payload.get("chat") or (payload.get("message") or {}).get("chat") or payload.get("from") or {}
    return chat.get("id", ("update", update["update_id"]))


class Webhook:
    def __init__(self, queue: UpdateQueue, carry_out: CarryOut, *, retry_pause: float = 0.2,
                 max_pause: float = 5.0) -> None:
        self.queue, self.carry_out = queue, carry_out
        self.retry_pause, self.max_pause = retry_pause, max_pause
        self.url = ""
        self.secret: str | None = None
        self.max_connections = 40
        self.answers: list[int] = []  # the status of every POST, for tests
        self.replied: list[str] = []  # the methods carried out from the bot's answers, for tests
        self.last_error: tuple[int, str] | None = None
        self._tries: dict[int, int] = {}  # update_id → failed posts
        self._not_before: dict[int, float] = {}  # update_id → monotonic time of the next try
        self._in_flight: dict[Any, asyncio.Task[None]] = {}
        self._loop: asyncio.Task[None] | None = None

    def methods(self, get_updates: Callable[[Params], Awaitable[Any]]) -> dict[str, Callable[[Params], Any]]:
        """The Bot API methods this module answers (they replace the plain getUpdates)."""

        async def guarded_get_updates(p: Params) -> Any:
            if self.url:
                raise BotApiError(409, "Conflict: can't use getUpdates method while webhook is active; "
                                       "use deleteWebhook to delete the webhook first")
            return await get_updates(p)

        return {"setWebhook": self.set, "deleteWebhook": self.delete, "getWebhookInfo": self.info,
                "getUpdates": guarded_get_updates}

    async def set(self, p: Params) -> bool:
        url = p["url"]
        if not url:
            return await self.delete(p)
        parts = urlsplit(url)
        if not (parts.scheme == "https" or (parts.scheme == "http" and _local(parts.hostname or ""))):
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook", field="url")
        if not _local(parts.hostname or "") and (parts.port or 443) not in PORTS:
            raise bad_request("bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443", field="url")
        secret = p.get("secret_token")
        if secret is not None and not SECRET.match(secret):
            raise bad_request("bad webhook: secret token contains unallowed characters", field="secret_token")
        if p.get("drop_pending_updates"):
            self.queue.pending.clear()
        if p.get("allowed_updates") is not None:
            self.queue.allowed_updates = frozenset(p["allowed_updates"]) or DEFAULT_UPDATES
        self.url, self.secret = url, secret
        self.max_connections = min(100, max(1, p.get("max_connections", 40)))
        if self._loop is None or self._loop.done():
            self._loop = asyncio.create_task(self._deliver())
        self.queue.arrivals.bump()  # a long poll still waiting gives way
        return True

    async def delete(self, p: Params) -> bool:
        self.url, self.secret = "", None
        if p.get("drop_pending_updates"):
            self.queue.pending.clear()
        await self.close()
        return True

    def info(self, _: Params) -> dict[str, Any]:
        info: dict[str, Any] = {"url": self.url, "has_custom_certificate": False,
                                "pending_update_count": len(self.queue.pending)}
        if self.url:
            info.update(max_connections=self.max_connections, allowed_updates=sorted(self.queue.allowed_updates))
        if self.last_error:
            info.update(last_error_date=self.last_error[0], last_error_message=self.last_error[1])
        return info

    async def close(self) -> None:
        """Stop delivering; what was not delivered stays pending."""
        tasks = [t for t in (self._loop, *self._in_flight.values()) if t is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._loop = None
        self._in_flight.clear()

    async def _deliver(self) -> None:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=POST_TIMEOUT)) as http:
            while self.url and not self.queue.arrivals.closed:
                seen = self.queue.arrivals.version
                wait = self._start_posts(http)
                await self.queue.arrivals.wait_beyond(seen, wait)

    def _start_posts(self, http: aiohttp.ClientSession) -> float:
        """Post the first pending update of every chat that has none on its way; seconds to look again."""
        now, wait, chats = time.monotonic(), 1.0, set()
        for update in list(self.queue.pending):
            chat = _chat_of(update)
            if chat in chats or chat in self._in_flight:
                chats.add(chat)
                continue
            chats.add(chat)
            pause = self._not_before.get(update["update_id"], 0.0) - now
            if pause > 0:
                wait = min(wait, pause)
                continue
            if len(self._in_flight) >= self.max_connections:
                break
            self._in_flight[chat] = asyncio.create_task(self._post(http, update, chat))
        return max(wait, 0.01)

    async def _post(self, http: aiohttp.ClientSession, update: dict[str, Any], chat: Any) -> None:
        headers = {"X-Telegram-Bot-Api-Secret-Token": self.secret} if self.secret else {}
        try:
            async with http.post(self.url, json=update, headers=headers) as response:
                status = response.status
                method = await _method_in(response) if 200 <= status < 300 else None
                problem = None if 200 <= status < 300 else f"Wrong response from the webhook: {status} " \
                                                           f"{response.reason}"
        except (aiohttp.ClientError, TimeoutError) as error:
            status, method, problem = 0, None, f"Connection failed: {type(error).__name__}"
        finally:
            self._in_flight.pop(chat, None)
        self.answers.append(status)
        if problem is None:
            with contextlib.suppress(ValueError):
                self.queue.pending.remove(update)
            self._tries.pop(update["update_id"], None)
            self._not_before.pop(update["update_id"], None)
            if method is not None:
                self.replied.append(method[0])
                await self.carry_out(*method)
        else:
            tries = self._tries[update["update_id"]] = self._tries.get(update["update_id"], 0) + 1
            self._not_before[update["update_id"]] = time.monotonic() + min(self.retry_pause * 2 ** (tries - 1),
                                                                           self.max_pause)
            self.last_error = (int(time.time()), problem)
        self.queue.arrivals.bump()


async def _method_in(response: aiohttp.ClientResponse) -> tuple[str, Params] | None:
    """The method a bot may put in its answer to a webhook request: JSON or form data with a "method" field."""
    if response.content_type == "application/json":
        body = await response.json()
        params = dict(body) if isinstance(body, dict) else {}
    elif response.content_type == "multipart/form-data":
        params = {}
        reader = aiohttp.MultipartReader.from_response(response)
        while (part := await reader.next()) is not None:
            if isinstance(part, aiohttp.BodyPartReader) and part.name:
                params[part.name] = await part.text()
    else:
        return None
    method = params.pop("method", None)
    return (method, params) if isinstance(method, str) and method else None
