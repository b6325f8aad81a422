"""The outbox sender: the only place that sends messages to Telegram.

It keeps Telegram's limits (about 30 messages a second overall, one a second per chat,
20 a minute per group), waits as long as a 429 answer says, retries server errors and
time-outs with growing pauses, and stops writing to people who blocked the bot. Rows stay
in the database until Telegram has them, so a restart sends whatever was left.

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
import math
import random
from collections import defaultdict, deque
from collections.abc import Callable
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
from omzien.core.logs import error_summary
from omzien.storage import outbox, signals
from omzien.storage.accounts import mark_blocked
from omzien.storage.db import SenderLock
from omzien.storage.models import OutboxMessage, utcnow

log = logging.getLogger(__name__)

MAX_BACKOFF = 300.0
STANDBY_PAUSE = 5.0
"""Seconds between tries of an instance that stands by to take over sending."""
PROBES = 20
"""How many message numbers past the last known one to look at for a message lost in a crash."""


class RateLimiter:
    """Telegram's limits: sends paced evenly overall, one a second per chat, a window of a minute per group.

    Overall sends are spaced evenly rather than let out 30 at once: Telegram counts requests when
    they arrive, and a burst that leaves within a second can arrive within less. Every interval is
    a little longer than Telegram's (``margin``): a 429 costs far more than a few milliseconds.
    """

    def __init__(self, per_second: int = 30, chat_interval: float = 1.0, group_per_minute: int = 20,
                 clock: Callable[[], float] | None = None, margin: float = 0.05) -> None:
        self.per_second, self.chat_interval, self.group_per_minute = per_second, chat_interval, group_per_minute
        self.second, self.minute = 1.0 + margin, 60.0 + margin * 60
        self.clock = clock or asyncio.get_running_loop().time
        self.last_overall = -math.inf
        self.last_in_chat: dict[int, float] = {}
        self.recent_in_group: defaultdict[int, deque[float]] = defaultdict(deque)
        self.paused_until: dict[int, float] = {}

    def wait(self, chat_id: int) -> float:
        """Seconds until a message to ``chat_id`` keeps every limit (0: now)."""
        return max(self.chat_wait(chat_id), self.overall_wait())

    def overall_wait(self) -> float:
        return max(0.0, self.last_overall + self.second / self.per_second - self.clock())

    def chat_wait(self, chat_id: int) -> float:
        """Seconds until ``chat_id`` may get a message, leaving the overall pace aside."""
        now = self.clock()
        waits = [self.paused_until.get(chat_id, now) - now]
        if chat_id in self.last_in_chat:
            waits.append(self.last_in_chat[chat_id] + self.chat_interval * self.second - now)
        if chat_id < 0:
            window = self.recent_in_group[chat_id]
            while window and now - window[0] >= self.minute:
                window.popleft()
            if len(window) >= self.group_per_minute:
                waits.append(window[0] + self.minute - now)
        return max(0.0, *waits)

    def record(self, chat_id: int) -> None:
        now = self.clock()
        self.last_overall = now
        self.last_in_chat[chat_id] = now
        if chat_id < 0:
            self.recent_in_group[chat_id].append(now)

    def pause(self, chat_id: int, seconds: float) -> None:
        self.paused_until[chat_id] = self.clock() + seconds


def _markup(data: dict[str, Any] | None) -> Any:
    if not data:
        return None
    if "inline_keyboard" in data:
        return InlineKeyboardMarkup.model_validate(data)
    if "keyboard" in data:
        return ReplyKeyboardMarkup.model_validate(data)
    return ReplyKeyboardRemove.model_validate(data)


class Sender:
    def __init__(self, bot: Bot, sessions: async_sessionmaker[AsyncSession], *,
                 limiter: RateLimiter | None = None, clock: Callable[[], datetime] = utcnow,
                 batch: int = 30) -> None:
        self.bot, self.sessions, self.clock, self.batch = bot, sessions, clock, batch
        self.limiter = limiter or RateLimiter()
        self.in_flight: dict[int, asyncio.Task[None]] = {}
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
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wakeup.wait(), timeout=pause)
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
        """Start sending every due row whose chat is free and within the limits; seconds to the next try."""
        if not self._recovered:
            async with self.sessions.begin() as session:
                if lost := await outbox.recover_after_crash(session):
                    log.warning("%s message(s) were on their way when the bot stopped; checking them first", lost)
            self._recovered = True
        async with self.sessions() as session:
            rows = await outbox.due(session, self.clock(), list(self.in_flight), self.batch)
        pause = 1.0
        for row in rows:
            wait = self.limiter.chat_wait(row.chat_id)
            if wait > 0:
                pause = min(pause, wait)
                continue
            await asyncio.sleep(self.limiter.overall_wait())  # the overall pace, kept within this pass
            self.limiter.record(row.chat_id)
            async with self.sessions.begin() as session:
                await outbox.start_sending(session, [row.id])
            task = asyncio.create_task(self._deliver(row))
            self.in_flight[row.chat_id] = task
            task.add_done_callback(lambda _t, chat=row.chat_id: self._done(chat))
        return max(pause, 0.01)

    def _done(self, chat_id: int) -> None:
        self.in_flight.pop(chat_id, None)
        self.wake()

    async def drain(self, max_rounds: int = 1000) -> None:
        """Send until nothing is due any more (for tests and short commands)."""
        for _ in range(max_rounds):
            await self.send_due()
            if not self.in_flight:
                async with self.sessions() as session:
                    if not await outbox.due(session, self.clock(), [], 1):
                        return
                await asyncio.sleep(0.01)
            else:
                await asyncio.gather(*self.in_flight.values(), return_exceptions=True)

    async def _deliver(self, row: OutboxMessage) -> None:
        try:
            message_id = None
            if row.in_doubt and row.method == "send":
                message_id = await self._find_lost(row)
                if message_id is None:
                    await self._take_turn(row.chat_id)
            if message_id is None:
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
            async with self.sessions.begin() as session:
                await outbox.mark_sent(session, row.id, row.version, message_id, self.clock())

    async def _request(self, row: OutboxMessage) -> int | None:
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

    async def _find_lost(self, row: OutboxMessage) -> int | None:
        """The number of this row's message if Telegram got it before the crash; None if it did not."""
        async with self.sessions() as session:
            last = await outbox.last_sent_id(session, row.chat_id)
        if last is None:
            return None  # nothing of ours known there: an edit could change a message the records do not know
        payload = dict(row.payload)
        payload.pop("protect_content", None)
        markup = _markup(payload.pop("reply_markup", None))
        markup = markup if isinstance(markup, InlineKeyboardMarkup) else None
        for candidate in range(last + 1, last + 1 + PROBES):
            await self._take_turn(row.chat_id)
            try:
                await self.bot.edit_message_text(chat_id=row.chat_id, message_id=candidate, reply_markup=markup,
                                                 **payload)
            except TelegramBadRequest as error:
                if "message is not modified" in error.message:
                    return candidate
                if "can't be edited" in error.message:
                    continue  # someone else's message
                return None
            return candidate
        return None

    async def _take_turn(self, chat_id: int) -> None:
        """Wait until one more request to ``chat_id`` keeps Telegram's limits, and count it."""
        while (wait := self.limiter.wait(chat_id)) > 0:
            await asyncio.sleep(wait)
        self.limiter.record(chat_id)

    async def _later(self, row: OutboxMessage, seconds: float, error: str, count: bool = True,
                     in_doubt: bool = False) -> None:
        log.warning("Outbox row %s to chat %s: %s; retry in %.0fs", row.id, row.chat_id, error, seconds)
        async with self.sessions.begin() as session:
            await outbox.retry_later(session, row.id, self.clock() + timedelta(seconds=seconds), error, count,
                                     in_doubt)

    async def _moved(self, old: int, new: int) -> None:
        log.warning("Group %s became supergroup %s", old, new)
        async with self.sessions.begin() as session:
            await services.points.group_moved(session, old, new)

    async def _forbidden(self, row: OutboxMessage, description: str) -> None:
        log.warning("Chat %s does not accept messages from the bot: %s", row.chat_id, description)
        async with self.sessions.begin() as session:
            if row.chat_id > 0:
                await mark_blocked(session, row.chat_id, self.clock())
            await signals.mark_addresses_undelivered(session, row.chat_id)
            dropped = await outbox.drop_chat(session, row.chat_id, f"403: {description}")
        log.warning("Dropped %s waiting message(s) for chat %s", dropped, row.chat_id)

    async def _bad_request(self, row: OutboxMessage, description: str) -> None:
        async with self.sessions.begin() as session:
            if "message is not modified" in description:
                await outbox.mark_sent(session, row.id, row.version, row.message_id, self.clock())
                return
            if row.purpose == "card" and row.method == "edit" and "message to edit not found" in description:
                await outbox.post_again(session, row.id)
                assert row.signal_id is not None
                await signals.card_lost(session, row.signal_id)
                log.warning("Card of signal %s was deleted from its group; posting it again", row.signal_id)
                return
            log.error("Outbox row %s to chat %s refused: %s", row.id, row.chat_id, description)
            await outbox.give_up(session, row.id, "failed", f"400: {description}")
