"""What the bot remembers between updates: where each conversation stands, and which updates it handled."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import Any

from aiogram.fsm.state import State
from aiogram.fsm.storage.base import BaseStorage, StateType, StorageKey
from sqlalchemy import bindparam, delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from omzien.storage.db import current_session
from omzien.storage.models import ConversationState, HandledUpdate, utcnow

WORKING = "omzien_conversations"
"""Where a session keeps the conversations its update read (``session.info``), to write back once."""


@dataclass
class Conversation:
    """One conversation's state and data as the update being handled sees it, and as it was stored."""

    state: str | None = None
    data: dict[str, Any] = field(default_factory=dict)
    stored: tuple[str | None, dict[str, Any]] | None = None

    @property
    def changed(self) -> bool:
        return (self.state, self.data) != (self.stored or (None, {}))


class DatabaseStorage(BaseStorage):
    """aiogram FSM storage in the database, inside the transaction of the update being handled.

    So a half-filled report survives a restart, and a state change commits or rolls back
    together with everything else the update did. An update reads a conversation once; what it
    changes is written once, when the update is done (``save_conversations``), and only if it changed.
    """

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self.sessions = sessions

    @staticmethod
    def _key(key: StorageKey) -> str:
        return f"{key.bot_id}:{key.chat_id}:{key.user_id}:{key.thread_id or ''}:{key.destiny}"

    async def _change(self, key: StorageKey, **values: Any) -> None:
        session = current_session.get()
        if session is not None:
            conversation = await _working(session, self._key(key))
            for name, value in values.items():
                setattr(conversation, name, value)
            return
        async with self.sessions.begin() as own:
            conversation = await _working(own, self._key(key))
            for name, value in values.items():
                setattr(conversation, name, value)
            await save_conversations(own)

    async def _read(self, key: StorageKey) -> Conversation:
        session = current_session.get()
        if session is not None:
            return await _working(session, self._key(key))
        async with self.sessions() as own:
            return await _working(own, self._key(key))

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        await self._change(key, state=state.state if isinstance(state, State) else state)

    async def get_state(self, key: StorageKey) -> str | None:
        return (await self._read(key)).state

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        await self._change(key, data=dict(data))

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        return dict((await self._read(key)).data)

    async def close(self) -> None:
        pass


# The statements of every update, built once (their values are bound): building a statement costs more than
# SQLite takes to run it.
_READ = select(ConversationState.state, ConversationState.data).where(ConversationState.key == bindparam("key"))
_FORGET = delete(ConversationState).where(ConversationState.key == bindparam("key"))


@cache
def _upsert(dialect: str) -> Any:
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    values = {"state": bindparam("new_state"), "data": bindparam("new_data", type_=ConversationState.data.type),
              "updated_at": bindparam("at", type_=ConversationState.updated_at.type)}
    return insert(ConversationState.__table__).values(key=bindparam("of"), **values) \
        .on_conflict_do_update(index_elements=[ConversationState.key], set_=values)


@cache
def _note_handled(dialect: str) -> Any:
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    return insert(HandledUpdate.__table__).values(update_id=bindparam("handled", type_=HandledUpdate.update_id.type),
                                        handled_at=bindparam("now", type_=HandledUpdate.handled_at.type)) \
        .on_conflict_do_nothing()


async def _working(session: AsyncSession, key: str) -> Conversation:
    """The conversation under ``key`` as this session sees it: read from the database the first time only."""
    working: dict[str, Conversation] = session.info.setdefault(WORKING, {})
    if key not in working:
        row = (await session.execute(_READ, {"key": key})).first()
        working[key] = Conversation() if row is None else Conversation(
            row.state, dict(row.data or {}), (row.state, dict(row.data or {})))
    return working[key]


async def save_conversations(session: AsyncSession) -> None:
    """Write back what the update changed in its conversations: one statement each, none if nothing changed.

    A row is kept only while there is something to remember."""
    working: dict[str, Conversation] = session.info.pop(WORKING, {})
    for key, conversation in working.items():
        if not conversation.changed:
            continue
        if conversation.state is None and not conversation.data:
            await session.execute(_FORGET, {"key": key})
            continue
        await session.execute(_upsert(session.bind.dialect.name), {
            "of": key, "new_state": conversation.state, "new_data": conversation.data, "at": utcnow()})


async def first_time(session: AsyncSession, update_id: int, now: datetime) -> bool:
    """Note the update as handled; False if it was handled before (Telegram sent it again)."""
    result = await session.execute(_note_handled(session.bind.dialect.name), {"handled": update_id, "now": now})
    return result.rowcount == 1  # type: ignore[attr-defined]


async def forget_handled_before(session: AsyncSession, before: datetime) -> None:
    await session.execute(delete(HandledUpdate).where(HandledUpdate.handled_at < before))


async def forget_drafts_before(session: AsyncSession, before: datetime) -> int:
    """A report left half-way holds an address: it is not kept longer than needed to finish it."""
    result = await session.execute(delete(ConversationState).where(ConversationState.updated_at < before))
    return result.rowcount  # type: ignore[attr-defined]
