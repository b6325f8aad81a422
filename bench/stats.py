"""The figures on a large database: every report of ``omzien stats`` must take at most 2 seconds.

A fresh database gets ``--points`` signal points and ``--signals`` signals over two years (one in twenty from a
postcode no point covers), each with its report (a tenth with a second one), its "reported" event and, for the
nine in ten that were picked up, "claimed", "contacted" and "closed" events; and a fifth as many residents'
searches. Then each figure is timed (median of ``--repeat``), for all points and for one, over the last 12
months. The baseline in the same run is ``SELECT count(*) FROM signals``: a report's ``ratio`` is its time over
that count's.

    python bench/stats.py [--signals 1000000] [--points 50] [--database-url URL] [--reuse]

``--reuse`` times the database at ``--database-url`` as it is (built by an earlier run), after bringing it up
to this version's schema.

With ``--database-url`` pointing at PostgreSQL, use a scratch database: its public schema is dropped and made
again (e.g. ``createdb -h 127.0.0.1 -U postgres stats_bench``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, insert, select, text

from omzien.flows.figures import buckets
from omzien.flows.offers import Need
from omzien.flows.sla import WorkingTime
from omzien.services.figures import gather
from omzien.storage import figures, sla
from omzien.storage.db import create_engine, session_factory, upgrade
from omzien.storage.figures import Scope
from omzien.storage.models import Account, Event, OfferSearch, Point, PointArea, Report, Signal
from omzien.storage.sealing import Keyring

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
SINCE = datetime(2025, 11, 1, tzinfo=UTC)
CHUNK = 20_000
OUTCOMES = ("contact", "referred", "declined", "unreached", "known", "duplicate")
SIGNS = ("mailbox", "curtains", "neglect", "lonely", "bereaved", "inside", "selfcare", "other")
AGES = ("u18", "18", "50", "65", "75", None)



BENCH_KEYS = Keyring([b"omzien-bench-key, not a secret!!"])  # the same on --reuse

def signal_rows(count: int, points: int, rng: random.Random) -> Iterator[dict[str, Any]]:
    for number in range(count):
        created = NOW - timedelta(minutes=rng.randint(60, 60 * 24 * 730))
        unrouted = number % 20 == 0
        area = 3000 + number % points if not unrouted else 9000 + number % 50
        picked = not unrouted and number % 10 != 0
        closed = picked and created < NOW - timedelta(days=10)
        yield {
            "reference": f"B-{number:07d}", "point_id": None if unrouted else 1 + number % points,
            "status": "closed" if closed else "claimed" if picked else "unrouted" if unrouted else "new",
            "postcode": f"{area}AB", "house": str(number), "area": area, "address_key": f"{area}AB{number}",
            "created_at": created, "urgent": number % 97 == 0, "waiting_since": created,
            "due_claim_at": created + timedelta(hours=24), "due_contact_at": created + timedelta(days=4),
            "due_close_at": created + timedelta(days=14),
            "claimed_at": created + timedelta(hours=rng.randint(1, 40)) if picked else None,
            "contacted_at": created + timedelta(hours=rng.randint(20, 120)) if picked else None,
            "closed_at": created + timedelta(days=rng.randint(2, 20)) if closed else None,
            "outcome": OUTCOMES[number % len(OUTCOMES)] if closed else None,
            "address_delivered": picked}


def report_rows(signal: dict[str, Any], signal_id: int, rng: random.Random) -> list[dict[str, Any]]:
    copies = 2 if signal_id % 10 == 0 else 1
    return [{"signal_id": signal_id, "reporter_id": 1 + signal_id % 500, "consent": "yes", "may_contact": True,
             "observations": rng.sample(SIGNS, 2) + (["callback"] if signal_id % 50 == 0 else []),
             "created_at": signal["created_at"]} for _ in range(copies)]


WORKING = WorkingTime()  # the bench's points keep the default working hours


def as_the_service_layer_writes(signal: dict[str, Any], reports: list[dict[str, Any]]) -> None:
    """The columns the service layer keeps as it goes: reports counted, working hours to claim and contact."""
    signal["report_count"] = len(reports)
    signal["callback_reports"] = sum("callback" in report["observations"] for report in reports)
    if signal["point_id"] is not None:
        contact = min((t for t in (signal["contacted_at"], signal["closed_at"]) if t is not None), default=None)
        for column, end in (("claim_hours", signal["claimed_at"]), ("contact_hours", contact)):
            signal[column] = None if end is None else WORKING.between(signal["created_at"], end).total_seconds() / 3600


def event_rows(signal: dict[str, Any], signal_id: int) -> list[dict[str, Any]]:
    rows = [{"signal_id": signal_id, "at": signal["created_at"], "kind": "reported"}]
    for kind, column in (("claimed", "claimed_at"), ("contacted", "contacted_at"), ("closed", "closed_at")):
        if signal[column] is not None:
            rows.append({"signal_id": signal_id, "at": signal[column], "kind": kind, "actor_id": 4242})
    return rows


def search_rows(count: int, points: int, rng: random.Random) -> Iterator[dict[str, Any]]:
    needs = [str(n) for n in Need]
    for number in range(count):
        local = rng.choice((0, 0, 1, 3))
        yield {"at": (NOW - timedelta(hours=rng.randint(1, 24 * 730))).replace(minute=0, second=0, microsecond=0),
               "needs": sorted(rng.sample(needs, 1 + number % 2)), "area": 3000 + number % points,
               "age_group": AGES[number % len(AGES)], "results": local + 2, "local_results": local, "opened": []}


async def build(url: str, count: int, points: int) -> Any:
    engine = create_engine(url, BENCH_KEYS)
    if engine.dialect.name == "postgresql":
        async with engine.begin() as connection:
            await connection.execute(text("DROP SCHEMA public CASCADE"))
            await connection.execute(text("CREATE SCHEMA public"))
    await upgrade(engine)
    sessions = session_factory(engine)
    rng = random.Random(count)
    async with sessions.begin() as session:
        session.add_all([Account(id=n, first_name="Melder", role=("deliverer", "neighbour", "pharmacy")[n % 3])
                         for n in range(1, 501)])
        session.add_all([Point(id=n + 1, name=f"Signaalpunt {n + 1}", group_chat_id=-1000 - n, coordinators=[4242],
                               goal_claim=0.9, goal_contact=0.8, areas=[PointArea(first=3000 + n, last=3000 + n)])
                         for n in range(points)])
    rows, signal_id = signal_rows(count, points, rng), 0
    while chunk := [row for _, row in zip(range(CHUNK), rows, strict=False)]:
        async with sessions.begin() as session:
            reports, events = [], []
            for row in chunk:
                signal_id += 1  # ids follow the insertion order
                its_reports = report_rows(row, signal_id, rng)
                reports += its_reports
                events += event_rows(row, signal_id)
                as_the_service_layer_writes(row, its_reports)
            await session.execute(insert(Signal), chunk)
            await session.execute(insert(Report), reports)
            await session.execute(insert(Event), events)
    searches = search_rows(count // 5, points, rng)
    while chunk := [row for _, row in zip(range(CHUNK), searches, strict=False)]:
        async with sessions.begin() as session:
            await session.execute(insert(OfferSearch), chunk)
    async with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            await connection.execution_options(isolation_level="AUTOCOMMIT")
            await connection.execute(text("VACUUM ANALYZE"))
        else:
            await connection.execute(text("ANALYZE"))
            await connection.commit()
    return engine, sessions


def jobs(scope: Scope) -> dict[str, Callable[[Any], Awaitable[Any]]]:
    """Each figure of ``omzien stats`` on its own, and all of them together (what the command does)."""
    months = buckets(SINCE, NOW, "month", "Europe/Amsterdam")
    weeks = buckets(SINCE, NOW, "week", "Europe/Amsterdam")
    return {
        **{f"signals_by_{by}": (lambda s, by=by: figures.signals_by(s, scope, by, weeks if by == "week" else months))
           for by in ("month", "week", "area", "outcome", "urgent")},
        "reports_by_role": lambda s: figures.reports_by_role(s, scope),
        "reports_by_sign": lambda s: figures.reports_by_sign(s, scope),
        "events_by_kind": lambda s: figures.events_by_kind(s, scope),
        "standing_by_month": lambda s: figures.standing_by_bucket(s, scope, months),
        "deadlines_by_month": lambda s: figures.deadlines_by_bucket(s, scope, months, NOW),
        "searches_by_need": lambda s: figures.searches_by(s, scope, "need"),
        "searches_by_area": lambda s: figures.searches_by(s, scope, "area"),
        "gaps": lambda s: figures.gaps(s, scope),
        "service_levels": lambda s: service_levels(s, scope),
        "omzien_stats_whole": lambda s: gather(s, scope.point, SINCE, NOW, "month", NOW),
    }


async def service_levels(session: Any, scope: Scope) -> Any:
    """Time to claim and to contact with median, 90th percentile and share within (``omzien sla report``)."""
    chosen = [scope.point] if scope.point is not None else (await session.scalars(select(Point))).all()
    return await sla.reports(session, chosen, SINCE, NOW)


CPU: dict[str, float] = {}
"""The process's CPU time per report (SQLite works in this process): on a busy machine the wall clock also
counts waiting for a core; this does not."""


async def timed(sessions: Any, work: Callable[[Any], Awaitable[Any]], repeat: int, name: str = "") -> float:
    times, cpu = [], []
    for _ in range(repeat):
        async with sessions() as session:
            started, started_cpu = time.perf_counter(), time.process_time()
            await work(session)
            times.append(time.perf_counter() - started)
            cpu.append(time.process_time() - started_cpu)
    CPU[name] = statistics.median(cpu) * 1000
    return statistics.median(times) * 1000


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--signals", type=int, default=1_000_000)
    parser.add_argument("--points", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--database-url")
    parser.add_argument("--reuse", action="store_true", help="time on the database at --database-url as it is")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite+aiosqlite:///{folder}/stats.sqlite3"
        started = time.perf_counter()
        if args.reuse:  # brought up to this version's schema first (a migration may work out new columns)
            engine = create_engine(url, BENCH_KEYS)
            await upgrade(engine)
            sessions = session_factory(engine)
        else:
            engine, sessions = await build(url, args.signals, args.points)
        built = time.perf_counter() - started
        try:
            async with sessions() as session:
                one = await session.get_one(Point, 1)
            base = await timed(sessions, lambda s: s.scalar(select(func.count()).select_from(Signal)), args.repeat)
            results: dict[str, float] = {}
            for label, point in (("all", None), ("point", one)):
                work = jobs(Scope(SINCE, NOW, point))
                for name, job in work.items():
                    once = name == "omzien_stats_whole"  # slow by nature: timed once
                    results[f"{label}:{name}"] = await timed(sessions, job, 1 if once else args.repeat,
                                                              f"{label}:{name}")
        finally:
            await engine.dispose()
    database = "postgresql" if args.database_url and args.database_url.startswith("postgresql") else "sqlite"
    print(json.dumps({
        "bench": "stats", "database": database, "signals": args.signals, "points": args.points,
        "period": f"{SINCE.date()} to {NOW.date()}", "build_s": round(built, 1), "count_signals_ms": round(base, 1),
        "reports_ms": {name: round(ms, 1) for name, ms in results.items()},
        "ratio_to_count": {name: round(ms / base, 1) for name, ms in results.items()},
        "reports_cpu_ms": {name: round(CPU[name], 1) for name in results},
        "load_average": [round(x, 1) for x in os.getloadavg()],
        "slowest_ms": round(max(results.values()), 1), "all_within_2s": max(results.values()) <= 2000}, indent=2))


if __name__ == "__main__":
    asyncio.run(main())
