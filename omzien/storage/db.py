"""Engines, sessions and migrations.

SQLite is the embedded default. Every SQLite transaction starts with ``BEGIN IMMEDIATE``: it
takes the write lock at once, so two updates handled at the same time queue instead of
failing halfway (a deferred transaction that reads and then writes can't wait for the lock).
Within one process they queue on the event loop first (``WriteTurn``): first come, first served,
and no sleeping in SQLite's busy handler. Sessions that only read (``read_session_factory``, or the
execution option ``READ_ONLY``) begin deferred instead: they neither wait for nor hold the write lock
(WAL lets them read a snapshot while another writes; the sender's reads use them).
PostgreSQL needs nothing special: its row locks do the same work.

On SQLite the bot's engine runs its statements on the event loop's own thread (``sqlite_inline``); reads
that can take long go to ``background(engine)``, which runs them on a thread.

Engines hide statement parameters: an error must never print an address or a note. Each engine carries
the keyring that seals them at rest (``omzien.storage.sealing``).
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import sqlite3
import time
import weakref
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from importlib.resources import files
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, event, text
from sqlalchemy.dialects import registry
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.util import await_only

from omzien.storage import offers, sealing
from omzien.storage.sealing import Keyring

registry.register("sqlite.inline", "omzien.storage.sqlite_inline", "InlineSQLiteDialect")

current_session: ContextVar[AsyncSession | None] = ContextVar("omzien_session", default=None)
"""The session of the update being handled, for code aiogram calls without it (the FSM storage)."""


def create_engine(url: str, keys: Keyring) -> AsyncEngine:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        # No ping before each use (a round trip per transaction): a connection the server closed is noticed when
        # it fails, and the pool then drops every older one (the bot's update middleware tries once more).
        engine = create_async_engine(url, hide_parameters=True)
        sealing.attach(engine.dialect, keys)
        return engine
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_async_engine(parsed.set(drivername="sqlite+inline"), hide_parameters=True,
                                 connect_args={"timeout": BUSY_TIMEOUT})
    sealing.attach(engine.dialect, keys)
    turn = WriteTurn()

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection, _record):  # type: ignore[no-untyped-def]
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT * 1000)}")
        cursor.execute("PRAGMA secure_delete=ON")  # what is deleted or overwritten is zeroed, not left behind
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection):  # type: ignore[no-untyped-def]
        raw = connection.connection.dbapi_connection
        if connection.get_execution_options().get(READ_ONLY):
            raw.execute("BEGIN")
            return
        if connection.info.get(WriteTurn.HELD) is None:
            connection.info[WriteTurn.HELD] = await_only(turn.take())
        _begin_immediate(raw)

    @event.listens_for(engine.sync_engine.pool, "checkin")
    def _on_checkin(_dbapi_connection, record):  # type: ignore[no-untyped-def]
        if record is not None and (lock := record.info.pop(WriteTurn.HELD, None)) is not None:
            turn.give(lock)

    return engine


BUSY_TIMEOUT = 30.0
"""Seconds to wait for another process's write lock (a CLI command, a backup) before giving up."""


def _begin_immediate(raw: sqlite3.Connection) -> None:
    """``BEGIN IMMEDIATE`` without blocking the event loop: SQLite's own busy wait would sleep on the loop's
    thread, so while another process writes this asks again after an ``asyncio.sleep``."""
    raw.execute("PRAGMA busy_timeout=0")
    try:
        pause, deadline = 0.001, time.monotonic() + BUSY_TIMEOUT
        while True:
            try:
                raw.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as error:
                if error.sqlite_errorcode != sqlite3.SQLITE_BUSY or time.monotonic() > deadline:
                    raise
            await_only(asyncio.sleep(pause))
            pause = min(pause * 2, 0.05)
    finally:
        raw.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT * 1000)}")


def background(engine: AsyncEngine) -> AsyncEngine:
    """An engine for reads that can take long (the figures, the gauges), so the bot goes on meanwhile.

    On SQLite the bot's own engine runs statements on the event loop's thread; this one is aiosqlite on the
    same file, which runs them on a thread of its own (``PRAGMA query_only``: it cannot write). It is made once
    per engine and disposed with it. On PostgreSQL it is the engine itself.
    """
    if engine.dialect.name != "sqlite":
        return engine
    if (found := _BACKGROUND.get(engine.sync_engine)) is not None:
        return found
    found = create_async_engine(engine.url.set(drivername="sqlite+aiosqlite"), hide_parameters=True,
                                connect_args={"timeout": BUSY_TIMEOUT})
    sealing.attach(found.dialect, sealing.keys_of(engine.dialect))

    @event.listens_for(found.sync_engine, "connect")
    def _on_connect(dbapi_connection, _record):  # type: ignore[no-untyped-def]
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT * 1000)}")
        cursor.execute("PRAGMA query_only=ON")
        cursor.close()

    @event.listens_for(found.sync_engine, "begin")
    def _on_begin(connection):  # type: ignore[no-untyped-def]
        connection.exec_driver_sql("BEGIN")  # one snapshot for all the statements of a read

    @event.listens_for(engine.sync_engine, "engine_disposed")
    def _on_disposed(_engine):  # type: ignore[no-untyped-def]
        _BACKGROUND.pop(engine.sync_engine, None)
        await_only(found.dispose())

    _BACKGROUND[engine.sync_engine] = found
    return found


_BACKGROUND: weakref.WeakKeyDictionary[object, AsyncEngine] = weakref.WeakKeyDictionary()


