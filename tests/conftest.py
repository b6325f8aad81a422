"""Fixtures: a fresh database (SQLite always, PostgreSQL when OMZIEN_TEST_DATABASE_URL is set),
a clock the test moves, and the real bot wired to the test Telegram."""

from __future__ import annotations

import asyncio
import itertools
import os
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiogram import Bot
from aiogram.methods import TelegramMethod
from aiogram.types import CallbackQuery, Chat, Message, Update, User
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from omzien.bot.app import make_dispatcher
from omzien.bot.sender import RateLimiter, Sender
from omzien.core.i18n import load_i18n
from omzien.core.settings import Settings
from omzien.sandbox.server import Sandbox
from omzien.storage.db import create_engine, session_factory, upgrade
from omzien.storage.sealing import load_keyring
from tests.botprocess import TOKEN
from tests.telegram import BOT_USER, FakeTelegram, Shown, inline

BACKENDS = ["sqlite", "postgresql"]

os.environ["OMZIEN_SECRET_KEY"] = "dGVzdHMtb2Ytb216aWVuLXNlYWwtd2l0aC10aGlzLWs="  # 32 bytes, for tests only
KEYS = load_keyring(Settings())
"""The keys of every test database, as the commands under test read them from OMZIEN_SECRET_KEY too."""


@pytest.fixture(params=BACKENDS)
async def engine(request: pytest.FixtureRequest, tmp_path: Any) -> AsyncIterator[AsyncEngine]:
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path}/omzien-test.sqlite3"
    else:
        url = os.environ.get("OMZIEN_TEST_DATABASE_URL", "")
        if not url:
            pytest.skip("OMZIEN_TEST_DATABASE_URL is not set: PostgreSQL tests skipped")
        reset = create_engine(url, KEYS)
        async with reset.begin() as connection:
            await connection.execute(text("DROP SCHEMA public CASCADE"))
            await connection.execute(text("CREATE SCHEMA public"))
        await reset.dispose()
    engine = create_engine(url, KEYS)
    await upgrade(engine)
    yield engine
    await engine.dispose()


@pytest.fixture
def sessions(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return session_factory(engine)


class Clock:
    """The time as the bot sees it; tests move it instead of sleeping."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2026, 11, 23, 9, 30, tzinfo=UTC))  # a Monday, 10:30 in Amsterdam


class Omzien:
    """The real bot (dispatcher, middlewares, handlers, outbox sender) talking to the test Telegram."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], clock: Clock, **settings: Any) -> None:
        self.telegram = FakeTelegram()
        self.bot = Bot("4242:TEST-token", session=self.telegram)
        self.sessions, self.clock = sessions, clock
        self.i18n = load_i18n()
        self.sender = Sender(self.bot, sessions, clock=clock,
                             limiter=RateLimiter(per_second=10**6, chat_interval=0, group_per_minute=10**6))
        settings.setdefault("flood_limit", 10**6)  # stories tap faster than people; the flood test sets its own
        self.dispatcher = make_dispatcher(sessions, self.i18n, Settings(**settings), self.sender.wake, clock)
        self.update_ids = itertools.count(1)
        self.people = itertools.count(1001)

    async def feed(self, update: Update) -> Any:
        """Handle one update as polling does (including a method the handler returns), then send the outbox."""
        result = await self.dispatcher.feed_update(self.bot, update)
        if isinstance(result, TelegramMethod):
            await self.bot(result)
        await self.sender.drain()
        return result

    async def later(self, **delta: float) -> None:
        """Move the clock on and send what waited for that moment."""
        self.clock.advance(**delta)
        await self.sender.drain()

    async def feed_together(self, *updates: Update) -> None:
        """Handle updates concurrently, as polling does when they arrive together."""
        results = await asyncio.gather(*(self.dispatcher.feed_update(self.bot, u) for u in updates))
        for result in results:
            if isinstance(result, TelegramMethod):
                await self.bot(result)
        await self.sender.drain()

    def person(self, first_name: str, language: str = "nl") -> Person:
        return Person(self, User(id=next(self.people), is_bot=False, first_name=first_name, language_code=language))

    def group(self, chat_id: int = -1001234, title: str = "Signaalpunt Noord medewerkers") -> Chat:
        return Chat(id=chat_id, type="supergroup", title=title)


@dataclass
class Person:
    app: Omzien
    user: User
    taps_made: int = 0

    @property
    def private(self) -> Chat:
        return Chat(id=self.user.id, type="private", first_name=self.user.first_name)

    async def says(self, text: str, in_: Chat | None = None) -> Any:
        chat = in_ or self.private
        message = Message(message_id=next(self.app.telegram.next_id), date=self.app.clock(), chat=chat,
                          from_user=self.user, text=text)
        return await self.app.feed(Update(update_id=next(self.app.update_ids), message=message))

    async def presses(self, data: str, on: Shown, in_: Chat | None = None) -> Any:
        """Press a button with this callback data on a message (also one forged by a test)."""
        chat = in_ or self.private
        message = Message(message_id=on.message_id, date=self.app.clock(), chat=chat, from_user=BOT_USER,
                          text=on.text, reply_markup=inline(on.markup))
        query = CallbackQuery(id=str(next(self.app.update_ids)), from_user=self.user, chat_instance="test",
                              message=message, data=data)
        return await self.app.feed(Update(update_id=next(self.app.update_ids), callback_query=query))

    async def taps(self, label: str, in_: Chat | None = None, on: Shown | None = None) -> Any:
        """Tap the button whose label contains ``label`` on the newest message that has it."""
        chat = in_ or self.private
        if on is None:
            with_button = [m for m in self.app.telegram.shown(chat.id)
                           if any(label.lower() in b.lower() for b in m.buttons)]
            assert with_button, f"{self.user.first_name} sees no button {label!r} in chat {chat.id}"
            on = with_button[-1]
        self.taps_made += 1
        return await self.presses(on.data_of(label), on, chat)

    def tap_update(self, label: str, in_: Chat, on: Shown | None = None) -> Update:
        """The update Telegram would send for a tap, without handling it yet (for taps at the same moment)."""
        on = on or next(m for m in reversed(self.app.telegram.shown(in_.id))
                        if any(label.lower() in b.lower() for b in m.buttons))
        message = Message(message_id=on.message_id, date=self.app.clock(), chat=in_, from_user=BOT_USER,
                          text=on.text, reply_markup=inline(on.markup))
        query = CallbackQuery(id=str(next(self.app.update_ids)), from_user=self.user, chat_instance="test",
                              message=message, data=on.data_of(label))
        return Update(update_id=next(self.app.update_ids), callback_query=query)

    def sees(self) -> Shown:
        """The newest message in this person's private chat with the bot."""
        return self.app.telegram.last(self.user.id)

    def last_answer(self) -> str | None:
        answers = [a for a in self.app.telegram.answers if a.callback_query_id]
        return answers[-1].text if answers else None


@pytest.fixture
async def app(sessions: async_sessionmaker[AsyncSession], clock: Clock) -> AsyncIterator[Omzien]:
    app = Omzien(sessions, clock)
    yield app
    await app.dispatcher["catalogue"].close()  # an index still being built: its process too


@pytest.fixture
async def sandbox() -> AsyncIterator[Sandbox]:
    """The Bot API stand-in over HTTP, for the bot run as a process (``tests.botprocess``)."""
    sandbox = Sandbox(TOKEN)
    await sandbox.start(host="127.0.0.1", port=0)
    yield sandbox
    await sandbox.stop()
