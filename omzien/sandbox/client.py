"""People in the stand-in, for tests: they write, tap buttons and read their chats over the control API.

The bot under test runs on its own (a task or a process), so a test says what a person does and
then waits for what they should see::

    async with SandboxClient(sandbox.url) as client:
        piet = await client.user("Piet")
        await piet.send("/start")
        await piet.wait_for(lambda messages: any("Welkom" in m["text"] for m in messages))
        await piet.tap("Postbode")          # an inline button
        await piet.press("Deel mijn nummer")  # a reply-keyboard button: its text, or (request_contact) a contact
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import aiohttp

Messages = list[dict[str, Any]]


class SandboxError(Exception):
    """The stand-in refused a control request (unknown person, no such button, …)."""

    def __init__(self, status: int, message: str, reason: str | None = None,
                 details: dict[str, Any] | None = None) -> None:
        super().__init__(f"{status}: {message}")
        self.status, self.message, self.reason = status, message, reason
        self.details = details or {}  # the rest of the answer: the message id, the buttons shown now, …


@dataclass(frozen=True)
class Group:
    id: int
    title: str


class SandboxClient:
    def __init__(self, url: str, *, session: aiohttp.ClientSession | None = None) -> None:
        self.url = url.rstrip("/")
        self._session = session
        self._own_session = session is None

    async def __aenter__(self) -> SandboxClient:
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.close()

    async def close(self) -> None:
        if self._own_session and self._session is not None:
            await self._session.close()
        self._session = None

    async def request(self, method: str, path: str, body: Any = None, **query: Any) -> Any:
        """One control-API call; the JSON answer, or SandboxError."""
        if self._session is None:
            self._session = aiohttp.ClientSession()
            self._own_session = True
        async with self._session.request(method, f"{self.url}/sandbox{path}", json=body,
                                         params={k: str(v) for k, v in query.items()}) as response:
            answer = await response.json(content_type=None)
            if response.status >= 400:
                if isinstance(answer, dict):
                    details = {k: v for k, v in answer.items() if k not in ("error", "reason")}
                    raise SandboxError(response.status, answer.get("error", str(answer)), answer.get("reason"),
                                       details)
                raise SandboxError(response.status, str(answer))
            return answer

    # People and groups

    async def user(self, first_name: str, *, language: str = "nl", username: str | None = None,
                   last_name: str | None = None) -> Person:
        """A new person, who has not written to the bot yet."""
        user = await self.request("POST", "/users", {"first_name": first_name, "language_code": language,
                                                     "username": username, "last_name": last_name})
        return Person(self, user)

    async def group(self, title: str, *, members: list[Person]) -> Group:
        """A supergroup of ``members``; the first one adds the bot as administrator."""
        chat = await self.request("POST", "/groups", {"title": title, "member_ids": [m.id for m in members]})
        return Group(chat["id"], chat["title"])

    async def chat(self, chat_id: int) -> dict[str, Any]:
        """A chat as it shows now: ``{"id", "type", "title", "messages", …}``."""
        return await self.request("GET", f"/chats/{chat_id}")

    # The stand-in itself

    async def changes(self, since: int = -1, timeout: float = 0, chat_id: int | None = None) -> int:
        """The change version (of one chat, if given), once it is beyond ``since`` or after ``timeout`` seconds."""
        query: dict[str, Any] = {"since": since, "timeout": timeout}
        if chat_id is not None:
            query["chat_id"] = chat_id
        return (await self.request("GET", "/changes", **query))["version"]

    async def refusals(self) -> list[dict[str, Any]]:
        """Every Bot API request the stand-in refused (4xx), oldest first."""
        return await self.request("GET", "/refusals")

    async def personas(self) -> list[dict[str, Any]]:
        return await self.request("GET", "/personas")

    async def set_personas(self, personas: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return await self.request("POST", "/personas", personas)

    async def faults(self, **settings: Any) -> dict[str, Any]:
        """Change fault injection (error_share, delay_share, cut_share, flood_share, delay_seconds, seed, …)
        and get the settings with counts; without arguments only read them."""
        return await self.request("POST", "/faults", settings) if settings else await self.request("GET", "/faults")

    async def limits(self, **settings: Any) -> dict[str, Any]:
        """Change flood limits (per_second, per_chat_per_second, chat_burst, per_group_per_minute)."""
        return await self.request("POST", "/limits", settings) if settings else await self.request("GET", "/limits")


class Person:
    """Someone using Telegram. ``chat=None`` means their private chat with the bot; else a Group or chat id."""

    def __init__(self, client: SandboxClient, user: dict[str, Any]) -> None:
        self.client, self.user = client, user
        self.id: int = user["id"]
        self.first_name: str = user["first_name"]

    def __repr__(self) -> str:
        return f"<Person {self.first_name} {self.id}>"

    def _chat_id(self, chat: Group | int | None) -> int:
        if chat is None:
            return self.id
        return chat.id if isinstance(chat, Group) else chat

    async def send(self, text: str, *, chat: Group | int | None = None) -> dict[str, Any]:
        """Type ``text`` in the chat and send it; the message as the chat shows it."""
        return await self.client.request("POST", f"/chats/{self._chat_id(chat)}/messages",
                                         {"from_id": self.id, "text": text})

    async def press(self, label: str, *, chat: Group | int | None = None, timeout: float = 10.0) -> dict[str, Any]:
        """Press the reply-keyboard button whose label is (or contains) ``label``: it sends its text, or for a
        ``request_contact`` button this person's contact (their invented phone number, no text); the message as
        the chat shows it. Waits up to ``timeout`` seconds for the keyboard to show the button."""
        return await self._when_shown(f"/chats/{self._chat_id(chat)}/press", {"from_id": self.id, "label": label},
                                      chat, timeout)

    async def share_contact(self, *, chat: Group | int | None = None) -> dict[str, Any]:
        """Share this person's own phone number, as from the attachment menu: a message with ``contact`` (the
        number is invented from the user id, and fictional) and no text; the message as the chat shows it."""
        return await self.client.request("POST", f"/chats/{self._chat_id(chat)}/contact", {"from_id": self.id})

    async def tap(self, label: str, *, chat: Group | int | None = None, message_id: int | None = None,
                  timeout: float = 10.0) -> dict[str, Any]:
        """Tap the inline button whose label is (or contains) ``label``, on ``message_id`` or the newest
        message that has one → ``{"callback_query_id", "update_id"}``. Like a person, waits up to
        ``timeout`` seconds for the button to appear (the bot answers in its own time)."""
        return await self._when_shown(f"/chats/{self._chat_id(chat)}/tap",
                                      {"from_id": self.id, "label": label, "message_id": message_id}, chat, timeout)

    async def _when_shown(self, path: str, body: dict[str, Any], chat: Group | int | None,
                          timeout: float) -> dict[str, Any]:
        """POST ``body``; while the button is not shown (yet), wait for the chat to change and try again."""
        deadline = asyncio.get_running_loop().time() + timeout
        version = await self.client.changes(chat_id=self._chat_id(chat))
        while True:
            try:
                return await self.client.request("POST", path, body)
            except SandboxError as error:
                remaining = deadline - asyncio.get_running_loop().time()
                if error.reason != "no_button" or remaining <= 0:
                    raise
            version = await self.client.changes(since=version, timeout=min(remaining, 30.0),
                                                chat_id=self._chat_id(chat))

    async def chat(self, *, chat: Group | int | None = None) -> Messages:
        """The messages of the chat as they show now, oldest first."""
        return (await self.client.chat(self._chat_id(chat)))["messages"]

    async def last(self, *, chat: Group | int | None = None) -> dict[str, Any]:
        messages = await self.chat(chat=chat)
        assert messages, f"{self.first_name}'s chat {self._chat_id(chat)} shows nothing"
        return messages[-1]

    async def wait_for(self, predicate: Callable[[Messages], Any], *, chat: Group | int | None = None,
                       timeout: float = 10.0) -> Messages:
        """Wait until ``predicate(messages)`` holds for the chat; its messages then. Wakes when that chat changes."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        version = await self.client.changes(chat_id=self._chat_id(chat))
        while True:
            messages = await self.chat(chat=chat)
            if predicate(messages):
                return messages
            remaining = deadline - loop.time()
            if remaining <= 0:
                shown = "\n".join(f"  [{m['message_id']}] {m['text'] or m.get('contact') or m.get('media')!r}"
                                  + (f" buttons={[b['text'] for row in m['buttons'] for b in row]}"
                                     if m["buttons"] else "") for m in messages[-5:]) or "  (nothing)"
                raise AssertionError(f"{self.first_name} waited {timeout:g} s in chat {self._chat_id(chat)} "
                                     f"for what was expected; the last messages:\n{shown}")
            version = await self.client.changes(since=version, timeout=min(remaining, 30.0),
                                                chat_id=self._chat_id(chat))

    async def answers(self) -> list[dict[str, Any]]:
        """The callback answers (toasts and alerts) shown to this person, oldest first."""
        return await self.client.request("GET", f"/users/{self.id}/answers")

    async def block(self) -> None:
        """Block the bot: it gets a my_chat_member update, and 403 when it writes."""
        await self.client.request("POST", f"/users/{self.id}/block")

    async def unblock(self) -> None:
        await self.client.request("POST", f"/users/{self.id}/unblock")
