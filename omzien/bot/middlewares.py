"""What every update needs before a handler sees it: one transaction, the account, the language."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject, Update, User
from aiogram.utils.i18n import I18n, I18nMiddleware
from aiogram.utils.i18n import gettext as _
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from omzien.core.i18n import pick_locale
from omzien.handlers.limits import Attempts
from omzien.storage import outbox
from omzien.storage.accounts import seen
from omzien.storage.conversations import first_time, save_conversations
from omzien.storage.db import current_session
from omzien.views.common import payload

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


class FloodGuard(BaseMiddleware):
    """One person's flood must not delay everyone else: past ``limit`` updates in ``per_seconds`` from one
    person, their updates are left unhandled, and they hear it once, calmly."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], wake_outbox: Callable[[], None], i18n: I18n,
                 limit: int = 20, per_seconds: float = 10.0) -> None:
        self.sessions, self.wake_outbox, self.i18n = sessions, wake_outbox, i18n
        self.attempts = Attempts(limit, per_seconds)
        self.told: dict[int, float] = {}
        self.per = per_seconds

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        user: User | None = data.get("event_from_user")
        if user is None or self.attempts.allow(user.id):
            return await handler(event, data)
        now = self.attempts.clock()
        chat = data.get("event_chat")
        if chat is not None and chat.type == "private" and now - self.told.get(user.id, -self.per) >= self.per:
            self.told[user.id] = now
            with self.i18n.context(), self.i18n.use_locale(pick_locale(None, user.language_code,
                                                                        self.i18n.default_locale)):
                text = _("U stuurt veel berichten kort na elkaar. Wacht u even? Daarna lees ik weer mee.")
            async with self.sessions.begin() as session:
                outbox.send(session, chat.id, payload(text))
            self.wake_outbox()
        return None


class UpdateTransaction(BaseMiddleware):
    """One database transaction per update; an update Telegram sends twice is handled once.

    Everything an update changes, including the messages it queues in the outbox, commits
    together. Only then is the outbox sender woken.
    """

    def __init__(self, sessions: async_sessionmaker[AsyncSession], wake_outbox: Callable[[], None],
                 clock: Callable[[], datetime]) -> None:
        self.sessions, self.wake_outbox, self.clock = sessions, wake_outbox, clock

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        assert isinstance(event, Update)
        try:
            return await self._handle(handler, event, data)
        except _StaleConnection:  # the database restarted since this connection was opened: once more, on a new one
            return await self._handle(handler, event, data)

    async def _handle(self, handler: Handler, event: Update, data: dict[str, Any]) -> Any:
        async with self.sessions.begin() as session:
            try:
                first = await first_time(session, event.update_id, self.clock())
            except DBAPIError as error:  # nothing done yet: safe to start again
                if error.connection_invalidated:
                    raise _StaleConnection from error
                raise
            if not first:
                return None
            token = current_session.set(session)
            data["session"] = session
            try:
                result = await handler(event, data)
                await save_conversations(session)
            finally:
                current_session.reset(token)
        self.wake_outbox()
        return result


class _StaleConnection(Exception):
    """The pool handed out a connection the database had closed (the engine does not ping each one first)."""


class AccountMiddleware(BaseMiddleware):
    """Keeps the account of whoever sent the update, and notes when the bot may write to them."""

    def __init__(self, clock: Callable[[], datetime]) -> None:
        self.clock = clock

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        user: User | None = data.get("event_from_user")
        chat = data.get("event_chat")
        if user is not None and not user.is_bot:
            private = chat is not None and chat.type == "private" and isinstance(event, Update) \
                and (event.message is not None or event.callback_query is not None)
            data["account"] = await seen(data["session"], user, private_message=private, now=self.clock())
        return await handler(event, data)


class LocaleMiddleware(I18nMiddleware):
    """Private chats speak the user's language; groups speak the bot's default language."""

    async def get_locale(self, event: TelegramObject, data: dict[str, Any]) -> str:
        chat = data.get("event_chat")
        account = data.get("account")
        if chat is None or chat.type != "private" or account is None:
            return self.i18n.default_locale
        return pick_locale(account.language, account.telegram_language, self.i18n.default_locale)
