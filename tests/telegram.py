"""A stand-in for Telegram inside the test process: a bot session that records every request,
keeps what each chat shows (messages edited in place), and can be told to fail like Telegram does.

People in tests act through it the way they would in the app: say something, tap a button by
its label; the test then reads what their chat shows.
"""

from __future__ import annotations

import asyncio
import itertools
from collections import defaultdict
from collections.abc import AsyncGenerator, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from aiogram import Bot
from aiogram.client.session.base import BaseSession
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError
from aiogram.methods import (
    AnswerCallbackQuery,
    EditMessageText,
    GetChatMember,
    GetMe,
    GetUpdates,
    SendMessage,
    SendPhoto,
    SetMyCommands,
    TelegramMethod,
)
from aiogram.types import (
    Chat,
    ChatMemberAdministrator,
    ChatMemberLeft,
    ChatMemberMember,
    InlineKeyboardMarkup,
    Message,
    Update,
    User,
)

BOT_USER = User(id=4242, is_bot=True, first_name="Omzien", username="omzien_test_bot")


def inline(markup: Any) -> InlineKeyboardMarkup | None:
    return markup if isinstance(markup, InlineKeyboardMarkup) else None


@dataclass
class Shown:
    """A message as a chat shows it now."""

    message_id: int
    text: str
    markup: Any = None
    edits: int = 0

    @property
    def buttons(self) -> list[str]:
        if not isinstance(self.markup, InlineKeyboardMarkup):
            return []
        return [b.text for row in self.markup.inline_keyboard for b in row]

    def data_of(self, label: str) -> str:
        assert isinstance(self.markup, InlineKeyboardMarkup), f"no buttons on: {self.text}"
        for row in self.markup.inline_keyboard:
            for button in row:
                if label.lower() in button.text.lower():
                    return button.callback_data or ""
        raise AssertionError(f"no button {label!r} in {self.buttons}")


ADMINISTRATOR_RIGHTS = {name: name == "can_manage_chat" for name, field in ChatMemberAdministrator.model_fields.items()
                        if field.is_required() and name != "user"}
"""What the bot has in a signal point's group: administrator, with no right beyond managing the chat."""


@dataclass
class FakeTelegram(BaseSession):
    """Answers the bot's requests the way Telegram would, and remembers them."""

    requests: list[TelegramMethod[Any]] = field(default_factory=list)
    chats: defaultdict[int, dict[int, Shown]] = field(default_factory=lambda: defaultdict(dict))
    answers: list[AnswerCallbackQuery] = field(default_factory=list)
    blocked: set[int] = field(default_factory=set)
    outsiders: set[tuple[int, int]] = field(default_factory=set)  # (group, user): not in that group
    failures: list[Callable[[TelegramMethod[Any]], Exception | None]] = field(default_factory=list)
    next_id: itertools.count = field(default_factory=lambda: itertools.count(100))
    updates: list[Update] = field(default_factory=list)  # not yet confirmed by getUpdates' offset
    offsets: list[int | None] = field(default_factory=list)  # every offset getUpdates was called with

    def __post_init__(self) -> None:
        super().__init__()

    async def close(self) -> None:
        pass

    async def stream_content(self, *args: Any, **kwargs: Any) -> AsyncGenerator[bytes, None]:
        raise NotImplementedError
        yield b""

    def fail(self, rule: Callable[[TelegramMethod[Any]], Exception | None]) -> None:
        """Add a rule that may turn a request into an error (return None to let it through)."""
        self.failures.append(rule)

    async def make_request(self, bot: Bot, method: TelegramMethod[Any], timeout: int | None = None) -> Any:
        for rule in list(self.failures):
            error = rule(method)
            if error is not None:
                raise error
        self.requests.append(method)
        if isinstance(method, GetMe):
            return BOT_USER
        if isinstance(method, GetUpdates):
            return await self._get_updates(method)
        if isinstance(method, SetMyCommands):
            return True
        if isinstance(method, GetChatMember):
            user = User(id=method.user_id, is_bot=False, first_name="?")
            if (int(method.chat_id), method.user_id) in self.outsiders:
                return ChatMemberLeft(user=user)
            if method.user_id == BOT_USER.id:
                return ChatMemberAdministrator(user=BOT_USER, **ADMINISTRATOR_RIGHTS)
            return ChatMemberMember(user=user)
        if isinstance(method, AnswerCallbackQuery):
            self.answers.append(method)
            return True
        if isinstance(method, SendMessage):
            chat_id = int(method.chat_id)
            if chat_id in self.blocked:
                raise TelegramForbiddenError(method=method, message="Forbidden: bot was blocked by the user")
            shown = Shown(next(self.next_id), method.text, method.reply_markup)
            self.chats[chat_id][shown.message_id] = shown
            return Message(message_id=shown.message_id, date=datetime.now(UTC), text=method.text,
                           chat=Chat(id=chat_id, type="private" if chat_id > 0 else "supergroup"),
                           from_user=BOT_USER, reply_markup=inline(method.reply_markup))
        if isinstance(method, SendPhoto):
            chat_id = int(method.chat_id)
            if chat_id in self.blocked:
                raise TelegramForbiddenError(method=method, message="Forbidden: bot was blocked by the user")
            shown = Shown(next(self.next_id), method.caption or "", method.reply_markup)
            self.chats[chat_id][shown.message_id] = shown
            return Message(message_id=shown.message_id, date=datetime.now(UTC), caption=method.caption,
                           chat=Chat(id=chat_id, type="private" if chat_id > 0 else "supergroup"), from_user=BOT_USER)
        if isinstance(method, EditMessageText):
            chat_id = int(method.chat_id or 0)
            shown = self.chats[chat_id].get(method.message_id or 0)
            if shown is None:
                raise TelegramBadRequest(method=method, message="Bad Request: message to edit not found")
            if shown.text == method.text and shown.markup == method.reply_markup:
                raise TelegramBadRequest(method=method, message="Bad Request: message is not modified")
            shown.text, shown.markup, shown.edits = method.text, method.reply_markup, shown.edits + 1
            return True
        raise AssertionError(f"the test Telegram does not know {type(method).__name__}")

    async def _get_updates(self, method: GetUpdates) -> list[Update]:
        """Like Telegram: forget what the offset confirms, hand out the rest at once or wait a little."""
        self.offsets.append(method.offset)
        if method.offset is not None:
            self.updates = [u for u in self.updates if u.update_id >= method.offset]
        if not self.updates:
            await asyncio.sleep(min(method.timeout or 0, 0.01))
        return self.updates[:method.limit or 100]

    def sent(self, method_type: type, chat_id: int | None = None) -> list[Any]:
        return [r for r in self.requests if isinstance(r, method_type)
                and (chat_id is None or int(getattr(r, "chat_id", 0) or 0) == chat_id)]

    def shown(self, chat_id: int) -> list[Shown]:
        return list(self.chats[chat_id].values())

    def last(self, chat_id: int) -> Shown:
        messages = self.shown(chat_id)
        assert messages, f"chat {chat_id} shows nothing"
        return messages[-1]

    def texts_to(self, chat_id: int) -> list[str]:
        """Every text ever sent to or put in ``chat_id`` (sends and edits)."""
        return [r.text for r in self.requests
                if isinstance(r, SendMessage | EditMessageText) and int(r.chat_id or 0) == chat_id]
