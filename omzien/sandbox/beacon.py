"""A version number to wait on, so the chat page, test clients and long polls wait instead of polling."""

from __future__ import annotations

import asyncio
import contextlib


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
