"""The SLA sweep: its cost must follow the number of signals that are due, not the number open.

For each size, a fresh database gets ``--points`` signal points and N open signals (four in five
waiting, one in five claimed), of which ``--due`` have an alert due now, spread over the points.
One sweep is timed (median of ``--repeat``, the due rows are reset in between). The baseline in
the same run is what a sweep that looked at every open signal would at least cost: one count
over all open signals. ``growth`` is the sweep time at the largest size over the smallest.
``longest_transaction_ms`` is the longest of the sweep's transactions, from its BEGIN to its COMMIT: on
SQLite every transaction begins with ``BEGIN IMMEDIATE``, so that is how long the sweep holds the write
lock at a time (median over the repeats, like the total). ``sweep_cpu_ms`` is the CPU time of this process
during the sweep (the driver's thread and, on SQLite, the database included): on a busy machine it moves
less than the wall-clock time.

    python bench/sla_sweep.py [--open 100000,1000000] [--due 100] [--database-url URL]

With ``--database-url`` pointing at PostgreSQL, use a scratch database: its public schema is
dropped and made again for every size.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import delete, event, func, insert, select, text, update
from sqlalchemy.ext.asyncio import AsyncEngine

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.update_handling import fresh_engine
from omzien.core.i18n import load_i18n
from omzien.flows.signal import REFERENCE_ALPHABET
from omzien.services import sweep
from omzien.storage.db import session_factory
from omzien.storage.models import Account, OutboxMessage, Point, PointArea, Report, Signal

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)  # a Tuesday, 13:00 in Amsterdam
WORKER = 4242
CHUNK = 20_000


def reference(number: int) -> str:
    letters = []
    while True:
        number, digit = divmod(number, len(REFERENCE_ALPHABET))
        letters.append(REFERENCE_ALPHABET[digit])
        if not number:
            return "B-" + "".join(reversed(letters))


def signal_rows(count: int, due: set[int], points: int, rng: random.Random):  # type: ignore[no-untyped-def]
    for number in range(count):
        claimed = number % 5 == 0
        created = NOW - timedelta(hours=rng.randint(1, 200))
        later = NOW + timedelta(minutes=rng.randint(10, 60 * 24 * 20))
        area = 3000 + number % points
        yield {
            "reference": reference(number), "point_id": 1 + number % points,
            "status": "claimed" if claimed else "new", "postcode": f"{area}AB", "house": str(number),
            "area": area, "address_key": f"{area}AB{number}", "created_at": created,
            "claimed_by": WORKER if claimed else None, "claimed_at": created if claimed else None,
            "address_delivered": claimed, "waiting_since": created, "due_claim_at": later,
            "due_contact_at": later, "due_close_at": later + timedelta(days=10),
            "next_alert": ("contact_due" if claimed else "claim_due"),
            "next_alert_at": NOW - timedelta(minutes=1) if number in due else later,
        }


def report_row(signal: dict[str, Any]) -> dict[str, Any]:
    """Each signal has the one report it came from (ids follow the insertion order)."""
    return {"signal_id": int(signal["house"]) + 1, "reporter_id": WORKER, "observations": ["mailbox"],
            "consent": "unknown", "may_contact": False, "created_at": signal["created_at"]}


async def prepare(url: str, count: int, due_count: int, points: int):  # type: ignore[no-untyped-def]
    engine = await fresh_engine(url)
    sessions = session_factory(engine)
    rng = random.Random(count)
    due = set(rng.sample(range(count), due_count))
    async with sessions.begin() as session:
        session.add(Account(id=WORKER, first_name="Anna", started_at=NOW))
        for number in range(points):
            session.add(Point(id=number + 1, name=f"Signaalpunt {number + 1}", group_chat_id=-1000 - number,
                              coordinators=[WORKER], summary_at=NOW, areas=[PointArea(first=3000 + number,
                                                                                      last=3000 + number)]))
    rows = signal_rows(count, due, points, rng)
    while True:
        chunk = [row for _, row in zip(range(CHUNK), rows, strict=False)]
        if not chunk:
            break
        async with sessions.begin() as session:
            await session.execute(insert(Signal), chunk)
            await session.execute(insert(Report), [report_row(row) for row in chunk])
    async with engine.connect() as connection:  # what autovacuum does in a database that runs for a while
        if engine.dialect.name == "postgresql":
            await connection.execution_options(isolation_level="AUTOCOMMIT")
            await connection.execute(text("VACUUM ANALYZE"))
        else:
            await connection.execute(text("ANALYZE"))
            await connection.commit()
    return engine, sessions, due


async def reset(sessions, due: set[int]) -> None:  # type: ignore[no-untyped-def]
    """Put the due signals back as they were, and forget what the last sweep wrote."""
    async with sessions.begin() as session:
        ids = [number + 1 for number in due]  # ids follow the insertion order
        await session.execute(update(Signal).where(Signal.id.in_(ids)).values(
            next_alert_at=NOW - timedelta(minutes=1), last_alert=None))
        await session.execute(update(Signal).where(Signal.id.in_(ids), Signal.status == "new")
                              .values(next_alert="claim_due"))
        await session.execute(update(Signal).where(Signal.id.in_(ids), Signal.status == "claimed")
                              .values(next_alert="contact_due"))
        await session.execute(delete(OutboxMessage))
        await session.execute(update(Point).values(overview_outbox_id=None, overview_at=None,
                                                   overview_message_id=None))


class Transactions:
    """Times every transaction of an engine, from BEGIN to COMMIT or ROLLBACK, while ``on``."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.on = False
        self.durations: list[float] = []
        self.started: dict[int, float] = {}
        event.listen(engine.sync_engine, "begin", self._begin)
        event.listen(engine.sync_engine, "commit", self._end)
        event.listen(engine.sync_engine, "rollback", self._end)

    def _begin(self, connection: Any) -> None:
        self.started[id(connection)] = time.perf_counter()

    def _end(self, connection: Any) -> None:
        started = self.started.pop(id(connection), None)
        if self.on and started is not None:
            self.durations.append(time.perf_counter() - started)

    def measure(self) -> None:
        self.on, self.durations = True, []

    def longest(self) -> float:
        self.on = False
        return max(self.durations, default=0.0)


