"""The Bot API methods the stand-in carries out, on parameters the spec check already converted.

Each method enforces the limits Telegram enforces that a bot can break (text length after entity
parsing, callback data size, edits that change nothing, answers to unknown callback queries, …)
with Telegram's own error wording, because the bot reacts to that wording (see
``omzien.bot.sender``). Methods in the spec but not here are refused, so a test notices.
"""

from __future__ import annotations

import inspect
import json
import re
from collections.abc import Callable
from typing import Any

from omzien.sandbox.chats import TEXT_LIMIT, Chat, Message
from omzien.sandbox.entities import fit, parse_html, strip
from omzien.sandbox.errors import bad_request
from omzien.sandbox.state import State

CAPTION_LIMIT = 1024
CALLBACK_DATA_BYTES = 64
ANSWER_TEXT_LIMIT = 200
COMMAND_NAME = re.compile(r"^[a-z0-9_]{1,32}$")
BUTTON_ACTIONS = ("url", "callback_data", "web_app", "login_url", "switch_inline_query",
                  "switch_inline_query_current_chat", "switch_inline_query_chosen_chat", "copy_text",
                  "callback_game", "pay")
LINK = re.compile(r"^(?:https?|tg)://\S+$", re.IGNORECASE)
NOT_MODIFIED = ("message is not modified: specified new message content and reply markup are exactly the same "
                "as a current content and reply markup of the message")

Params = dict[str, Any]


def _checked_text(p: Params) -> tuple[str, list[dict[str, Any]]]:
    """The text and entities of a message to send or edit, within Telegram's 1-4096 characters."""
    text, entities = formatted(p, "text", "entities")
    if not text:
        raise bad_request("message text is empty", field="text")
    if len(text) > TEXT_LIMIT:
        raise bad_request(f"message is too long ({len(text)} characters after entity parsing; "
                          f"the limit is {TEXT_LIMIT})", field="text")
    return text, entities


