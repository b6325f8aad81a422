"""What the stand-in Telegram knows, and what the bot does to it.

People, their private chats with the bot (which exist once they wrote to it), groups with
members, and each chat's messages, edited in place (the records are ``omzien.sandbox.chats``).
What the bot does goes through ``omzien.sandbox.methods`` and lands here; what people do (write,
tap a button, block the bot) is ``omzien.sandbox.people`` and becomes an Update in the queue
``getUpdates`` hands out (``omzien.sandbox.updates``). Every change people could see bumps
``changes``, so the chat page and test clients can wait for it instead of polling.
"""

from __future__ import annotations

import itertools
import mimetypes
from typing import Any

from omzien.sandbox.beacon import Beacon
from omzien.sandbox.chats import CallbackQuery, Chat, Media, Message, Person, now
from omzien.sandbox.errors import bad_request, forbidden
from omzien.sandbox.spec import Upload
from omzien.sandbox.updates import UpdateQueue

BOT_ID = 777000111
ADMINISTRATOR_RIGHTS = {
    "can_be_edited": False, "is_anonymous": False, "can_manage_chat": True, "can_delete_messages": True,
    "can_manage_video_chats": True, "can_restrict_members": True, "can_promote_members": False,
    "can_change_info": True, "can_invite_users": True, "can_post_stories": False, "can_edit_stories": False,
    "can_delete_stories": False, "can_pin_messages": True, "can_manage_topics": False,
    "can_send_welcome_messages": False,  # newer than the bundled spec, but aiogram 3.31 requires it
}


class State:
    def __init__(self, *, bot_username: str = "omzien_sandbox_bot", bot_name: str = "Omzien (sandbox)") -> None:
        self.bot_user = {"id": BOT_ID, "is_bot": True, "first_name": bot_name, "username": bot_username}
        self.people: dict[int, Person] = {}
        self.chats: dict[int, Chat] = {}
        self.callbacks: dict[str, CallbackQuery] = {}
        self.commands: dict[str, list[dict[str, Any]]] = {}  # scope+language key → commands
        self.files: dict[str, Media] = {}
        self.personas: list[dict[str, Any]] = []
        self.updates = UpdateQueue()
        self.changes = Beacon()  # anything people could see
        self._file_ids = itertools.count(1)

    def close(self) -> None:
        """Release every waiting long poll (the server is stopping)."""
        self.changes.close()
        self.updates.close()

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
