"""How fast offer search is in a large catalogue: the goal at 100,000 offers is a build ≤ 15 s, p95 ≤ 5 ms per
query and an index of ≤ 200 MB.

Synthetic catalogues recombine the shipped offers: their sentences, keywords, kinds, forms and target
groups, with generated place names, areas all over the country (1 in 100 national, some named
municipalities, the rest postcode ranges), age limits and costs. The queries mix the labelled questions
with generated ones (1 to 5 catalogue words, some misspelt, with or without postcode, age, chips, "free only"
and "going out"), all different, so that no answer comes from the cache.

For each size: index build time, the memory the index holds (tracemalloc, in a second build), and p50/p95/max
query time (one search for the first 3 results plus the count, as the chat does); build and query times also
as processor time of this process (``cpu_``), which other programs on a busy machine do not add to.
``growth`` is p95 at the largest size over p95 at the smallest. The baseline in the same run, for sizes up to
10,000, is a linear scan: every offer is filtered and scored with the same scoring terms, without the inverted
index; it must give the same results, and ``speedup_p95`` (``speedup_cpu_p95``) is its p95 over the index's.

``in_the_bot`` builds the largest catalogue as the bot does: stored in a scratch SQLite file, read and indexed
by the builder process (``omzien.storage.offer_index``) and taken in by the event loop. It gives the time until
the index is in use, the most that a step of taking it in held the loop (``loop_held_*``: processor time of the
loop's thread per tick of a 1 ms ticker), the memory the bot holds for it (``bot_mb``, tracemalloc, in a second
build), the builder's peak (``builder_peak_mb``: its resident size, pages shared with the fork server included;
it ends with the build) and the query times, with each offer shown read from its stored text.

    python bench/offer_search.py [--sizes 1000,10000,100000] [--queries 300] [--seed 7] [--no-bot]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import re
import statistics
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import insert

from omzien.flows import matching
from omzien.flows.matching import GoingOut, Query, understand
from omzien.flows.matching.index import Index
from omzien.flows.matching.scoring import Context as _Context
from omzien.flows.offers import Area, Cost, Group, Need, Offer, Text
from omzien.storage import offer_index
from omzien.storage.catalogue import offer_columns, shipped
from omzien.storage.db import create_engine, upgrade
from omzien.storage.models import OfferRecord
from omzien.storage.sealing import Keyring

SCANNED = 10_000  # the linear scan runs for catalogues up to this size
QUESTIONS = Path(__file__).resolve().parent.parent / "tests" / "data" / "offer_questions.json"
SYLLABLES = ("ber", "den", "dorp", "ga", "ho", "kamp", "la", "lo", "meer", "mo", "ne", "os", "re", "sen", "ter",
             "veld", "vliet", "wijk", "zand", "zee")


def sentences(texts: Sequence[str]) -> list[str]:
    return sorted({s.strip() for text in texts for s in re.split(r"(?<=[.?!])\s+", text) if len(s.strip()) > 10})


class Catalogue:
    """A generator of synthetic catalogues made from the words and shapes of the shipped one."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        everything = shipped(demo=True)
        self.methods = [o for o in everything if o.record_type == "method"]
        self.templates = [o for o in everything if o.record_type == "offer" and o.audience == "inwoners"]
        self.kern = sentences([o.kern.nl for o in self.templates]), sentences([o.kern.en for o in self.templates])
        self.description = (sentences([o.description.nl for o in self.templates]),
                            sentences([o.description.en for o in self.templates]))
        self.keywords = sorted({k for o in self.templates for k in o.keywords})
        self.municipalities = {self.place(): self.area_ranges() for _ in range(400)}

    def place(self) -> str:
        return "".join(self.rng.choice(SYLLABLES) for _ in range(self.rng.randint(2, 3))).capitalize()

    def area_ranges(self) -> tuple[tuple[int, int], ...]:
        start = self.rng.randint(1000, 9970)
        ranges = [(start, start + self.rng.randint(0, 20))]
        if self.rng.random() < 0.2:
            other = self.rng.randint(1000, 9990)
            ranges.append((other, other + self.rng.randint(0, 9)))
        return tuple(ranges)

    def area(self) -> Area:
        roll = self.rng.random()
        if roll < 0.01:
            return Area(national=True)
        if roll < 0.15:
            return Area(municipality=self.rng.choice(list(self.municipalities)))
        return Area(ranges=self.area_ranges())

    def offer(self, number: int) -> Offer:
        rng, template = self.rng, self.rng.choice(self.templates)
        keywords = tuple(rng.sample(self.keywords, rng.randint(5, 12)))
        place = self.place()
        return replace(
            template, id=f"syn-{number}",
            name=Text(f"{keywords[0].capitalize()} {place}", f"{keywords[0].capitalize()} {place}"),
            kern=Text(*(" ".join(rng.sample(pool, 2)) for pool in self.kern)),
            description=Text(*(" ".join(rng.sample(pool, rng.randint(3, 5))) for pool in self.description)),
            keywords=keywords, area=self.area(),
            cost=rng.choice([*Cost, None]),
            min_age=rng.choice([None] * 7 + [16, 18, 50, 55, 65, 75]),
            max_age=rng.choice([None] * 19 + [27]),
            evidence=rng.choice([""] * 9 + ["Movisie databank: goed beschreven"]),
        )

    def offers(self, size: int) -> list[Offer]:
        return [*self.methods, *(self.offer(n) for n in range(size))]

    def queries(self, count: int) -> list[Query]:
        """The labelled questions and generated ones, all different."""
        rng = self.rng
        labelled = [q["question"] for q in json.loads(QUESTIONS.read_text(encoding="utf-8"))]
        vocabulary = sorted({w for k in self.keywords for w in understand(k).words})
        found: dict[Query, None] = {}
        while len(found) < count:
            if rng.random() < 0.3:
                text = rng.choice(labelled)
            else:
                text = " ".join(misspelt(w, rng) if rng.random() < 0.1 else w
                                for w in rng.sample(vocabulary, rng.randint(1, 5)))
            query = Query(
                text=text, needs=frozenset(rng.sample(list(Need), rng.choice([0, 0, 0, 1, 2]))),
                age=rng.choice([None, None, 20, 45, 70, 85]),
                postcode_area=rng.randint(1000, 9999) if rng.random() < 0.8 else None,
                going_out=rng.choice([None] * 5 + list(GoingOut)), free_only=rng.random() < 0.15)
            found[query] = None
        return list(found)


