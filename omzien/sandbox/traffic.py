"""Flood control and injected faults: the two ways the stand-in fails requests that are otherwise fine.

Flood control keeps the limits Telegram documents for bots (about 30 messages a second overall,
one a second per chat with a short burst, 20 a minute per group) and answers 429 with
``retry_after`` beyond them. Faults make a seeded share of requests fail the way a network and
an overloaded Telegram do, so retry logic is exercised on purpose rather than by luck.
"""

from __future__ import annotations

import math
import random
import time
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import asdict, dataclass, fields
from typing import Any

from omzien.sandbox.errors import ControlError

FLOOD_PREFIXES = ("send", "edit", "copy", "forward")
NOT_FLOODED = {"sendChatAction"}
UNFAULTED = {"getUpdates", "getMe", "setMyCommands", "getWebhookInfo", "setWebhook", "deleteWebhook"}


def counts_for_flood(method: str) -> bool:
    """Only requests that create or change messages count against flood limits."""
    return method.startswith(FLOOD_PREFIXES) and method not in NOT_FLOODED


@dataclass
class Limits:
    per_second: int = 30  # all chats together, in any 1 s
    per_chat_per_second: float = 1.0  # sustained rate per chat …
    chat_burst: int = 3  # … allowing this many at once (so at most 3 in any 3 s window)
    per_group_per_minute: int = 20  # per group or supergroup, in any 60 s

    def update(self, settings: dict[str, Any]) -> None:
        """Change some limits (control API); each must be a positive number."""
        _assign(self, settings, positive=True)

    def report(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Faults:
    error_share: float = 0.0  # answered 500 or 502; nothing happens
    delay_share: float = 0.0  # carried out, but answered only after delay_seconds
    cut_share: float = 0.0  # connection closed before the request is read; nothing happens
    flood_share: float = 0.0  # answered 429 whatever the real flood limits say; nothing happens
    delay_seconds: float = 1.0
    flood_retry_after: int = 1  # the retry_after of injected 429 answers
    seed: int | None = None
    all_methods: bool = False  # also the methods in UNFAULTED (spared by default: start-up and polling)

    def update(self, settings: dict[str, Any]) -> None:
        """Change some fault settings (control API); the shares together are at most 1."""
        _assign(self, settings, positive=False)
        if self.flood_retry_after < 1:
            raise ControlError(400, "flood_retry_after must be at least 1 (aiogram ignores a retry_after of 0)")
        if self.error_share + self.delay_share + self.cut_share + self.flood_share > 1:
            raise ControlError(400, "error_share + delay_share + cut_share + flood_share must be at most 1")


def _assign(target: Limits | Faults, settings: dict[str, Any], *, positive: bool) -> None:
    """Set known fields after checking each value against the field's declared type."""
    declared = {f.name: f.type for f in fields(target)}
    for key, value in settings.items():
        if key not in declared:
            raise ControlError(400, f"unknown setting {key!r}; known: {sorted(declared)}")
        kind, number = declared[key], isinstance(value, int | float) and not isinstance(value, bool)
        if kind == "bool":
            valid = isinstance(value, bool)
        elif kind == "int | None":
            valid = value is None or (number and value == int(value))
        else:
            valid = number and (value > 0 if positive else value >= 0) and (kind != "int" or value == int(value))
            valid = valid and not (key.endswith("_share") and value > 1)
        if not valid:
            raise ControlError(400, f"{key} must be {kind}" + (" above 0" if positive else ""))
        setattr(target, key, int(value) if kind == "int" else value)


class FloodControl:
    """Sliding windows of the message requests let through, overall, per chat and per group."""

    def __init__(self, limits: Limits, clock: Callable[[], float] = time.monotonic) -> None:
        self.limits, self.clock = limits, clock
        self.overall: deque[float] = deque()
        self.per_chat: defaultdict[int, deque[float]] = defaultdict(deque)
        self.per_group: defaultdict[int, deque[float]] = defaultdict(deque)

    def admit(self, chat_id: int | None) -> int:
        """0 when a request to ``chat_id`` may go now (and it is counted), else seconds to retry after."""
        now, limits = self.clock(), self.limits
        windows = [(self.overall, 1.0, limits.per_second)]
        if chat_id is not None:
            windows.append((self.per_chat[chat_id], limits.chat_burst / limits.per_chat_per_second, limits.chat_burst))
            if chat_id < 0:
                windows.append((self.per_group[chat_id], 60.0, limits.per_group_per_minute))
        wait = 0.0
        for window, seconds, allowed in windows:
            while window and now - window[0] >= seconds:
                window.popleft()
            if len(window) >= allowed:
                wait = max(wait, window[len(window) - allowed] + seconds - now)
        if wait > 0:
            return max(1, math.ceil(wait))
        for window, _, _ in windows:
            window.append(now)
        return 0


class FaultInjector:
    """Draws, from a seeded random sequence, whether a request fails and how; counts what it did."""

    def __init__(self, faults: Faults) -> None:
        self.faults = faults
        self.reset()

    def reset(self) -> None:
        self.random = random.Random(self.faults.seed)
        self.counts = {"requests": 0, "errors": 0, "delays": 0, "cuts": 0, "floods": 0}

    def draw(self, method: str) -> str | None:
        """"cut", "error", "flood", "delay" or None for one request to ``method``."""
        faults = self.faults
        if method in UNFAULTED and not faults.all_methods:
            return None
        self.counts["requests"] += 1
        roll = self.random.random()
        for kind, share in (("cut", faults.cut_share), ("error", faults.error_share),
                            ("flood", faults.flood_share), ("delay", faults.delay_share)):
            if roll < share:
                self.counts[kind + "s"] += 1
                return kind
            roll -= share
        return None

    def error_code(self) -> int:
        return self.random.choice((500, 502))

    def report(self) -> dict[str, Any]:
        return {**asdict(self.faults), "counts": dict(self.counts)}
