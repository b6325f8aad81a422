"""SQLite on the event loop's own thread, for the async engine.

aiosqlite runs each statement on a thread of its own and hands the answer back through the event loop:
about four hand-offs a statement, a few hundred microseconds on a busy machine, where SQLite itself
answers Omzien's indexed statements in tens of microseconds. This dialect calls the stdlib ``sqlite3``
module directly instead. Nothing here waits: writers take turns on the event loop first
(``db.WriteTurn``), another process's write lock is waited for with ``asyncio.sleep`` (``db``'s
``BEGIN IMMEDIATE``), and the reads that can take long (the figures, the offer index) go to a threaded
aiosqlite engine (``db.background``).

SQLAlchemy's asyncio layer expects each statement to await something; a statement here runs inside a
coroutine that finishes at once (a greenlet switch, no trip through the event loop).
"""

from __future__ import annotations

import sqlite3
from typing import Any

from sqlalchemy import pool
from sqlalchemy.dialects.sqlite.pysqlite import SQLiteDialect_pysqlite
from sqlalchemy.engine import URL
from sqlalchemy.util.concurrency import await_, in_greenlet


async def _now(call: Any, *args: Any) -> Any:
    return call(*args)


class Cursor(sqlite3.Cursor):
    def execute(self, sql: str, parameters: Any = ()) -> Cursor:  # type: ignore[override]
        if in_greenlet():
            return await_(_now(super().execute, sql, parameters))  # type: ignore[no-any-return]
        return super().execute(sql, parameters)

    def executemany(self, sql: str, parameters: Any) -> Cursor:  # type: ignore[override]
        if in_greenlet():
            return await_(_now(super().executemany, sql, parameters))  # type: ignore[no-any-return]
        return super().executemany(sql, parameters)


    async def _async_soft_close(self) -> None:
        """SQLAlchemy's asyncio results call this; an sqlite3 cursor keeps its rows until they are read."""


class Connection(sqlite3.Connection):
    def cursor(self, factory: Any = Cursor) -> Any:  # type: ignore[override]
        return super().cursor(factory)


class InlineSQLiteDialect(SQLiteDialect_pysqlite):
    driver = "inline"
    is_async = True
    supports_statement_cache = True

    @classmethod
    def get_pool_class(cls, url: URL) -> type[pool.Pool]:
        return pool.AsyncAdaptedQueuePool if cls._is_url_file_db(url) else pool.StaticPool

    def create_connect_args(self, url: URL) -> Any:
        args, options = super().create_connect_args(url)
        options["factory"] = Connection
        return args, options


dialect = InlineSQLiteDialect