class WriteTurn:
    """SQLite has one writer: the transactions of this process take turns, in the order they asked.

    Waiting here costs nothing (an asyncio lock), where SQLite's busy handler sleeps and retries, and
    serves whoever retries at the right moment rather than who came first. A connection holds its turn
    from its ``BEGIN IMMEDIATE`` until it goes back to the pool (after its commit or rollback). Other
    processes (a CLI command) still meet SQLite's busy timeout.
    """

    HELD = "omzien_write_turn"
    TIMEOUT = 30.0

    def __init__(self) -> None:
        self.locks: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = \
            weakref.WeakKeyDictionary()
        self.holder: asyncio.Task[object] | None = None

    async def take(self) -> asyncio.Lock | None:
        """Wait for the turn and return its lock; None (no turn taken) when this task holds it already."""
        task = asyncio.current_task()
        if task is not None and task is self.holder:
            return None
        lock = self.locks.setdefault(asyncio.get_running_loop(), asyncio.Lock())
        if self.holder is not None and self.holder.done() and lock.locked():
            lock.release()  # its task ended without giving the connection back
        if not lock.locked():
            await lock.acquire()  # free: taken at once, without a round through the event loop
        else:
            try:  # asyncio.timeout: wait_for (3.11) can lose a lock it acquired just as it was cancelled
                async with asyncio.timeout(self.TIMEOUT):
                    await lock.acquire()
            except TimeoutError:
                raise TimeoutError(f"the database stayed locked for {self.TIMEOUT:.0f} s") from None
        self.holder = task
        return lock

    def give(self, lock: asyncio.Lock) -> None:
        self.holder = None
        if lock.locked():
            lock.release()


class InUse(Exception):
    """Another ``omzien run`` has this SQLite file."""


@contextlib.contextmanager
def only_runner(url: str) -> Iterator[None]:
    """One running bot per SQLite file: two would both send every card. (PostgreSQL shares the work safely.)"""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        yield
        return
    lock_path = Path(f"{parsed.database}.lock")
    with lock_path.open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise InUse(parsed.database) from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


READ_ONLY = "omzien_read_only"


def read_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions for reading only: on SQLite they do not take the write lock (nothing they write is kept safe)."""
    return async_sessionmaker(engine.execution_options(**{READ_ONLY: True}), expire_on_commit=False)


def _alembic_config(connection: Connection) -> Config:
    config = Config()
    config.set_main_option("script_location", str(files("omzien.storage") / "migrations"))
    config.attributes["connection"] = connection
    return config


async def prepare(engine: AsyncEngine) -> None:
    """The newest schema, and the catalogue that comes with Omzien up to date (both change nothing twice)."""
    await upgrade(engine)
    async with session_factory(engine).begin() as session:
        await offers.ensure_shipped(session)


async def upgrade(engine: AsyncEngine) -> None:
    """Bring the database to the newest schema (creates it on first run)."""
    await migrate(engine, command.upgrade, "head")


async def migrate(engine: AsyncEngine, step: Callable[[Config, str], None], revision: str) -> None:
    """Run an Alembic ``step`` (upgrade or downgrade) to ``revision`` in one transaction.

    On SQLite a migration that changes a column copies the table and drops the old one; with foreign keys on,
    that drop would delete every row that refers to it (``ON DELETE CASCADE``): the reports and events of
    every signal. So foreign keys are off while it runs (outside the transaction, as SQLite asks) and
    checked when it is done.
    """
    async with engine.connect() as connection:
        sqlite = engine.dialect.name == "sqlite"
        if sqlite:
            await _pragma(connection, "PRAGMA foreign_keys=OFF")
        try:
            async with connection.begin():
                await connection.run_sync(lambda sync: step(_alembic_config(sync), revision))
                if sqlite and (await connection.exec_driver_sql("PRAGMA foreign_key_check")).first():
                    raise RuntimeError("the migration left rows that refer to nothing")
        finally:
            if sqlite:
                await _pragma(connection, "PRAGMA foreign_keys=ON")


async def _pragma(connection: AsyncConnection, pragma: str) -> None:
    raw = await connection.get_raw_connection()
    raw.driver_connection.execute(pragma)  # type: ignore[union-attr]


SENDER_LOCK = 0x6F6D7A69
"""The PostgreSQL advisory lock key ("omzi") held by the one instance that sends the outbox."""


class SenderLock:
    """One outbox sender at a time, also with several instances on one PostgreSQL database.

    Telegram's limits count per bot, and crash recovery treats a row left ``sending`` as cut off:
    both hold only with one sender. The lock is a session-level advisory lock on a connection of
    its own, so when an instance dies its connection closes and another instance takes over.
    SQLite runs on one machine with one bot: the lock is always held.
    """

    CHECK_EVERY = 10.0

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.connection: AsyncConnection | None = None
        self.checked = 0.0

    @property
    def needed(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    async def try_acquire(self) -> bool:
        if not self.needed:
            return True
        if self.connection is None:
            self.connection = await self.engine.connect()
            await self.connection.execution_options(isolation_level="AUTOCOMMIT")
        got = await self.connection.scalar(text("SELECT pg_try_advisory_lock(:key)"), {"key": SENDER_LOCK})
        if not got:
            await self.release()
        self.checked = time.monotonic()
        return bool(got)

    async def held(self) -> bool:
        """Still ours? The connection is looked at every ``CHECK_EVERY`` seconds; a broken one means no."""
        if not self.needed:
            return True
        if self.connection is None:
            return False
        if time.monotonic() - self.checked < self.CHECK_EVERY:
            return True
        try:
            await self.connection.scalar(text("SELECT 1"))
        except Exception:
            await self.release()
            return False
        self.checked = time.monotonic()
        return True

    async def release(self) -> None:
        """Let go: the connection is discarded, not returned to the pool, so the lock ends with it."""
        if self.connection is not None:
            with contextlib.suppress(Exception):
                await self.connection.invalidate()
                await self.connection.close()
            self.connection = None
