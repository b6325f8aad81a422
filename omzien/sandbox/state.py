"""What the stand-in Telegram knows, and what people do in it.

People, their private chats with the bot (which exist once they wrote to it), groups with
members, and each chat's messages, edited in place. What people do (write, tap a button,
block the bot) becomes an Update in the queue ``getUpdates`` hands out; what the bot does goes
through ``omzien.sandbox.methods`` and lands here. Every change people could see bumps
``changes``, so the chat page and test clients can wait for it instead of polling.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import itertools
import mimetypes
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from omzien.sandbox.entities import command_entities, render_html
from omzien.sandbox.errors import BotApiError, ControlError, bad_request, forbidden
from omzien.sandbox.spec import Upload

BOT_ID = 777000111
FIRST_USER_ID = 5_000_000_001  # beyond 2**32 like many real ids, so 32-bit assumptions fail in tests
FIRST_GROUP_ID = -1_002_000_000_001  # supergroup ids are -100 followed by the channel id
FIRST_UPDATE_ID = 800_000_001
FIRST_CALLBACK_ID = 4_800_000_000_000_000_001
TEXT_LIMIT = 4096
UPDATE_TYPES = (
    "message", "edited_message", "channel_post", "edited_channel_post", "business_connection",
    "business_message", "edited_business_message", "deleted_business_messages", "message_reaction",
    "message_reaction_count", "inline_query", "chosen_inline_result", "callback_query", "shipping_query",
    "pre_checkout_query", "purchased_paid_media", "poll", "poll_answer", "my_chat_member", "chat_member",
    "chat_join_request", "chat_boost", "removed_chat_boost",
)
# What Telegram delivers when allowed_updates was never given or given as [].
DEFAULT_UPDATES = frozenset(UPDATE_TYPES) - {"chat_member", "message_reaction", "message_reaction_count"}
ADMINISTRATOR_RIGHTS = {
    "can_be_edited": False, "is_anonymous": False, "can_manage_chat": True, "can_delete_messages": True,
    "can_manage_video_chats": True, "can_restrict_members": True, "can_promote_members": False,
    "can_change_info": True, "can_invite_users": True, "can_post_stories": False, "can_edit_stories": False,
    "can_delete_stories": False, "can_pin_messages": True, "can_manage_topics": False,
    "can_send_welcome_messages": False,  # newer than the bundled spec, but aiogram 3.31 requires it
}


def now() -> int:
    return int(time.time())


class Beacon:
    """A version number to wait beyond: every ``bump`` wakes all waiters; ``close`` releases them for good."""

    def __init__(self) -> None:
        self.version = 0
        self.closed = False
        self._event = asyncio.Event()

    def bump(self) -> int:
        self.version += 1
        self._event.set()
        self._event = asyncio.Event()
        return self.version

    def close(self) -> None:
        self.closed = True
        self._event.set()

    async def wait_beyond(self, version: int, timeout: float) -> int:
        """The version once it is beyond ``version``, or as it is after ``timeout`` seconds."""
        deadline = asyncio.get_running_loop().time() + timeout
        while self.version <= version and not self.closed:
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                break
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._event.wait(), remaining)
        return self.version


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

    def telegram(self) -> dict[str, Any]:
        """The Telegram Message object as it is now."""
        message: dict[str, Any] = {"message_id": self.message_id, "from": self.sender,
                                   "chat": self.chat.telegram(), "date": self.date}
        if self.edit_date is not None:
            message["edit_date"] = self.edit_date
        if self.media is not None:
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
            "buttons": [[_button_view(button) for button in row] for row in rows],
            "reply_keyboard": self.chat.keyboard_rows() if showing else None,
            "media": self.media.view() if self.media else None,
        }

    def find_button(self, label: str) -> dict[str, Any] | None:
        """The inline button whose text is ``label`` (any case), else the first whose text contains it."""
        buttons = [b for row in (self.inline_markup or {}).get("inline_keyboard", []) for b in row]
        wanted = label.casefold()
        exact = [b for b in buttons if b["text"].casefold() == wanted]
        return (exact or [b for b in buttons if wanted in b["text"].casefold()] or [None])[0]

    def labels(self) -> list[str]:
        return [b["text"] for row in (self.inline_markup or {}).get("inline_keyboard", []) for b in row]


def _button_view(button: dict[str, Any]) -> dict[str, Any]:
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


class State:
    def __init__(self, *, bot_username: str = "omzien_sandbox_bot", bot_name: str = "Omzien (sandbox)") -> None:
        self.bot_user = {"id": BOT_ID, "is_bot": True, "first_name": bot_name, "username": bot_username}
        self.people: dict[int, Person] = {}
        self.chats: dict[int, Chat] = {}
        self.callbacks: dict[str, CallbackQuery] = {}
        self.commands: dict[str, list[dict[str, Any]]] = {}  # scope+language key → commands
        self.files: dict[str, Media] = {}
        self.personas: list[dict[str, Any]] = []
        self.updates: deque[dict[str, Any]] = deque()
        self.allowed_updates = DEFAULT_UPDATES
        self.changes = Beacon()  # anything people could see
        self.arrivals = Beacon()  # new updates for getUpdates
        self._poller = 0  # the newest getUpdates request; older ones give way with 409 like Telegram
        self._user_ids = itertools.count(FIRST_USER_ID)
        self._group_ids = itertools.count(FIRST_GROUP_ID, -1)
        self._update_ids = itertools.count(FIRST_UPDATE_ID)
        self._callback_ids = itertools.count(FIRST_CALLBACK_ID)
        self._file_ids = itertools.count(1)

    def close(self) -> None:
        """Release every waiting long poll (the server is stopping)."""
        self.changes.close()
        self.arrivals.close()

    # Updates and long polling

    def enqueue(self, kind: str, payload: dict[str, Any]) -> int:
        """A new Update; like Telegram, types the bot did not ask for are never stored."""
        update_id = next(self._update_ids)
        if kind in self.allowed_updates:
            self.updates.append({"update_id": update_id, kind: payload})
            self.arrivals.bump()
        return update_id

    async def poll(self, offset: int | None, limit: int, timeout: float,
                   allowed_updates: list[str] | None) -> list[dict[str, Any]]:
        """getUpdates: forget what ``offset`` confirms, then wait up to ``timeout`` s for anything new."""
        if allowed_updates is not None:
            self.allowed_updates = frozenset(allowed_updates) or DEFAULT_UPDATES
        if offset is not None:
            self._confirm(offset)
        self._poller += 1
        me = self._poller
        self.arrivals.bump()  # an older poll still waiting wakes up and gives way
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            if me != self._poller:
                raise BotApiError(409, "Conflict: terminated by other getUpdates request; "
                                       "make sure that only one bot instance is running")
            remaining = deadline - asyncio.get_running_loop().time()
            if self.updates or remaining <= 0 or self.arrivals.closed:
                return list(itertools.islice(self.updates, limit))
            await self.arrivals.wait_beyond(self.arrivals.version, remaining)

    def _confirm(self, offset: int) -> None:
        if offset < 0:  # keep only the last -offset updates
            while len(self.updates) > -offset:
                self.updates.popleft()
            return
        while self.updates and self.updates[0]["update_id"] < offset:
            self.updates.popleft()

    # Chats as the bot reaches them

    def target(self, chat_id: int | str) -> Chat:
        """The chat the bot wants to write to, or the error Telegram gives when it cannot."""
        chat = self.lookup(chat_id)
        if chat.bot_status == "kicked":
            if chat.type == "private":
                raise forbidden("bot was blocked by the user")
            raise forbidden(f"bot was kicked from the {chat.type} chat")
        if chat.bot_status == "left":
            raise forbidden(f"bot is not a member of the {chat.type} chat")
        return chat

    def lookup(self, chat_id: int | str) -> Chat:
        """The chat with this id as the bot may know it (also when it cannot write there)."""
        if isinstance(chat_id, str):
            raise bad_request("chat not found", field="chat_id")  # no public usernames in the sandbox
        if chat_id == BOT_ID:
            raise forbidden("bots can't send messages to bots")
        chat = self.chats.get(chat_id)
        if chat is None:
            if chat_id in self.people:
                raise forbidden("bot can't initiate conversation with a user")
            raise bad_request("chat not found", field="chat_id")
        return chat

    def bot_member(self, chat: Chat) -> dict[str, Any]:
        """The bot's ChatMember object in ``chat``."""
        if chat.bot_status == "administrator":
            return {"status": "administrator", "user": self.bot_user, **ADMINISTRATOR_RIGHTS}
        if chat.bot_status == "kicked":
            return {"status": "kicked", "user": self.bot_user, "until_date": 0}
        return {"status": chat.bot_status, "user": self.bot_user}

    def member(self, chat: Chat, user_id: int) -> dict[str, Any]:
        """A ChatMember object for ``user_id`` in ``chat``."""
        if user_id == BOT_ID:
            return self.bot_member(chat)
        person = self.people.get(user_id)
        if person is None:
            raise bad_request("user not found", field="user_id")
        if chat.type == "private":
            status = "member" if person is chat.person else "left"
        elif user_id == chat.creator_id:
            return {"status": "creator", "user": person.user(), "is_anonymous": False}
        else:
            status = "member" if user_id in chat.member_ids else "left"
        return {"status": status, "user": person.user()}

    # What the bot does

    def post(self, chat: Chat, text: str, entities: list[dict[str, Any]], reply_markup: dict[str, Any] | None,
             media: Media | None = None) -> Message:
        """A message from the bot; a reply keyboard in ``reply_markup`` is shown, or removed, for the chat."""
        inline = reply_markup if reply_markup and "inline_keyboard" in reply_markup else None
        message = chat.add(self.bot_user, text, entities, inline_markup=inline, media=media)
        if reply_markup and "keyboard" in reply_markup:
            chat.keyboard, chat.keyboard_message_id = reply_markup, message.message_id
        elif reply_markup and reply_markup.get("remove_keyboard"):
            chat.keyboard = chat.keyboard_message_id = None
        chat.version = self.changes.bump()
        return message

    def edit(self, message: Message, text: str, entities: list[dict[str, Any]],
             inline_markup: dict[str, Any] | None) -> None:
        message.text, message.entities, message.inline_markup = text, entities, inline_markup
        message.edit_date = now()
        message.chat.version = self.changes.bump()

    def delete(self, message: Message) -> None:
        del message.chat.messages[message.message_id]
        message.chat.version = self.changes.bump()

    def answer(self, query: CallbackQuery, text: str | None, show_alert: bool, url: str | None) -> None:
        query.answered = True
        query.person.answers.append({
            "callback_query_id": query.id, "chat_id": query.chat_id, "message_id": query.message_id,
            "text": text, "show_alert": show_alert, "url": url, "date": now(),
        })
        self.changes.bump()

    def store_file(self, kind: str, file: Upload | str, field: str) -> Media:
        """A sent photo or document: an upload, a file_id sent before, or an HTTP URL."""
        if isinstance(file, str):
            if file in self.files:
                return self.files[file]
            if not file.startswith(("http://", "https://")):
                raise bad_request("wrong file identifier/HTTP URL specified", field=field)
            name = file.rsplit("/", 1)[-1] or kind
            media = self._new_media(kind, name, mimetypes.guess_type(name)[0] or "application/octet-stream")
            media.url = file
        else:
            mime_type = file.content_type
            if mime_type in ("", "application/octet-stream"):  # aiogram sends every file as octet-stream
                mime_type = mimetypes.guess_type(file.filename)[0] or "application/octet-stream"
            media = self._new_media(kind, file.filename, mime_type)
            media.data = file.data
        self.files[media.file_id] = media
        return media

    def _new_media(self, kind: str, name: str, mime_type: str) -> Media:
        number = next(self._file_ids)
        return Media(kind, f"sandbox-{kind}-{number}", f"sandbox-u{number}", name, mime_type)

    # What people do

    def add_person(self, first_name: str, language_code: str = "nl", username: str | None = None,
                   last_name: str | None = None) -> Person:
        person = Person(next(self._user_ids), first_name, language_code, username, last_name)
        self.people[person.id] = person
        self.changes.bump()
        return person

    def add_group(self, title: str, member_ids: list[int]) -> Chat:
        """A supergroup the first member created and added the bot to, as administrator."""
        members = [self.person(user_id) for user_id in member_ids]
        if not members:
            raise ControlError(400, "a group needs at least one member (the first one adds the bot)")
        group = Chat(next(self._group_ids), "supergroup", title=title, member_ids=[p.id for p in members],
                     creator_id=members[0].id, bot_status="left")
        self.chats[group.id] = group
        self._bot_status(group, members[0], "administrator")
        return group

    def say(self, chat_id: int, from_id: int, text: str) -> tuple[Message, int]:
        """A person writes in a chat; a private chat starts (or is unblocked) with it. → (message, update_id)"""
        person = self.person(from_id)
        if not text.strip():
            raise ControlError(400, "Telegram does not send empty messages")
        if len(text) > TEXT_LIMIT:
            raise ControlError(400, f"Telegram apps split text over {TEXT_LIMIT} characters; send it in parts")
        chat = self._chat_of(person, chat_id, create=True)
        if chat.bot_status == "kicked":
            self._bot_status(chat, person, "member")
        message = chat.add(person.user(), text, command_entities(text))
        if chat.keyboard and chat.keyboard.get("one_time_keyboard") and any(text in row for row in chat.keyboard_rows()
                                                                             or []):
            chat.keyboard = chat.keyboard_message_id = None  # a one-time keyboard hides once used
        update_id = self.enqueue("message", message.telegram())
        chat.version = self.changes.bump()
        return message, update_id

    def tap(self, chat_id: int, from_id: int, label: str, message_id: int | None = None) -> dict[str, Any]:
        """A person taps an inline button by (part of) its label → the callback query the bot gets."""
        person = self.person(from_id)
        chat = self._chat_of(person, chat_id, create=False)
        if chat.bot_status == "kicked":
            raise ControlError(409, f"{person.first_name} blocked the bot; buttons send nothing until they write")
        if message_id is not None:
            message = chat.messages.get(message_id)
            if message is None:
                raise ControlError(404, f"chat {chat_id} has no message {message_id}")
            button = message.find_button(label)
            if button is None:
                raise ControlError(404, f"message {message_id} has no button {label!r}; it has {message.labels()}",
                                   reason="no_button")
        else:
            found = next(((m, b) for m in reversed(chat.messages.values()) if (b := m.find_button(label))), None)
            if found is None:
                shown = [m.labels() for m in chat.messages.values() if m.labels()]
                raise ControlError(404, f"no button {label!r} in chat {chat_id}; buttons shown: {shown}",
                                   reason="no_button")
            message, button = found
        if "callback_data" not in button:
            raise ControlError(409, f"button {button['text']!r} is not a callback button: {_button_view(button)}")
        query = CallbackQuery(str(next(self._callback_ids)), person, chat.id, message.message_id,
                              button["callback_data"])
        self.callbacks[query.id] = query
        update_id = self.enqueue("callback_query", {
            "id": query.id, "from": person.user(), "message": message.telegram(),
            "chat_instance": _chat_instance(chat.id), "data": query.data,
        })
        return {"callback_query_id": query.id, "update_id": update_id}

    def block(self, user_id: int) -> Chat:
        """The person blocks the bot: its messages to them fail with 403 from now on."""
        person = self.person(user_id)
        chat = self._chat_of(person, user_id, create=True)
        if chat.bot_status != "kicked":
            self._bot_status(chat, person, "kicked")
        return chat

    def unblock(self, user_id: int) -> Chat:
        """The person restarts the bot (Telegram apps also send /start then; the caller may do that)."""
        person = self.person(user_id)
        chat = self._chat_of(person, user_id, create=True)
        if chat.bot_status == "kicked":
            self._bot_status(chat, person, "member")
        return chat

    def _bot_status(self, chat: Chat, by: Person, status: str) -> None:
        """The bot's membership in ``chat`` changes → a my_chat_member update."""
        old = self.bot_member(chat)
        chat.bot_status = status
        self.enqueue("my_chat_member", {"chat": chat.telegram(), "from": by.user(), "date": now(),
                                        "old_chat_member": old, "new_chat_member": self.bot_member(chat)})
        self.changes.bump()

    # Reading, for the control API

    def person(self, user_id: int) -> Person:
        person = self.people.get(user_id)
        if person is None:
            raise ControlError(404, f"no person with user id {user_id}")
        return person

    def _chat_of(self, person: Person, chat_id: int, *, create: bool) -> Chat:
        """A chat ``person`` is in: their private chat (started on demand) or a group they belong to."""
        if chat_id == person.id:
            chat = self.chats.get(chat_id)
            if chat is None:
                if not create:
                    raise ControlError(404, f"{person.first_name} has not started a chat with the bot yet")
                chat = self.chats[chat_id] = Chat(chat_id, "private", person=person)
            return chat
        chat = self.chats.get(chat_id)
        if chat is None or chat.type == "private":
            raise ControlError(404, f"no chat {chat_id} for {person.first_name}")
        if person.id not in chat.member_ids:
            raise ControlError(403, f"{person.first_name} is not a member of {chat.title!r}")
        return chat

    def view(self, chat_id: int) -> dict[str, Any]:
        """A chat as it shows now (a private chat not started yet shows empty)."""
        chat = self.chats.get(chat_id)
        if chat is None and chat_id in self.people:
            chat = Chat(chat_id, "private", person=self.people[chat_id])
        if chat is None:
            raise ControlError(404, f"no chat {chat_id}")
        view: dict[str, Any] = {
            "id": chat.id, "type": chat.type, "title": self._title(chat),
            "messages": [message.view() for message in chat.messages.values()],
            "reply_keyboard": chat.keyboard_rows(),
        }
        if chat.type == "private":
            view["started"] = chat.id in self.chats
            view["blocked"] = chat.bot_status == "kicked"
        else:
            view["bot_status"] = chat.bot_status
            view["members"] = [self.people[user_id].user() for user_id in chat.member_ids]
        return view

    def _title(self, chat: Chat) -> str:
        """What the chat is called in the person's list: the bot's name for a private chat."""
        return chat.title if chat.title is not None else self.bot_user["first_name"]

    def chats_of(self, user_id: int) -> list[dict[str, Any]]:
        """The chats a person can see: their private chat with the bot, then their groups."""
        person = self.person(user_id)
        groups = [c for c in self.chats.values() if c.type != "private" and person.id in c.member_ids]
        private = self.chats.get(person.id) or Chat(person.id, "private", person=person)
        return [{"id": chat.id, "type": chat.type, "title": self._title(chat)} for chat in [private, *groups]]


def _chat_instance(chat_id: int) -> str:
    """A stable opaque id per chat, like Telegram's chat_instance."""
    return str(int(hashlib.sha256(str(chat_id).encode()).hexdigest()[:15], 16))