async def measure(url: str, count: int, due_count: int, points: int, repeat: int) -> dict[str, float | int]:
    started = time.perf_counter()
    engine, sessions, due = await prepare(url, count, due_count, points)
    prepared = time.perf_counter() - started
    i18n = load_i18n()
    transactions = Transactions(engine)
    sweeps, scans, longest, taken, cpus = [], [], [], [], []
    try:
        for _ in range(repeat):
            await reset(sessions, due)
            transactions.measure()
            started, cpu = time.perf_counter(), time.process_time()
            counts = await sweep.sweep(sessions, i18n, NOW)
            sweeps.append(time.perf_counter() - started)
            cpus.append(time.process_time() - cpu)
            taken.append(len(transactions.durations))
            longest.append(transactions.longest())
            assert counts.get("claim_due", 0) + counts.get("contact_due", 0) == due_count, counts
            started = time.perf_counter()
            async with sessions() as session:
                await session.scalar(select(func.count()).where(Signal.status.in_(("new", "claimed"))))
            scans.append(time.perf_counter() - started)
    finally:
        await engine.dispose()
    return {"open": count, "due": due_count, "sweep_ms": round(statistics.median(sweeps) * 1000, 1),
            "per_due_ms": round(statistics.median(sweeps) * 1000 / due_count, 2),
            "longest_transaction_ms": round(statistics.median(longest) * 1000, 1),
            "sweep_cpu_ms": round(statistics.median(cpus) * 1000, 1),
            "transactions": max(taken),
            "count_all_open_ms": round(statistics.median(scans) * 1000, 1), "prepare_s": round(prepared, 1),
            "messages_queued": counts.get("overviews", 0) + counts.get("to_coordinators", 0)
            + counts.get("to_claimers", 0)}


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--open", default="100000,1000000", help="sizes, comma-separated")
    parser.add_argument("--due", type=int, default=100)
    parser.add_argument("--points", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    sizes = [int(size) for size in args.open.split(",")]
    results = []
    with tempfile.TemporaryDirectory() as folder:
        for size in sizes:
            url = args.database_url or f"sqlite+aiosqlite:///{folder}/sweep-{size}.sqlite3"
            results.append(await measure(url, size, args.due, args.points, args.repeat))
    database = "postgresql" if args.database_url and args.database_url.startswith("postgresql") else "sqlite"
    print(json.dumps({"bench": "sla_sweep", "database": database, "points": args.points, "results": results,
                      "growth": {"open": round(sizes[-1] / sizes[0], 1),
                                 "sweep_ms": round(results[-1]["sweep_ms"] / results[0]["sweep_ms"], 2),
                                 "count_all_open_ms": round(results[-1]["count_all_open_ms"]
                                                            / results[0]["count_all_open_ms"], 2)}}, indent=2))


if __name__ == "__main__":
    asyncio.run(main())