def misspelt(word: str, rng: random.Random) -> str:
    if len(word) < 5:
        return word
    i = rng.randrange(1, len(word) - 2)
    return word[:i] + word[i + 1] + word[i] + word[i + 2:]


def timings(search: Callable[[Query], object], queries: Sequence[Query]) -> dict[str, float]:
    """Wall-clock times, and the processor time of this process (what other programs on a busy machine
    do not add to)."""
    times, cpu = [], []
    for query in queries:
        start, start_cpu = time.perf_counter(), time.process_time()
        search(query)
        times.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    times.sort()
    cpu.sort()
    return {"p50_ms": round(statistics.median(times), 2), "p95_ms": round(times[int(0.95 * (len(times) - 1))], 2),
            "max_ms": round(times[-1], 2), "cpu_p50_ms": round(statistics.median(cpu), 2),
            "cpu_p95_ms": round(cpu[int(0.95 * (len(cpu) - 1))], 2)}


def with_index(index: Index) -> Callable[[Query], tuple]:
    def search(query: Query) -> tuple:
        return [m.offer.id for m in index.search(query)], index.count(query)
    return search


def linear_scan(index: Index) -> Callable[[Query], tuple]:
    """The same scoring without the inverted index: every offer is filtered and scored, one by one.

    Uses the index's own scoring terms (private), so that only the way candidates are found differs.
    """
    forward: list[dict[object, float]] = [{} for _ in index._offer_at]
    for term, number in index._term_id.items():
        start, end = index._starts[number], index._starts[number + 1]
        for position, weight in zip(index._positions[start:end].tolist(), index._weights[start:end].tolist(),
                                    strict=True):
            forward[position][term] = weight
    first = {}
    for position, number in enumerate(index._offer_at):
        first.setdefault(number, position)

    def search(query: Query) -> tuple:
        understood = understand(query.text)
        age = query.age if query.age is not None else understood.age
        forms = [index._forms(word, understood.language) for word in understood.words]
        groups = set(understood.groups) | ({Group.CARERS} if Need.CARER in query.needs else set())
        if age is not None and age >= 65:
            groups.add(Group.OLDER)
        passes = index._filters(query, age)
        scored = []
        for number, ranges in enumerate(index._ranges):
            position, traits, fits = first[number], index._traits[number], index._profiles[index._profile[number]][1]
            if ranges is not None and not any(a <= (query.postcode_area or 0) <= b for a, b in ranges):
                continue
            if not passes(traits):
                continue
            by_word = []
            for word, word_forms in forms:
                best = max((forward[position].get(t, 0.0) * w * index._idf[t] for t, w in word_forms.items()),
                           default=0.0)
                if best:
                    by_word.append((word, {position: best}))
            chosen = any(need in fits for need in query.needs)
            if by_word or chosen or (not understood.words and not query.needs):
                terms = index._terms(number, position, _Context(query, understood, by_word, frozenset(groups)))
                scored.append((-sum(t[2] for t in terms), number))
        scored.sort()
        best = -scored[0][0] if scored else 0.0
        kept = [index.offers[n].id for minus, n in scored if -minus > 0 and -minus >= matching.RELATIVE_CUT * best]
        return kept[:3], len(kept)
    return search