class BotApi:
    def __init__(self, state: State) -> None:
        self.state = state
        self.methods: dict[str, Callable[[Params], Any]] = {
            "getMe": self.get_me, "getUpdates": self.get_updates, "close": self.done, "logOut": self.done,
            "sendMessage": self.send_message, "sendPhoto": self.send_photo, "sendDocument": self.send_document,
            "sendChatAction": self.send_chat_action, "editMessageText": self.edit_message_text,
            "editMessageReplyMarkup": self.edit_message_reply_markup, "deleteMessage": self.delete_message,
            "answerCallbackQuery": self.answer_callback_query, "setMyCommands": self.set_my_commands,
            "getMyCommands": self.get_my_commands, "deleteMyCommands": self.delete_my_commands,
            "getChat": self.get_chat, "getChatMember": self.get_chat_member,
            "getChatAdministrators": self.get_chat_administrators, "getChatMemberCount": self.get_chat_member_count,
        }

    async def call(self, method: str, params: Params) -> Any:
        """The result of ``method`` (spec spelling) for checked ``params``; a BotApiError when refused."""
        handler = self.methods.get(method)
        if handler is None:
            raise bad_request("method not supported by the sandbox")
        result = handler(params)
        return await result if inspect.isawaitable(result) else result

    # Bot and updates

    def get_me(self, _: Params) -> dict[str, Any]:
        return {**self.state.bot_user, "can_join_groups": True, "can_read_all_group_messages": False,
                "supports_inline_queries": False, "can_connect_to_business": False, "has_main_web_app": False}

    async def get_updates(self, p: Params) -> list[dict[str, Any]]:
        limit = min(100, max(1, p.get("limit", 100)))  # Telegram clamps rather than refuses
        return await self.state.updates.poll(p.get("offset"), limit, max(0, p.get("timeout", 0)),
                                             p.get("allowed_updates"))

    def done(self, _: Params) -> bool:
        """close and logOut: nothing to hand over in the sandbox."""
        return True

    # Sending

    def send_message(self, p: Params) -> dict[str, Any]:
        chat = self.state.target(p["chat_id"])
        text, entities = _checked_text(p)
        self._check_reply(chat, p)
        markup = checked_markup(p.get("reply_markup"))
        return self.state.post(chat, text, entities, markup).telegram()

    def send_photo(self, p: Params) -> dict[str, Any]:
        return self._send_media(p, "photo")

    def send_document(self, p: Params) -> dict[str, Any]:
        return self._send_media(p, "document")

    def _send_media(self, p: Params, kind: str) -> dict[str, Any]:
        chat = self.state.target(p["chat_id"])
        caption, entities = formatted(p, "caption", "caption_entities")
        if len(caption) > CAPTION_LIMIT:
            raise bad_request(f"message caption is too long ({len(caption)} characters after entity parsing; "
                              f"the limit is {CAPTION_LIMIT})", field="caption")
        self._check_reply(chat, p)
        markup = checked_markup(p.get("reply_markup"))
        media = self.state.store_file(kind, p[kind], field=kind)
        return self.state.post(chat, caption, entities, markup, media=media).telegram()

    def _check_reply(self, chat: Chat, p: Params) -> None:
        reply = p.get("reply_parameters")
        if reply and reply.get("chat_id") is None and reply["message_id"] not in chat.messages \
                and not reply.get("allow_sending_without_reply"):
            raise bad_request("message to be replied not found", field="reply_parameters.message_id")

    def send_chat_action(self, p: Params) -> bool:
        self.state.target(p["chat_id"])
        return True

    # Changing messages

    def edit_message_text(self, p: Params) -> dict[str, Any]:
        message = self._message(p, "message to edit not found")
        if message.media is not None:
            raise bad_request("there is no text in the message to edit", field="message_id")
        if "text" not in p:
            raise bad_request("field 'text' is required (the sandbox has no rich messages)", field="text")
        text, entities = _checked_text(p)
        markup = checked_markup(p.get("reply_markup"))
        if (text, entities, markup) == (message.text, message.entities, message.inline_markup):
            raise bad_request(NOT_MODIFIED)
        self.state.edit(message, text, entities, markup)
        return message.telegram()

    def edit_message_reply_markup(self, p: Params) -> dict[str, Any]:
        message = self._message(p, "message to edit not found")
        markup = checked_markup(p.get("reply_markup"))
        if markup == message.inline_markup:
            raise bad_request(NOT_MODIFIED)
        self.state.edit(message, message.text, message.entities, markup)
        return message.telegram()

    def delete_message(self, p: Params) -> bool:
        self.state.delete(self._message(p, "message to delete not found", own=False))
        return True

    def _message(self, p: Params, not_found: str, *, own: bool = True) -> Message:
        """The message ``chat_id`` + ``message_id`` name; ``own``: only the bot's messages can be edited."""
        if "inline_message_id" in p:
            raise bad_request("inline messages are not supported by the sandbox", field="inline_message_id")
        for name in ("chat_id", "message_id"):
            if name not in p:
                raise bad_request(f"field '{name}' is required", field=name)
        chat = self.state.target(p["chat_id"])
        message = chat.messages.get(p["message_id"])
        if message is None:
            raise bad_request(not_found, field="message_id")
        if own and message.sender["id"] != self.state.bot_user["id"]:
            raise bad_request("message can't be edited", field="message_id")
        return message

    def answer_callback_query(self, p: Params) -> bool:
        query = self.state.callbacks.get(p["callback_query_id"])
        if query is None or query.answered:
            raise bad_request("query is too old and response timeout expired or query ID is invalid",
                              field="callback_query_id")
        text = p.get("text")
        if text is not None and len(text) > ANSWER_TEXT_LIMIT:
            raise bad_request(f"MESSAGE_TOO_LONG: the answer text is {len(text)} characters; "
                              f"at most {ANSWER_TEXT_LIMIT} are allowed", field="text")
        self.state.answer(query, text, bool(p.get("show_alert")), p.get("url"))
        return True

    # Commands

    def set_my_commands(self, p: Params) -> bool:
        commands = p["commands"]
        if len(commands) > 100:
            raise bad_request("BOT_COMMANDS_TOO_MUCH: at most 100 commands", field="commands")
        for index, command in enumerate(commands):
            if not COMMAND_NAME.match(command["command"]):
                raise bad_request(f"BOT_COMMAND_INVALID: {command['command']!r} is not 1-32 lowercase letters, "
                                  "digits or underscores", field=f"commands[{index}].command")
            if not 1 <= len(command["description"].strip()) <= 256:
                raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID: a description has 1-256 characters",
                                  field=f"commands[{index}].description")
        self.state.commands[_commands_key(p)] = commands
        return True

    def get_my_commands(self, p: Params) -> list[dict[str, Any]]:
        return self.state.commands.get(_commands_key(p), [])

    def delete_my_commands(self, p: Params) -> bool:
        self.state.commands.pop(_commands_key(p), None)
        return True

    # Chats

    def get_chat(self, p: Params) -> dict[str, Any]:
        chat = self.state.lookup(p["chat_id"])
        no_gifts = dict.fromkeys(("unlimited_gifts", "limited_gifts", "unique_gifts", "premium_subscription",
                                  "gifts_from_channels"), False)
        return {**chat.telegram(), "accent_color_id": 0, "max_reaction_count": 11, "accepted_gift_types": no_gifts}

    def get_chat_member(self, p: Params) -> dict[str, Any]:
        return self.state.member(self.state.lookup(p["chat_id"]), p["user_id"])

    def get_chat_administrators(self, p: Params) -> list[dict[str, Any]]:
        chat = self.state.lookup(p["chat_id"])
        if chat.type == "private":
            raise bad_request("there are no administrators in the private chat", field="chat_id")
        owner = [self.state.member(chat, chat.creator_id)] if chat.creator_id else []
        return owner + ([self.state.bot_member(chat)] if chat.bot_status == "administrator" else [])

    def get_chat_member_count(self, p: Params) -> int:
        chat = self.state.lookup(p["chat_id"])
        return 2 if chat.type == "private" else len(chat.member_ids) + (chat.bot_status in ("member", "administrator"))


