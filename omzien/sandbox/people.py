"""What simulated people do in the stand-in, and what they see there: the control API's side.

A person writes, taps an inline button, blocks or restarts the bot, or makes a group and adds the
bot to it; each becomes the Update Telegram would send the bot, in ``state.updates``. A request
Telegram apps would not let a person make (empty or over-long text, a button that is not shown,
a button in a chat with a blocked bot) fails with a ControlError, so a test sees its own mistake.
"""

from __future__ import annotations

import hashlib
import itertools
from typing import Any

from omzien.sandbox.chats import TEXT_LIMIT, CallbackQuery, Chat, Message, Person, button_view, now
from omzien.sandbox.entities import command_entities
from omzien.sandbox.errors import ControlError
from omzien.sandbox.state import State

FIRST_USER_ID = 5_000_000_001  # beyond 2**32 like many real ids, so 32-bit assumptions fail in tests
FIRST_GROUP_ID = -1_002_000_000_001  # supergroup ids are -100 followed by the channel id
FIRST_CALLBACK_ID = 4_800_000_000_000_000_001
# Reply-keyboard buttons that ask the app for something the sandbox has no stand-in for (request_contact it has).
REQUESTING_BUTTONS = ("request_location", "request_poll", "request_users", "request_chat", "request_managed_bot",
                      "web_app")