def measure(catalogue: Catalogue, size: int, queries: Sequence[Query], baseline: bool) -> dict:
    offers = catalogue.offers(size)
    start, start_cpu = time.perf_counter(), time.process_time()
    index = Index(offers, catalogue.municipalities)
    built, built_cpu = time.perf_counter() - start, time.process_time() - start_cpu
    result = {"offers": size, "build_s": round(built, 2), "build_cpu_s": round(built_cpu, 2),
              **timings(with_index(index), queries)}
    if baseline:
        scan = linear_scan(index)
        same = sum(with_index(index)(q) == scan(q) for q in queries)
        result["linear_scan"] = {**timings(scan, queries), "same_results": f"{same}/{len(queries)}"}
        result["speedup_p95"] = round(result["linear_scan"]["p95_ms"] / max(result["p95_ms"], 1e-3), 1)
        result["speedup_cpu_p95"] = round(result["linear_scan"]["cpu_p95_ms"] / max(result["cpu_p95_ms"], 1e-3), 1)
    del index
    tracemalloc.start()
    kept = Index(offers, catalogue.municipalities)
    result["index_mb"] = round(tracemalloc.get_traced_memory()[0] / 2**20, 1)
    tracemalloc.stop()
    del kept
    return result


def in_the_bot(catalogue: Catalogue, size: int, queries: Sequence[Query]) -> dict:
    """The catalogue as it can be stored: a generated municipality as its postcode ranges (the stored catalogue
    knows only real ones), and no upper age limit below the lower one."""
    offers = [replace(o, area=Area(ranges=catalogue.municipalities[o.area.municipality]) if o.area.municipality
                      else o.area, max_age=o.max_age if (o.min_age or 0) <= (o.max_age or 200) else None)
              for o in catalogue.offers(size)]
    with tempfile.TemporaryDirectory() as folder:
        return asyncio.run(_in_the_bot(f"sqlite+aiosqlite:///{folder}/offers.sqlite3", offers, queries))


async def _in_the_bot(url: str, offers: list[Offer], queries: Sequence[Query]) -> dict:
    engine = create_engine(url, Keyring.generate())
    await upgrade(engine)
    now = datetime.now(UTC)
    async with engine.begin() as connection:
        for start in range(0, len(offers), 10_000):
            await connection.execute(insert(OfferRecord), [
                {"id": o.id, "record_type": o.record_type, "columns": offer_columns(o), "origin": "import",
                 "updated_at": now} for o in offers[start:start + 10_000]])
    await engine.dispose()
    held: list[float] = []
    done = False

    async def ticker() -> None:
        while not done:
            started = time.thread_time()
            await asyncio.sleep(0.001)
            held.append((time.thread_time() - started) * 1000)

    ticking = asyncio.create_task(ticker())
    start = time.perf_counter()
    built = await offer_index.build(url)
    result = {"offers": len(offers), "build_s": round(time.perf_counter() - start, 2),
              "builder_peak_mb": built.peak_mb}
    done = True
    await ticking
    held.sort()
    result.update(loop_held_p95_ms=round(held[int(0.95 * (len(held) - 1))], 1), loop_held_max_ms=round(held[-1], 1),
                  **timings(with_index(built.index), queries))
    del built
    tracemalloc.start()
    kept = await offer_index.build(url)
    result["bot_mb"] = round(tracemalloc.get_traced_memory()[0] / 2**20, 1)
    tracemalloc.stop()
    del kept
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--no-bot", action="store_true", help="leave out the build in the bot's way")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    catalogue = Catalogue(args.seed)
    queries = catalogue.queries(args.queries)
    results = [measure(catalogue, size, queries, baseline=size <= SCANNED) for size in sizes]
    bot = {} if args.no_bot else {"in_the_bot": in_the_bot(catalogue, sizes[-1], queries)}
    print(json.dumps({"queries": len(queries), "sizes": results,
                      "growth_p95": round(results[-1]["p95_ms"] / max(results[0]["p95_ms"], 1e-3), 1), **bot},
                     indent=2))


if __name__ == "__main__":
    main()
