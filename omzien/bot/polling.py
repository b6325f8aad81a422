"""Long polling with updates handled side by side, each chat's (and each person's) updates in order.

Telegram forgets every update below the ``offset`` of the next getUpdates call, so the offset only moves
past an update once that update was handled: committed, or given up after a few tries. An update that
finished while an earlier one is still being handled is not confirmed yet; if Telegram hands it out
again, it is known here and skipped (and after a restart the handled-updates table skips it).

Two updates of one chat, or of one person, never run at the same time: the later one waits for the
earlier one, so a conversation sees its messages and taps in the order they were sent.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.dispatcher.middlewares.user_context import UserContextMiddleware
from aiogram.methods import TelegramMethod
from aiogram.types import Update

from omzien.core.logs import error_summary

log = logging.getLogger(__name__)

Key = tuple[str, int]


def order_keys(update: Update) -> set[Key]:
    """What an update must wait its turn for: its chat, and the person it comes from."""
    context = UserContextMiddleware.resolve_event_context(update)
    keys: set[Key] = set()
    if context.chat is not None:
        keys.add(("chat", context.chat.id))
    if context.user is not None:
        keys.add(("user", context.user.id))
    return keys


class Polling:
    """Fetch updates, hand each to the dispatcher in a task of its own, confirm what is done.

    ``most`` bounds the updates in hand at once (below getUpdates' limit of 100, so new updates
    still come in while earlier ones are not confirmed). A failing update is tried ``tries`` times,
    ``pause`` seconds apart and doubling, before it is given up (and logged).
    """

    AGAIN = 0.05

    def __init__(self, dispatcher: Dispatcher, bot: Bot, *, allowed_updates: list[str] | None = None,
                 timeout: int = 30, most: int = 64, tries: int = 3, pause: float = 1.0, **data: Any) -> None:
        self.dispatcher, self.bot = dispatcher, bot
        self.allowed_updates, self.timeout, self.most = allowed_updates, timeout, most
        self.tries, self.pause = tries, pause
        self.data = {"dispatcher": dispatcher, "bots": [bot], **data}
        self.handling: dict[int, asyncio.Task[None]] = {}
        self.done: set[int] = set()  # handled, but an earlier update is not yet
        self.next_id: int | None = None  # one past the newest update seen
        self.last_of: dict[Key, asyncio.Task[None]] = {}

    @property
    def offset(self) -> int | None:
        """The first update not yet handled: Telegram may forget everything before it."""
        offset = min(self.handling) if self.handling else self.next_id
        if offset is not None:
            self.done = {update_id for update_id in self.done if update_id >= offset}
        return offset

    async def run(self) -> None:
        """Poll until cancelled; then let the updates in hand finish (they commit or roll back whole)."""
        failures = 0
        try:
            while True:
                if len(self.handling) >= self.most:
                    await self._one_done()
                try:
                    updates = await self.bot.get_updates(offset=self.offset, limit=100,
                                                         timeout=0 if self.handling else self.timeout,
                                                         allowed_updates=self.allowed_updates)
                except Exception as error:
                    failures += 1
                    delay = min(2.0 ** failures, 60.0)
                    log.error("Could not fetch updates: %s; trying again in %.0f s", error_summary(error), delay)
                    await asyncio.sleep(delay)
                    continue
                failures = 0
                new = [update for update in updates if self._is_new(update.update_id)]
                for update in new:
                    self._start(update)
                if not new and self.handling:
                    # Telegram hands the unconfirmed ones out again at once: ask again when one is done,
                    # or after a moment, for what came in since
                    await self._one_done(timeout=self.AGAIN)
        finally:
            if self.handling:
                await asyncio.wait(list(self.handling.values()))

    def _is_new(self, update_id: int) -> bool:
        """Not one handed out again because an earlier update held the offset back."""
        return update_id not in self.handling and update_id not in self.done

    async def _one_done(self, timeout: float | None = None) -> None:
        await asyncio.wait(list(self.handling.values()), timeout=timeout, return_when=asyncio.FIRST_COMPLETED)

    def _start(self, update: Update) -> None:
        keys = order_keys(update)
        earlier = {self.last_of[key] for key in keys if key in self.last_of}
        task = asyncio.create_task(self._handle(update, earlier))
        self.handling[update.update_id] = task
        self.next_id = max(self.next_id or 0, update.update_id + 1)
        for key in keys:
            self.last_of[key] = task

        def finished(_task: asyncio.Task[None]) -> None:
            del self.handling[update.update_id]
            self.done.add(update.update_id)
            for key in keys:
                if self.last_of.get(key) is task:
                    del self.last_of[key]

        task.add_done_callback(finished)

    async def _handle(self, update: Update, earlier: set[asyncio.Task[None]]) -> None:
        if earlier:
            await asyncio.wait(earlier)
        pause = self.pause
        for attempt in range(1, self.tries + 1):
            try:
                result = await self.dispatcher.feed_update(self.bot, update, **self.data)
            except Exception as error:
                log.error("Update %s failed (try %s of %s): %s", update.update_id, attempt, self.tries,
                          error_summary(error))
                if attempt < self.tries:
                    await asyncio.sleep(pause)
                    pause *= 2
                continue
            if isinstance(result, TelegramMethod):
                await self.dispatcher.silent_call_request(self.bot, result)
            return
        log.error("Update %s given up", update.update_id)


async def poll(dispatcher: Dispatcher, bot: Bot, *, allowed_updates: list[str] | None = None,
               handle_signals: bool = True, **data: Any) -> None:
    """Poll until cancelled, or until SIGINT or SIGTERM when ``handle_signals``."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    signals = (signal.SIGINT, signal.SIGTERM) if handle_signals else ()
    for number in signals:
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(number, stop.set)
    polling = asyncio.create_task(Polling(dispatcher, bot, allowed_updates=allowed_updates, **data).run())
    stopped = asyncio.create_task(stop.wait())
    log.info("Polling for updates")
    try:
        await asyncio.wait({polling, stopped}, return_when=asyncio.FIRST_COMPLETED)
        if polling.done():
            polling.result()  # what made it stop, raised here
    finally:
        stopped.cancel()
        polling.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await polling
        for number in signals:
            with contextlib.suppress(NotImplementedError):
                loop.remove_signal_handler(number)
        log.info("Polling stopped")