class People:
    """The people of one stand-in, acting on its ``State``; it hands out their user, group and callback ids."""

    def __init__(self, state: State) -> None:
        self.state = state
        self._user_ids = itertools.count(FIRST_USER_ID)
        self._group_ids = itertools.count(FIRST_GROUP_ID, -1)
        self._callback_ids = itertools.count(FIRST_CALLBACK_ID)

    # What people do

    def add_person(self, first_name: str, language_code: str = "nl", username: str | None = None,
                   last_name: str | None = None) -> Person:
        person = Person(next(self._user_ids), first_name, language_code, username, last_name)
        self.state.people[person.id] = person
        self.state.changes.bump()
        return person

    def add_group(self, title: str, member_ids: list[int]) -> Chat:
        """A supergroup the first member created and added the bot to, as administrator."""
        members = [self.person(user_id) for user_id in member_ids]
        if not members:
            raise ControlError(400, "a group needs at least one member (the first one adds the bot)")
        group = Chat(next(self._group_ids), "supergroup", title=title, member_ids=[p.id for p in members],
                     creator_id=members[0].id, bot_status="left")
        self.state.chats[group.id] = group
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
        if chat.keyboard and any(text in row for row in chat.keyboard_rows() or []):
            self._keyboard_used(chat)
        return self._write(chat, person, text, command_entities(text))

    def share_contact(self, chat_id: int, from_id: int) -> tuple[Message, int]:
        """A person shares their own phone number (a request_contact button, or the attachment menu):
        a message with a ``contact`` and no text. → (message, update_id)"""
        person = self.person(from_id)
        return self._write(self._chat_of(person, chat_id, create=True), person, "", [], contact=person.contact())

    def press(self, chat_id: int, from_id: int, label: str, *, exact: bool = False) -> tuple[Message, int]:
        """A person presses a button of the reply keyboard shown in the chat: it sends its text, or, for a
        request_contact button, their contact. → (message, update_id)"""
        person = self.person(from_id)
        chat = self._chat_of(person, chat_id, create=False)
        if chat.bot_status == "kicked":
            raise ControlError(409, f"{person.first_name} blocked the bot; its keyboard shows no more")
        button = chat.find_reply_button(label, exact=exact)
        if button is None:
            raise ControlError(404, f"no reply-keyboard button {label!r} in chat {chat_id}; "
                                    f"it shows {chat.keyboard_rows()}", reason="no_button",
                               buttons=chat.keyboard_rows())
        unsupported = [key for key in REQUESTING_BUTTONS if button.get(key)]
        if unsupported:
            raise ControlError(409, f"the sandbox cannot carry out a {unsupported[0]} button ({button['text']!r})",
                               reason="unsupported_button")
        self._keyboard_used(chat)
        if button.get("request_contact"):
            return self._write(chat, person, "", [], contact=person.contact())
        return self._write(chat, person, button["text"], command_entities(button["text"]))

    def _write(self, chat: Chat, person: Person, text: str, entities: list[dict[str, Any]],
               **extra: Any) -> tuple[Message, int]:
        """A message from ``person`` in ``chat``, and its Update; writing unblocks the bot."""
        if chat.bot_status == "kicked":
            self._bot_status(chat, person, "member")
        message = chat.add(person.user(), text, entities, **extra)
        update_id = self.state.updates.enqueue("message", message.telegram())
        chat.version = self.state.changes.bump()
        return message, update_id

    @staticmethod
    def _keyboard_used(chat: Chat) -> None:
        if chat.keyboard and chat.keyboard.get("one_time_keyboard"):
            chat.keyboard = chat.keyboard_message_id = None  # a one-time keyboard hides once used

    def tap(self, chat_id: int, from_id: int, label: str, message_id: int | None = None,
            callback_data: str | None = None) -> dict[str, Any]:
        """A person taps an inline button by (part of) its label → the callback query the bot gets.

        The chat page also says which ``callback_data`` it saw, so a tap on a button the bot has just
        edited away is refused (reason "no_button", with the buttons the message has now) instead of
        landing on whatever button has a similar label now."""
        person = self.person(from_id)
        chat = self._chat_of(person, chat_id, create=False)
        if chat.bot_status == "kicked":
            raise ControlError(409, f"{person.first_name} blocked the bot; buttons send nothing until they write")
        if message_id is not None:
            message = chat.messages.get(message_id)
            if message is None:
                raise ControlError(404, f"chat {chat_id} has no message {message_id}", reason="no_message",
                                   message_id=message_id)
            button = message.find_button(label, callback_data)
            if button is None:
                raise ControlError(404, f"message {message_id} has no button {label!r}; it has {message.labels()}",
                                   reason="no_button", message_id=message_id, buttons=message.labels())
        else:
            found = next(((m, b) for m in reversed(chat.messages.values())
                          if (b := m.find_button(label, callback_data))), None)
            if found is None:
                shown = [m.labels() for m in chat.messages.values() if m.labels()]
                raise ControlError(404, f"no button {label!r} in chat {chat_id}; buttons shown: {shown}",
                                   reason="no_button")
            message, button = found
        if "callback_data" not in button:
            raise ControlError(409, f"button {button['text']!r} is not a callback button: {button_view(button)}")
        query = CallbackQuery(str(next(self._callback_ids)), person, chat.id, message.message_id,
                              button["callback_data"])
        self.state.callbacks[query.id] = query
        update_id = self.state.updates.enqueue("callback_query", {
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
        old = self.state.bot_member(chat)
        chat.bot_status = status
        self.state.updates.enqueue("my_chat_member", {"chat": chat.telegram(), "from": by.user(), "date": now(),
                                                      "old_chat_member": old,
                                                      "new_chat_member": self.state.bot_member(chat)})
        self.state.changes.bump()

    # Reading, for the control API

    def person(self, user_id: int) -> Person:
        person = self.state.people.get(user_id)
        if person is None:
            raise ControlError(404, f"no person with user id {user_id}")
        return person

    def _chat_of(self, person: Person, chat_id: int, *, create: bool) -> Chat:
        """A chat ``person`` is in: their private chat (started on demand) or a group they belong to."""
        if chat_id == person.id:
            chat = self.state.chats.get(chat_id)
            if chat is None:
                if not create:
                    raise ControlError(404, f"{person.first_name} has not started a chat with the bot yet")
                chat = self.state.chats[chat_id] = Chat(chat_id, "private", person=person)
            return chat
        chat = self.state.chats.get(chat_id)
        if chat is None or chat.type == "private":
            raise ControlError(404, f"no chat {chat_id} for {person.first_name}")
        if person.id not in chat.member_ids:
            raise ControlError(403, f"{person.first_name} is not a member of {chat.title!r}")
        return chat

    def view(self, chat_id: int) -> dict[str, Any]:
        """A chat as it shows now (a private chat not started yet shows empty)."""
        chat = self.state.chats.get(chat_id)
        if chat is None and chat_id in self.state.people:
            chat = Chat(chat_id, "private", person=self.state.people[chat_id])
        if chat is None:
            raise ControlError(404, f"no chat {chat_id}")
        view: dict[str, Any] = {
            "id": chat.id, "type": chat.type, "title": self._title(chat),
            "messages": [message.view() for message in chat.messages.values()],
            "reply_keyboard": chat.keyboard_rows(),
        }
        if chat.type == "private":
            view["started"] = chat.id in self.state.chats
            view["blocked"] = chat.bot_status == "kicked"
        else:
            view["bot_status"] = chat.bot_status
            view["members"] = [self.state.people[user_id].user() for user_id in chat.member_ids]
        return view

    def _title(self, chat: Chat) -> str:
        """What the chat is called in the person's list: the bot's name for a private chat."""
        return chat.title if chat.title is not None else self.state.bot_user["first_name"]

    def chats_of(self, user_id: int) -> list[dict[str, Any]]:
        """The chats a person can see: their private chat with the bot, then their groups."""
        person = self.person(user_id)
        groups = [c for c in self.state.chats.values() if c.type != "private" and person.id in c.member_ids]
        private = self.state.chats.get(person.id) or Chat(person.id, "private", person=person)
        return [{"id": chat.id, "type": chat.type, "title": self._title(chat)} for chat in [private, *groups]]


def _chat_instance(chat_id: int) -> str:
    """A stable opaque id per chat, like Telegram's chat_instance."""
    return str(int(hashlib.sha256(str(chat_id).encode()).hexdigest()[:15], 16))
