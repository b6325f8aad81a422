"""Everything sealed comes under the current key: after a new key, and once for rows from before sealing.

Works on the raw texts of the sealed columns (by table and column name, not through the models), so the
migration that first sealed the data and ``omzien privacy rotate-key`` share it. A signal's address hash is
made anew from its opened address, as the hash key changes with the key. Rows are done in batches; each
batch can be its own transaction, so a large database is never locked for long and an interrupted run
simply goes on where it stopped when started again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import Connection, and_, bindparam, column, func, literal, or_, select, table, update

from omzien.storage.sealing import PREFIX, Keyring

SEALED: dict[str, tuple[str, tuple[str, ...]]] = {
    "signals": ("id", ("postcode", "house")),
    "reports": ("id", ("note",)),
    "outbox": ("id", ("payload",)),
    "conversation_states": ("key", ("data",)),
    "case_entries": ("id", ("text",)),
}
"""Each table with sealed columns: its primary key and those columns (the purpose is ``table.column``)."""

BATCH = 500


def reseal(connection: Connection, keys: Keyring, *, commit_batches: bool = False,
           tables: Iterable[str] = tuple(SEALED)) -> dict[str, int]:
    """Seal every value that is not sealed under the current key; returns how many rows per table. A migration
    names the tables that exist at its revision."""
    current = literal(keys.sealed_under_current() + "%")
    return _rewrite(connection, keys, lambda value: and_(value != "", ~value.like(current)), keys.seal,
                    keys.address_hash, commit_batches, tables)


def open_all(connection: Connection, keys: Keyring, tables: Iterable[str] = tuple(SEALED)) -> dict[str, int]:
    """Every sealed value back to plain text (going back to the schema from before sealing)."""
    return _rewrite(connection, keys, lambda value: value.like(literal(PREFIX + "%")), lambda plain, _purpose: plain,
                    lambda address: address, False, tables)


def _rewrite(connection: Connection, keys: Keyring, stale: Callable[[Any], Any], write: Callable[[str, str], str],
             address_key: Callable[[str], str], commit_batches: bool, tables: Iterable[str]) -> dict[str, int]:
    done = {}
    for name in tables:
        key_name, names = SEALED[name]
        extra = ("address_key",) if name == "signals" else ()
        rows = table(name, column(key_name), *(column(n) for n in names + extra))
        key = rows.c[key_name]
        writes = update(rows).where(key == bindparam("row_key")).values(
            {n: bindparam(f"new_{n}") for n in names + extra})
        done[name] = 0
        last = None
        while True:
            query = (select(key, *(rows.c[n] for n in names + extra)).where(or_(*(stale(rows.c[n]) for n in names)))
                     .order_by(key).limit(BATCH))
            if last is not None:
                query = query.where(key > last)
            batch = connection.execute(query).all()
            if not batch:
                break
            values = []
            for row in batch:
                opened = {n: None if value is None else keys.open(value, f"{name}.{n}")
                          for n, value in zip(names, row[1:], strict=False)}
                new = {"row_key": row[0]} | {f"new_{n}": None if plain is None else write(plain, f"{name}.{n}")
                                             for n, plain in opened.items()}
                if name == "signals":  # an anonymised signal keeps its placeholder
                    new["new_address_key"] = (address_key(f"{opened['postcode']} {opened['house']}")
                                              if opened["house"] else row[-1])
                values.append(new)
            connection.execute(writes, values)
            done[name] += len(batch)
            last = batch[-1][0]
            if commit_batches:
                connection.commit()
    return done


def keys_in_use(connection: Connection) -> set[str]:
    """The ids of the keys that sealed what is stored now (one pass over each sealed column)."""
    found: set[str] = set()
    for name, (_key_name, names) in SEALED.items():
        for n in names:
            value = column(n)
            found.update(connection.scalars(
                select(func.substr(value, len(PREFIX) + 1, 8)).select_from(table(name, value))
                .where(value.like(literal(PREFIX + "%"))).distinct()))
    return found