def formatted(p: Params, text_key: str, entities_key: str) -> tuple[str, list[dict[str, Any]]]:
    """Text and entities as Telegram stores them: explicit entities win over parse_mode; whitespace trimmed."""
    raw = p.get(text_key, "")
    if entities_key in p:
        return strip(raw, fit(raw, p[entities_key]))
    mode = p.get("parse_mode") or ""
    if mode.lower() == "html":
        return parse_html(raw, field=text_key)
    if mode.lower() in ("markdown", "markdownv2"):
        raise bad_request(f"parse_mode {mode} is not supported by the sandbox; use HTML", field="parse_mode")
    if mode:
        raise bad_request(f"unsupported parse_mode {mode!r}", field="parse_mode")
    return strip(raw, [])


def checked_markup(markup: dict[str, Any] | None) -> dict[str, Any] | None:
    """The reply markup after the checks the spec cannot express (button data size, button kinds)."""
    if not markup or "inline_keyboard" not in markup:
        if markup and "keyboard" in markup and not any(markup["keyboard"]):
            raise bad_request("keyboard must be non-empty", field="reply_markup.keyboard")
        return markup
    for r, row in enumerate(markup["inline_keyboard"]):
        for c, button in enumerate(row):
            where = f"reply_markup.inline_keyboard[{r}][{c}]"
            actions = [key for key in BUTTON_ACTIONS if key in button]
            if not actions:
                raise bad_request("text buttons are unallowed in the inline keyboard", field=where)
            if len(actions) > 1:
                raise bad_request(f"a button can do one thing only, this one has {', '.join(actions)}", field=where)
            data = button.get("callback_data")
            if data is not None and not 1 <= len(data.encode()) <= CALLBACK_DATA_BYTES:
                raise bad_request(f"BUTTON_DATA_INVALID: callback_data must be 1-{CALLBACK_DATA_BYTES} bytes, "
                                  f"{button['text']!r} has {len(data.encode())}", field=f"{where}.callback_data")
            if "url" in button and not LINK.match(button["url"]):
                raise bad_request(f"inline keyboard button URL {button['url']!r} is invalid: "
                                  "Unsupported URL protocol", field=f"{where}.url")
    return markup


def _commands_key(p: Params) -> str:
    """Commands are kept per scope and language, like Telegram: getMyCommands must ask for the same pair."""
    return json.dumps([p.get("scope") or {"type": "default"}, p.get("language_code") or ""], sort_keys=True)
