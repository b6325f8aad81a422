"""The outbox sender: the only place that sends messages to Telegram.

It keeps Telegram's limits (``omzien.bot.limits``: about 30 messages a second overall, one a
second per chat with a short burst, 20 a minute per group), waits as long as a 429 answer says,
retries server errors and time-outs with growing pauses, and stops writing to people who blocked
the bot. Rows stay in the database until Telegram has them, so a restart sends whatever was left.

A crash, a time-out or a dropped connection can cut a send off after Telegram took it but
before the row was marked sent.
Sending it again would post it twice, so such a row is first looked for: Telegram numbers
the messages of a chat in order, the bot can edit only its own messages, and at most one
message per chat is on its way at a time; so a message of the bot's with a number above the
last one it knows of in that chat can only be the lost one. Editing it to the same content
finds it ("not modified"); "message to edit not found" means it never arrived.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import logging
import random
from collections.abc import AsyncIterator, Callable
from datetime import datetime, timedelta
from typing import Any

from aiogram import Bot
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramMigrateToChat,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.types import BufferedInputFile, InlineKeyboardMarkup, ReplyKeyboardMarkup, ReplyKeyboardRemove
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from omzien import services
from omzien.bot.limits import RateLimiter
from omzien.core.logs import error_summary
from omzien.storage import outbox, signals
from omzien.storage.accounts import mark_blocked
from omzien.storage.db import SenderLock, read_session_factory
from omzien.storage.models import utcnow

log = logging.getLogger(__name__)

MAX_BACKOFF = 300.0
STANDBY_PAUSE = 5.0
"""Seconds between tries of an instance that stands by to take over sending."""
PROBES = 20
"""How many message numbers past the last known one to look at for a message lost in a crash."""


def _markup(data: dict[str, Any] | None) -> Any:
    if not data:
        return None
    if "inline_keyboard" in data:
        return InlineKeyboardMarkup.model_validate(data)
    if "keyboard" in data:
        return ReplyKeyboardMarkup.model_validate(data)
    return ReplyKeyboardRemove.model_validate(data)


class Sender:
    """Rows go to a task per chat (one request in flight per chat, so a chat's messages keep their order);
    each task waits for its turn right before its request, so nothing between the pacing and the request
    (a database write waiting for SQLite's lock, say) can bunch requests up. Rows are handed over a
    little ahead of the overall pace (``ahead``), so the pace never waits for a read of the outbox."""

    def __init__(self, bot: Bot, sessions: async_sessionmaker[AsyncSession], *,
                 limiter: RateLimiter | None = None, clock: Callable[[], datetime] = utcnow,
                 batch: int = 30, ahead: int = 15) -> None:
        self.bot, self.sessions, self.clock, self.batch, self.ahead = bot, sessions, clock, batch, ahead
        self.readers = read_session_factory(sessions.kw["bind"])
        self.limiter = limiter or RateLimiter()
        self.in_flight: dict[int, asyncio.Task[None]] = {}
        self.waiting: set[int] = set()
        """Chats whose task waits for its first turn."""
        self.found = False
        """Whether the last read of the outbox found rows due."""
        self._more = False
        """Whether the last read of the outbox may have left due rows behind (it was full)."""
        self._gate = asyncio.Lock()
        self.at_gate = 0
        """Tasks waiting for the overall pace (a stall is caught up only while some wait)."""
        self._wakeup = asyncio.Event()
        self._recovered = False
        self._standing_by = False

    def wake(self) -> None:
        self._wakeup.set()

    async def run(self) -> None:
        """Send until cancelled; with PostgreSQL, only while this instance holds the sender lock."""
        lock = SenderLock(self.sessions.kw["bind"])
        try:
            while True:
                if not await self._lead(lock):
                    await asyncio.sleep(STANDBY_PAUSE)
                    continue
                try:
                    pause = await self.send_due()
                except Exception as error:  # the database away for a moment: keep going, nothing is lost
                    log.error("The outbox sender could not read the outbox: %s", error_summary(error))
                    pause = 5.0
                # asyncio.timeout, not wait_for: on Python 3.11 wait_for can swallow a cancel that comes as
                # the wake-up does, and then the bot would not stop.
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(pause):
                        await self._wakeup.wait()
                self._wakeup.clear()
        finally:
            await lock.release()

    async def _lead(self, lock: SenderLock) -> bool:
        """Whether this instance is the one that sends; taking over means first checking what was cut off."""
        try:
            if await lock.held():
                return True
            if await lock.try_acquire():
                log.info("This instance sends the outbox")
                self._recovered = False  # whoever sent before may have died in the middle of a request
                return True
        except Exception as error:
            log.error("The sender lock could not be taken: %s", error_summary(error))
        if not self._standing_by:
            log.info("Another instance sends the outbox; this one stands by")
        self._standing_by = True
        return False

    async def send_due(self) -> float:
        """Hand every due row whose chat is free and within the limits to a task; seconds to the next try."""
        if not self._recovered:
            async with self.sessions.begin() as session:
                if lost := await outbox.recover_after_crash(session):
                    log.warning("%s message(s) were on their way when the bot stopped; checking them first", lost)
            self._recovered = True
        room = self.ahead - len(self.waiting)
        if room <= self.ahead // 2:
            return 1.0  # enough is waiting for its turn; a task that takes its turn wakes the loop
        self.limiter.forget_quiet()
        async with self.readers() as session:
            rows = await outbox.due(session, self.clock(), list(self.in_flight), self.batch)
        self.found = bool(rows)
        self._more = len(rows) == self.batch
        pause, ready = 1.0, []
        for row in rows:
            if len(ready) == room:
                self._more = True
                break
            if (wait := self.limiter.chat_wait(row.chat_id)) > 0:
                pause = min(pause, wait)
            else:
                ready.append(row)
        if ready:  # a trace for after a crash: these may be on their way
            async with self.sessions.begin() as session:
                await outbox.start_sending(session, [row.id for row in ready])
        for row in ready:
            self.waiting.add(row.chat_id)
            task = asyncio.create_task(self._deliver(row))
            self.in_flight[row.chat_id] = task
            task.add_done_callback(lambda _t, chat=row.chat_id: self._done(chat))
        return max(pause, 0.01)

    def _done(self, chat_id: int) -> None:
        self.in_flight.pop(chat_id, None)
        self.waiting.discard(chat_id)
        self.wake()

    async def drain(self, max_rounds: int = 1000) -> None:
        """Send until nothing is due any more (for tests and short commands)."""
        for _ in range(max_rounds):
            await self.send_due()
            if not self.in_flight:
                if not self.found and not self.waiting:
                    return
                await asyncio.sleep(0.01)
            else:
                await asyncio.gather(*self.in_flight.values(), return_exceptions=True)

    async def _deliver(self, row: outbox.Taken) -> None:
        try:
            message_id = None
            if row.in_doubt and row.method == "send":
                message_id = await self._find_lost(row)
            if message_id is None:
                async with self._turn(row.chat_id):
                    message_id = await self._request(row)
        except TelegramRetryAfter as error:
            self.limiter.pause(row.chat_id, error.retry_after)
            await self._later(row, error.retry_after, f"429 retry after {error.retry_after}s", count=False)
        except TelegramMigrateToChat as error:
            await self._moved(row.chat_id, error.migrate_to_chat_id)
        except TelegramForbiddenError as error:
            await self._forbidden(row, error.message)
        except TelegramBadRequest as error:
            await self._bad_request(row, error.message)
        except (TelegramServerError, TelegramNetworkError) as error:
            delay = min(2.0 ** row.attempts, MAX_BACKOFF) * random.uniform(0.8, 1.2)
            # No answer at all (a time-out, a dropped connection): Telegram may have taken it.
            doubt = isinstance(error, TelegramNetworkError) and row.method == "send"
            await self._later(row, delay, f"{type(error).__name__}: {error.message}", in_doubt=doubt)
        except Exception as error:
            log.error("Outbox row %s to chat %s failed: %s", row.id, row.chat_id, error_summary(error))
            await self._later(row, MAX_BACKOFF, "unexpected error")
        else:
            try:
                async with self.sessions.begin() as session:
                    await outbox.mark_sent(session, row, message_id, self.clock())
            except Exception as error:  # sent, but not noted: as after a crash, it is checked before it can go again
                log.error("Outbox row %s was sent but not marked sent: %s", row.id, error_summary(error))
                self._recovered = False

    async def _request(self, row: outbox.Taken) -> int | None:
        payload = dict(row.payload)
        markup = _markup(payload.pop("reply_markup", None))
        if row.method == "send":
            message = await self.bot.send_message(chat_id=row.chat_id, reply_markup=markup, **payload)
            return message.message_id
        if row.method == "photo":
            photo = BufferedInputFile(base64.b64decode(payload.pop("photo")), filename="omzien.png")
            message = await self.bot.send_photo(chat_id=row.chat_id, photo=photo, reply_markup=markup, **payload)
            return message.message_id
        assert row.message_id is not None
        payload.pop("protect_content", None)  # a message keeps what it was sent with; an edit cannot set it
        await self.bot.edit_message_text(chat_id=row.chat_id, message_id=row.message_id,
                                         reply_markup=markup, **payload)
        return row.message_id

    async def _find_lost(self, row: outbox.Taken) -> int | None:
        """The number of this row's message if Telegram got it before the crash; None if it did not."""
        async with self.readers() as session:
            last = await outbox.last_sent_id(session, row.chat_id)
        if last is None:
            return None  # nothing of ours known there: an edit could change a message the records do not know
        payload = dict(row.payload)
        payload.pop("protect_content", None)
        markup = _markup(payload.pop("reply_markup", None))
        markup = markup if isinstance(markup, InlineKeyboardMarkup) else None
        for candidate in range(last + 1, last + 1 + PROBES):
            try:
                async with self._turn(row.chat_id):
                    await self.bot.edit_message_text(chat_id=row.chat_id, message_id=candidate,
                                                     reply_markup=markup, **payload)
            except TelegramBadRequest as error:
                if "message is not modified" in error.message:
                    return candidate
                if "can't be edited" in error.message:
                    continue  # someone else's message
                return None
            return candidate
        return None

    @contextlib.asynccontextmanager
    async def _turn(self, chat_id: int) -> AsyncIterator[None]:
        """Wait until one more request to ``chat_id`` keeps Telegram's limits and count it, around the request.

        The chat's own limits first (only this task sends to it), then the overall pace, one task at a
        time in the order they came; the request follows at once, and counts until its answer is back.
        """
        while (wait := self.limiter.chat_wait(chat_id)) > 0:
            await asyncio.sleep(wait)
        self.at_gate += 1
        try:
            async with self._gate:
                while (wait := self.limiter.wait(chat_id)) > 0:
                    await asyncio.sleep(wait)
                request = self.limiter.record(chat_id, more_waiting=self.at_gate > 1)
        finally:
            self.at_gate -= 1
        if chat_id in self.waiting:
            self.waiting.discard(chat_id)
            if self._more and len(self.waiting) <= self.ahead // 2:
                self.wake()  # time to hand out the next rows
        try:
            yield
        finally:
            self.limiter.answered(request)

    async def _later(self, row: outbox.Taken, seconds: float, error: str, count: bool = True,
                     in_doubt: bool = False) -> None:
        log.warning("Outbox row %s to chat %s: %s; retry in %.0fs", row.id, row.chat_id, error, seconds)
        async with self.sessions.begin() as session:
            await outbox.retry_later(session, row.id, self.clock() + timedelta(seconds=seconds), error, count,
                                     in_doubt)

    async def _moved(self, old: int, new: int) -> None:
        log.warning("Group %s became supergroup %s", old, new)
        async with self.sessions.begin() as session:
            await services.points.group_moved(session, old, new)

    async def _forbidden(self, row: outbox.Taken, description: str) -> None:
        log.warning("Chat %s does not accept messages from the bot: %s", row.chat_id, description)
        async with self.sessions.begin() as session:
            if row.chat_id > 0:
                await mark_blocked(session, row.chat_id, self.clock())
            await signals.mark_addresses_undelivered(session, row.chat_id)
            dropped = await outbox.drop_chat(session, row.chat_id, f"403: {description}")
        log.warning("Dropped %s waiting message(s) for chat %s", dropped, row.chat_id)

    async def _bad_request(self, row: outbox.Taken, description: str) -> None:
        async with self.sessions.begin() as session:
            if "message is not modified" in description:
                await outbox.mark_sent(session, row, row.message_id, self.clock())
                return
            if row.purpose == "card" and row.method == "edit" and "message to edit not found" in description:
                await outbox.post_again(session, row.id)
                assert row.signal_id is not None
                await signals.card_lost(session, row.signal_id)
                log.warning("Card of signal %s was deleted from its group; posting it again", row.signal_id)
                return
            log.error("Outbox row %s to chat %s refused: %s", row.id, row.chat_id, description)
            await outbox.give_up(session, row.id, "failed", f"400: {description}")
