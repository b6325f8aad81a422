"""The errors the stand-in answers with, in Telegram's response shape."""

from __future__ import annotations

from typing import Any


class BotApiError(Exception):
    """A Bot API answer with ``ok: false``; ``field`` names the part of the request at fault (for refusals)."""

    def __init__(self, error_code: int, description: str, *, field: str | None = None,
                 parameters: dict[str, Any] | None = None) -> None:
        super().__init__(description)
        self.error_code, self.description, self.field, self.parameters = error_code, description, field, parameters

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"ok": False, "error_code": self.error_code, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def bad_request(reason: str, field: str | None = None) -> BotApiError:
    return BotApiError(400, f"Bad Request: {reason}", field=field)


def forbidden(reason: str, field: str | None = "chat_id") -> BotApiError:
    return BotApiError(403, f"Forbidden: {reason}", field=field)


class ControlError(Exception):
    """A control-API request the stand-in cannot carry out (unknown person, no such button, …).

    ``reason`` is a stable word for clients that react to one case (the test client waits while it
    is "no_button": the bot may not have shown the button yet; the chat page tells the person in
    Dutch). ``details`` go into the answer as they are (the message id, the buttons shown now, …)."""

    def __init__(self, status: int, message: str, reason: str | None = None, **details: Any) -> None:
        super().__init__(message)
        self.status, self.message, self.reason, self.details = status, message, reason, details

    def body(self) -> dict[str, Any]:
        return {"error": self.message, **({"reason": self.reason} if self.reason else {}), **self.details}
