"""Polling handles updates side by side: each chat's in order, and none confirmed before it is done."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import Message, TelegramObject, Update
from sqlalchemy import select

from omzien.bot.polling import Polling
from omzien.storage.models import ConversationState, HandledUpdate
from tests.conftest import Omzien, Person

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


class Gate(BaseMiddleware):
    """Holds chosen updates before their transaction begins, until the test opens the gate (a slow update)."""

    def __init__(self, app: Omzien) -> None:
        self.held: dict[int, asyncio.Event] = {}
        # Right after aiogram's own context and before Omzien's middlewares (no public way to put it there).
        app.dispatcher.update.outer_middleware._middlewares.insert(2, self)

    def hold(self, update: Update) -> Update:
        self.held[update.update_id] = asyncio.Event()
        return update

    def open(self) -> None:
        for event in self.held.values():
            event.set()

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        assert isinstance(event, Update)
        if event.update_id in self.held:
            await self.held[event.update_id].wait()
        return await handler(event, data)


class Breaker(BaseMiddleware):
    """Makes chosen updates fail after their handler did its work, inside the transaction."""

    def __init__(self, app: Omzien) -> None:
        self.failing: set[int] = set()
        app.dispatcher.update.outer_middleware(self)

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        result = await handler(event, data)
        if isinstance(event, Update) and event.update_id in self.failing:
            raise RuntimeError("the handler broke")
        return result


def message(person: Person, text: str) -> Update:
    app = person.app
    return Update(update_id=next(app.update_ids), message=Message(
        message_id=next(app.telegram.next_id), date=app.clock(), chat=person.private, from_user=person.user,
        text=text))


async def until(condition: Callable[[], bool]) -> None:
    async with asyncio.timeout(10):
        while not condition():
            await asyncio.sleep(0.005)


async def test_a_chat_is_answered_in_order_while_other_chats_go_on(app: Omzien) -> None:
    gate = Gate(app)
    ann, bob = app.person("Ann"), app.person("Bob")
    # Ann types an address and at once /cancel; Bob asks for help in the same batch of updates.
    address = gate.hold(message(ann, "3044 AB 12"))
    cancel, help_ = message(ann, "/cancel"), message(bob, "/help")
    app.telegram.updates += [address, cancel, help_]
    polling = Polling(app.dispatcher, app.bot, timeout=0)
    running = asyncio.create_task(polling.run())
    try:
        await until(lambda: help_.update_id in polling.done)
        assert cancel.update_id in polling.handling, "Ann's /cancel waits for her address"
        assert all(offset is None or offset <= address.update_id for offset in app.telegram.offsets)
        gate.open()
        await until(lambda: not polling.handling)
        await until(lambda: (app.telegram.offsets[-1] or 0) > help_.update_id)
    finally:
        gate.open()
        running.cancel()
        await asyncio.gather(running, return_exceptions=True)
    await app.sender.drain()
    assert ann.sees().text == "Gestopt. Er is niets verstuurd."
    assert bob.sees().text.startswith("Met Omzien meldt u")
    async with app.sessions() as session:
        assert (await session.scalars(select(ConversationState))).all() == []


async def test_an_update_that_fails_is_confirmed_only_once_it_was_given_up(app: Omzien) -> None:
    gate, breaker = Gate(app), Breaker(app)
    ann, bob = app.person("Ann"), app.person("Bob")
    address = gate.hold(message(ann, "3044 AB 12"))
    help_ = message(bob, "/help")
    app.telegram.updates += [address, help_]
    polling = Polling(app.dispatcher, app.bot, timeout=0)
    running = asyncio.create_task(polling.run())
    try:
        await until(lambda: help_.update_id in polling.done)
        await asyncio.sleep(0.1)  # Bob's update is done, and polling goes on
        asked_before = len(app.telegram.offsets)
        assert all(offset is None or offset <= address.update_id for offset in app.telegram.offsets), \
            "Ann's update is not confirmed while it is being handled"
        breaker.failing.add(address.update_id)
        gate.open()
        await until(lambda: (app.telegram.offsets[-1] or 0) > help_.update_id)
        assert len(app.telegram.offsets) > asked_before
    finally:
        gate.open()
        running.cancel()
        await asyncio.gather(running, return_exceptions=True)
    await app.sender.drain()
    assert ann.sees().text.startswith("Sorry, er ging bij mij iets mis.")
    async with app.sessions() as session:
        handled = set(await session.scalars(select(HandledUpdate.update_id)))
        assert (await session.scalars(select(ConversationState))).all() == []
    assert help_.update_id in handled and address.update_id not in handled, "the failed update rolled back"
