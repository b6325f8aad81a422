"""Telegram's flood limits as the outbox sender keeps them (``omzien.bot.sender``).

Telegram's FAQ: about 30 messages a second overall, one a second per chat (short bursts allowed), and
20 a minute per group. The stand-in (``omzien.sandbox.traffic``) counts them as sliding windows.
"""

from __future__ import annotations

import asyncio
import math
from collections import defaultdict, deque
from collections.abc import Callable

POLL = 0.005
"""Seconds between looks at the limits while they wait for an answer still on its way."""
CATCH_UP = 0.5
"""How far back the overall schedule makes up for slots missed while requests were waiting (a stall)."""


class Request:
    """One request counted against the limits: when its answer came back (infinity while on its way)."""

    __slots__ = ("answered",)

    def __init__(self) -> None:
        self.answered = math.inf


class RateLimiter:
    """Telegram's limits: 30 requests in any second, per chat a short burst (3 in any 3 s), 20 a minute per group.

    Telegram counts a request when it arrives, and the way there takes a varying time: two requests
    that leave a second apart can arrive closer together. So each window counts a request from the
    moment its *answer* came back, the latest it can have arrived: one more request may leave only
    when it cannot make ``allowed`` arrive within the window at Telegram. That holds whatever the
    network and the clocks do, and costs one round trip per window, not a guessed margin.

    Overall, sends also follow a fixed schedule, one every ``(1 + margin)/per_second`` seconds: slot n at
    t0 + n·interval, not "the last actual send + interval", so a late wake-up is caught up instead of lost.
    While more requests wait, slots missed in a stall are caught up to ``CATCH_UP`` seconds back (the
    windows still hold); a sender that had nothing to send saves up at most half an interval. The
    schedule spreads the requests over the second rather than letting 30 out at once.

    Per chat, as Telegram's FAQ puts it and the stand-in counts: one a second with a short burst, at most
    ``chat_burst`` in any ``chat_burst · chat_interval`` seconds, so the two or three messages of one
    answer go at once. (This is stricter than a token bucket of the same rate and size.)
    """

    def __init__(self, per_second: int = 30, chat_interval: float = 1.0, group_per_minute: int = 20,
                 clock: Callable[[], float] | None = None, margin: float = 0.01, chat_burst: int = 3) -> None:
        self.per_second, self.chat_burst, self.group_per_minute = per_second, chat_burst, group_per_minute
        self.interval = (1.0 + margin) / per_second
        self.chat_window = chat_burst * chat_interval
        self.clock = clock or asyncio.get_running_loop().time
        self.next_slot = -math.inf
        self.recent: deque[Request] = deque()
        self.recent_in_chat: defaultdict[int, deque[Request]] = defaultdict(deque)
        self.recent_in_group: defaultdict[int, deque[Request]] = defaultdict(deque)
        self.paused_until: dict[int, float] = {}

    def wait(self, chat_id: int) -> float:
        """Seconds until a message to ``chat_id`` keeps every limit (0: now)."""
        return max(self.chat_wait(chat_id), self.overall_wait())

    def overall_wait(self) -> float:
        now = self.clock()
        return max(0.0, self.next_slot - now, _window_wait(self.recent, self.per_second, 1.0, now))

    def chat_wait(self, chat_id: int) -> float:
        """Seconds until ``chat_id`` may get a message, leaving the overall pace aside."""
        now = self.clock()
        waits = [self.paused_until.get(chat_id, now) - now]
        if chat_id in self.recent_in_chat:
            waits.append(_window_wait(self.recent_in_chat[chat_id], self.chat_burst, self.chat_window, now))
        if chat_id in self.recent_in_group:
            waits.append(_window_wait(self.recent_in_group[chat_id], self.group_per_minute, 60.0, now))
        return max(0.0, *waits)

    def record(self, chat_id: int, more_waiting: bool = False) -> Request:
        """Count a request that leaves now; tell ``answered`` when its answer (or error) is back."""
        now, request = self.clock(), Request()
        self.next_slot = max(self.next_slot, now - (CATCH_UP if more_waiting else self.interval / 2)) + self.interval
        self.recent.append(request)
        if self.chat_window > 0:
            self.recent_in_chat[chat_id].append(request)
        if chat_id < 0:
            self.recent_in_group[chat_id].append(request)
        return request

    def answered(self, request: Request) -> None:
        request.answered = self.clock()

    def pause(self, chat_id: int, seconds: float) -> None:
        self.paused_until[chat_id] = self.clock() + seconds

    def forget_quiet(self) -> None:
        """Drop what no longer counts (so the limiter does not grow with every chat it ever wrote to)."""
        now = self.clock()
        for windows, seconds in ((self.recent_in_chat, self.chat_window), (self.recent_in_group, 60.0)):
            for chat_id in [c for c, window in windows.items() if _window_wait(window, 1, seconds, now) == 0]:
                del windows[chat_id]
        for chat_id in [c for c, until in self.paused_until.items() if until <= now]:
            del self.paused_until[chat_id]


def _window_wait(window: deque[Request], allowed: int, seconds: float, now: float) -> float:
    """Seconds until one more request fits in a window that lets ``allowed`` through in any ``seconds``
    (``POLL`` while that depends on a request still on its way)."""
    while window and window[0].answered + seconds <= now:
        window.popleft()
    if len(window) < allowed:
        return 0.0
    ends = sorted(request.answered + seconds for request in window if request.answered + seconds > now)
    if len(ends) < allowed:
        return 0.0
    end = ends[len(ends) - allowed]
    return POLL if end == math.inf else end - now
