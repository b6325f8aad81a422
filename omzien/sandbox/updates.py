"""The queue of Updates ``getUpdates`` hands out, filtered and confirmed the way Telegram does it."""

from __future__ import annotations

import asyncio
import itertools
from collections import deque
from typing import Any

from omzien.sandbox.beacon import Beacon
from omzien.sandbox.errors import BotApiError

FIRST_UPDATE_ID = 800_000_001
UPDATE_TYPES = (
    "message", "edited_message", "channel_post", "edited_channel_post", "business_connection",
    "business_message", "edited_business_message", "deleted_business_messages", "message_reaction",
    "message_reaction_count", "inline_query", "chosen_inline_result", "callback_query", "shipping_query",
    "pre_checkout_query", "purchased_paid_media", "poll", "poll_answer", "my_chat_member", "chat_member",
    "chat_join_request", "chat_boost", "removed_chat_boost",
)
# What Telegram delivers when allowed_updates was never given or given as [].
DEFAULT_UPDATES = frozenset(UPDATE_TYPES) - {"chat_member", "message_reaction", "message_reaction_count"}


class UpdateQueue:
    """Updates not yet confirmed by the bot, and the one long poll allowed to wait for more."""

    def __init__(self) -> None:
        self.pending: deque[dict[str, Any]] = deque()
        self.allowed_updates = DEFAULT_UPDATES
        self.arrivals = Beacon()  # new updates for getUpdates
        self._poller = 0  # the newest getUpdates request; older ones give way with 409 like Telegram
        self._update_ids = itertools.count(FIRST_UPDATE_ID)

    def close(self) -> None:
        """Release a waiting long poll for good (the server is stopping)."""
        self.arrivals.close()

    def enqueue(self, kind: str, payload: dict[str, Any]) -> int:
        """A new Update; like Telegram, types the bot did not ask for are never stored."""
        update_id = next(self._update_ids)
        if kind in self.allowed_updates:
            self.pending.append({"update_id": update_id, kind: payload})
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
            if self.pending or remaining <= 0 or self.arrivals.closed:
                return list(itertools.islice(self.pending, limit))
            await self.arrivals.wait_beyond(self.arrivals.version, remaining)

    def _confirm(self, offset: int) -> None:
        if offset < 0:  # keep only the last -offset updates
            while len(self.pending) > -offset:
                self.pending.popleft()
            return
        while self.pending and self.pending[0]["update_id"] < offset:
            self.pending.popleft()
