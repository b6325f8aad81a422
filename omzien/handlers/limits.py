"""How often something may be tried: a sliding window, kept in memory (a restart forgets, which is harmless)."""

from __future__ import annotations

import time
from collections import defaultdict, deque
from collections.abc import Callable


class Attempts:
    def __init__(self, limit: int, per_seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit, self.per, self.clock = limit, per_seconds, clock
        self.recent: defaultdict[int, deque[float]] = defaultdict(deque)

    def allow(self, key: int) -> bool:
        """Count one attempt for ``key``; False once ``limit`` were made within the window."""
        now, recent = self.clock(), self.recent[key]
        while recent and now - recent[0] >= self.per:
            recent.popleft()
        if len(recent) >= self.limit:
            return False
        recent.append(now)
        return True
