"""People, chats and messages as the stand-in keeps them, and as Telegram and the chat page show them.

Plain records: who changes them, and what that sends to the bot, is ``omzien.sandbox.state``
(what the bot does) and ``omzien.sandbox.people`` (what people do).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from omzien.sandbox.entities import render_html

TEXT_LIMIT = 4096


def now() -> int:
    return int(time.time())


@dataclass
class Person:
    id: int
    first_name: str
    language_code: str = "nl"
    username: str | None = None
    last_name: str | None = None
    answers: list[dict[str, Any]] = field(default_factory=list)  # callback answers shown to them

    def user(self) -> dict[str, Any]:
        """The Telegram User object."""
        user: dict[str, Any] = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        for key in ("last_name", "username", "language_code"):
            if getattr(self, key):
                user[key] = getattr(self, key)
        return user

    @property
    def phone_number(self) -> str:
        """Their phone number, invented from the user id: fictional, and the same on every run."""
        return f"+31 6 0000 {self.id % 10_000:04d}"

    def contact(self) -> dict[str, Any]:
        """The Telegram Contact object a person sends when they share their own number."""
        contact: dict[str, Any] = {"phone_number": self.phone_number, "first_name": self.first_name}
        if self.last_name:
            contact["last_name"] = self.last_name
        contact["user_id"] = self.id
        return contact


@dataclass
class Media:
    """A photo or document in a message; ``data`` is None when the bot sent a URL."""

    kind: str  # "photo" | "document"
    file_id: str
    file_unique_id: str
    file_name: str
    mime_type: str
    data: bytes | None = None
    url: str | None = None

    def telegram(self) -> Any:
        if self.kind == "photo":
            return [{"file_id": self.file_id, "file_unique_id": self.file_unique_id, "width": 800, "height": 600,
                     **({"file_size": len(self.data)} if self.data is not None else {})}]
        document = {"file_id": self.file_id, "file_unique_id": self.file_unique_id,
                    "file_name": self.file_name, "mime_type": self.mime_type}
        return {**document, **({"file_size": len(self.data)} if self.data is not None else {})}

    def view(self) -> dict[str, Any]:
        return {"type": self.kind, "file_id": self.file_id, "file_name": self.file_name,
                "url": self.url or f"/sandbox/files/{self.file_id}"}


@dataclass
class Message:
    chat: Chat
    message_id: int
    sender: dict[str, Any]  # the User it is from
    date: int
    text: str
    entities: list[dict[str, Any]]
    inline_markup: dict[str, Any] | None = None
    media: Media | None = None
    edit_date: int | None = None
    contact: dict[str, Any] | None = None  # a shared Contact: the message has no text then

    def telegram(self) -> dict[str, Any]:
        """The Telegram Message object as it is now."""
        message: dict[str, Any] = {"message_id": self.message_id, "from": self.sender,
                                   "chat": self.chat.telegram(), "date": self.date}
        if self.edit_date is not None:
            message["edit_date"] = self.edit_date
        if self.contact is not None:
            message["contact"] = self.contact
        elif self.media is not None:
            message[self.media.kind] = self.media.telegram()
            if self.text:
                message["caption"] = self.text
            if self.entities:
                message["caption_entities"] = self.entities
        else:
            message["text"] = self.text
            if self.entities:
                message["entities"] = self.entities
        if self.inline_markup is not None:
            message["reply_markup"] = self.inline_markup
        return message

    def view(self) -> dict[str, Any]:
        """The message as the chat page shows it."""
        rows = self.inline_markup["inline_keyboard"] if self.inline_markup else []
        showing = self.chat.keyboard is not None and self.chat.keyboard_message_id == self.message_id
        return {
            "message_id": self.message_id, "from": self.sender, "text": self.text,
            "html": render_html(self.text, self.entities), "entities": self.entities,
            "date": self.date, "edit_date": self.edit_date,
            "buttons": [[button_view(button) for button in row] for row in rows],
            "reply_keyboard": self.chat.keyboard_rows() if showing else None,
            "media": self.media.view() if self.media else None,
            "contact": self.contact,
        }

    def find_button(self, label: str, callback_data: str | None = None) -> dict[str, Any] | None:
        """The inline button whose text is ``label`` (any case), else the first whose text contains it.

        With ``callback_data`` (what the chat page saw on the button) only a button with that data,
        as Telegram checks a tap against the message as it is now: a button edited away is gone."""
        buttons = [b for row in (self.inline_markup or {}).get("inline_keyboard", []) for b in row]
        if callback_data is not None:
            same = [b for b in buttons if b.get("callback_data") == callback_data]
            return (sorted(same, key=lambda b: b["text"] != label) or [None])[0]
        wanted = label.casefold()
        exact = [b for b in buttons if b["text"].casefold() == wanted]
        return (exact or [b for b in buttons if wanted in b["text"].casefold()] or [None])[0]

    def labels(self) -> list[str]:
        return [b["text"] for row in (self.inline_markup or {}).get("inline_keyboard", []) for b in row]


def button_view(button: dict[str, Any]) -> dict[str, Any]:
    return {"text": button["text"], **{key: button[key] for key in ("callback_data", "url") if key in button}}


@dataclass
class Chat:
    id: int
    type: str  # "private" | "supergroup"
    title: str | None = None
    person: Person | None = None  # the other side of a private chat
    member_ids: list[int] = field(default_factory=list)
    creator_id: int | None = None
    bot_status: str = "member"  # the bot's ChatMember status here: member, administrator, kicked, left
    messages: dict[int, Message] = field(default_factory=dict)
    next_message_id: int = 1
    keyboard: dict[str, Any] | None = None  # the ReplyKeyboardMarkup shown, if any
    keyboard_message_id: int | None = None
    version: int = 0  # the change version of this chat's last change: someone waiting on one chat wakes for it

    def telegram(self) -> dict[str, Any]:
        """The Telegram Chat object."""
        if self.person is not None:
            return {"id": self.id, "type": "private",
                    **{k: v for k, v in self.person.user().items() if k in ("first_name", "last_name", "username")}}
        return {"id": self.id, "type": self.type, "title": self.title}

    def keyboard_rows(self) -> list[list[str]] | None:
        if self.keyboard is None:
            return None
        return [[button["text"] for button in row] for row in self.keyboard["keyboard"]]

    def find_reply_button(self, label: str, *, exact: bool = False) -> dict[str, Any] | None:
        """The button of the reply keyboard shown whose text is ``label`` (any case), else (unless
        ``exact``) the first whose text contains it."""
        buttons = [button for row in (self.keyboard or {}).get("keyboard", []) for button in row]
        wanted = label.casefold()
        found = [b for b in buttons if b["text"].casefold() == wanted]
        if not found and not exact:
            found = [b for b in buttons if wanted in b["text"].casefold()]
        return found[0] if found else None

    def add(self, sender: dict[str, Any], text: str, entities: list[dict[str, Any]], **extra: Any) -> Message:
        message = Message(self, self.next_message_id, sender, now(), text, entities, **extra)
        self.messages[message.message_id] = message
        self.next_message_id += 1
        return message


@dataclass
class CallbackQuery:
    id: str
    person: Person
    chat_id: int
    message_id: int
    data: str
    answered: bool = False
