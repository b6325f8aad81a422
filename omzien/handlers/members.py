"""Who is in a signal point's group now: asked of Telegram (``getChatMember``), kept a short while, and
corrected at once by the ``chat_member`` updates Telegram sends an administrator bot."""

from __future__ import annotations

import time
from collections.abc import Callable

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError

MEMBER_STATUSES = {"creator", "administrator", "member"}
FRESH_FOR = 60.0
"""Seconds an answer is trusted; a leave or a removal that Telegram reports replaces it at once."""


class Unknown(LookupError):
    """Telegram could not be asked just now."""


class Membership:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self.known: dict[tuple[int, int], tuple[bool, float]] = {}

    async def is_member(self, bot: Bot, chat_id: int, user_id: int) -> bool:
        """Whether ``user_id`` is in the group now; raises Unknown when Telegram cannot say."""
        known = self.known.get((chat_id, user_id))
        if known is not None and self.clock() - known[1] < FRESH_FOR:
            return known[0]
        try:
            member = await bot.get_chat_member(chat_id, user_id)
        except TelegramAPIError as error:
            raise Unknown from error
        present = member.status in MEMBER_STATUSES or bool(getattr(member, "is_member", False))
        self.note(chat_id, user_id, present)
        return present

    def note(self, chat_id: int, user_id: int, present: bool) -> None:
        self.known[(chat_id, user_id)] = (present, self.clock())
