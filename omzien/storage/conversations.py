"""What the bot remembers between updates: where each conversation stands, and which updates it handled."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from aiogram.fsm.state import State
from aiogram.fsm.storage.base import BaseStorage, StateType, StorageKey
from sqlalchemy import delete
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from omzien.storage.db import current_session
from omzien.storage.models import ConversationState, HandledUpdate


class DatabaseStorage(BaseStorage):
    """aiogram FSM storage in the database, inside the transaction of the update being handled.

    So a half-filled report survives a restart, and a state change commits or rolls back
    together with everything else the update did.
    """

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self.sessions = sessions

    @staticmethod
    def _key(key: StorageKey) -> str:
        return f"{key.bot_id}:{key.chat_id}:{key.user_id}:{key.thread_id or ''}:{key.destiny}"

    async def _write(self, key: StorageKey, **values: Any) -> None:
        session = current_session.get()
        if session is None:
            async with self.sessions.begin() as own:
                await self._write_in(own, key, values)
        else:
            await self._write_in(session, key, values)

    async def _write_in(self, session: AsyncSession, key: StorageKey, values: dict[str, Any]) -> None:
        """Keep a row only while there is something to remember."""
        record = await session.get(ConversationState, self._key(key))
        if record is None:
            record = ConversationState(key=self._key(key), state=None, data={})
            session.add(record)
        for name, value in values.items():
            setattr(record, name, value)
        if record.state is None and not record.data:
            if record in session.new:
                session.expunge(record)
            else:
                await session.delete(record)
        await session.flush()

    async def _read(self, key: StorageKey) -> ConversationState | None:
        session = current_session.get()
        if session is None:
            async with self.sessions() as own:
                return await own.get(ConversationState, self._key(key))
        return await session.get(ConversationState, self._key(key))

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        await self._write(key, state=state.state if isinstance(state, State) else state)

    async def get_state(self, key: StorageKey) -> str | None:
        record = await self._read(key)
        return record.state if record else None

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        await self._write(key, data=dict(data))

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        record = await self._read(key)
        return dict(record.data) if record else {}

    async def close(self) -> None:
        pass


async def first_time(session: AsyncSession, update_id: int, now: datetime) -> bool:
    """Note the update as handled; False if it was handled before (Telegram sent it again)."""
    insert = pg_insert if session.bind.dialect.name == "postgresql" else sqlite_insert
    result = await session.execute(
        insert(HandledUpdate).values(update_id=update_id, handled_at=now).on_conflict_do_nothing()
    )
    return result.rowcount == 1  # type: ignore[attr-defined]


async def forget_handled_before(session: AsyncSession, before: datetime) -> None:
    await session.execute(delete(HandledUpdate).where(HandledUpdate.handled_at < before))


async def forget_drafts_before(session: AsyncSession, before: datetime) -> int:
    """A report left half-way holds an address: it is not kept longer than needed to finish it."""
    result = await session.execute(delete(ConversationState).where(ConversationState.updated_at < before))
    return result.rowcount  # type: ignore[attr-defined]
