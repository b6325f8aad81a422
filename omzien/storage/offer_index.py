"""Offer indexes built in a process of their own: building one never holds up the bot.

A build reads the whole catalogue and computes for seconds (tens of seconds at 100,000 offers). In the bot's
process that work would take Python's lock from the event loop a few milliseconds at a time, and an answer,
which needs the loop dozens of times, would wait for it each time. So a child process, forked from a fork
server that has the matcher imported already, reads the catalogue with a database engine of its own, builds
the index and sends back only what a search needs: the index in parts (``omzien.flows.matching.parts``) and
the offers as their stored JSON text, compressed one by one, each read into an ``Offer`` only when it is asked
for (``StoredOffers``). The bot takes the parts in between its other work: none holds its event loop for
more than a few milliseconds, and a large block arrives a pipe's worth at a time. The child runs at a lower
priority, and ends when it has sent the index: its memory (about 2 GB at its peak for 100,000 offers) is only
held during a build.

A failed build (an error in the child, a child that died) raises ``BuildFailed``, which names what happened
but never quotes the catalogue. A cancelled build (the bot stops) kills its child.
"""

from __future__ import annotations

import asyncio
import gc
import json
import multiprocessing
import os
import pickle
import resource
import time
import zlib
from collections.abc import Iterator, Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, overload

import numpy
from sqlalchemy import String, cast, select
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from omzien.core.logs import error_summary
from omzien.flows.matching.index import Index
from omzien.flows.matching.parts import PIECE, Assembly, long_lists, parts
from omzien.flows.offers import Offer
from omzien.storage import catalogue
from omzien.storage.models import OfferRecord

CHUNK = 1 << 18
"""Bytes taken from the pipe at a time."""
NICER = 10
"""How much lower the builder's priority is than the bot's: on a busy machine, answers come first."""
SAMPLES = 40
"""Offers whose texts make the dictionary the offers are compressed with, one by one (zlib at level 1, with a
preset dictionary): a third of the memory (for 100,000 offers, 52 MB instead of 175), and 20 µs to read one."""

_PROCESSES = multiprocessing.get_context("forkserver")


class BuildFailed(Exception):
    """The builder process failed; the text is what happened and where, never an error's message."""


@dataclass(frozen=True)
class Built:
    version: tuple[Any, ...]  # (number of rows, the newest change) of the catalogue that was read
    index: Index
    offers: StoredOffers
    has_local: bool  # whether any offer is local
    peak_mb: float  # the most memory the builder process held


async def build(url: str) -> Built:
    """A new index of the catalogue in the database at ``url``, built in a child process."""
    _PROCESSES.set_forkserver_preload([__name__])
    receiving, sending = _PROCESSES.Pipe(duplex=False)
    child = _PROCESSES.Process(target=_build, args=(_for_the_builder(url), sending), name="omzien-offer-index",
                               daemon=True)
    try:
        await asyncio.to_thread(child.start)  # the very first start waits while the fork server imports
    finally:
        sending.close()
    stream = asyncio.StreamReader(limit=CHUNK)
    transport, _ = await asyncio.get_running_loop().connect_read_pipe(
        lambda: asyncio.StreamReaderProtocol(stream), receiving)
    try:
        return await _receive(stream)
    except asyncio.IncompleteReadError:
        await asyncio.to_thread(child.join, 5)
        raise BuildFailed(f"the builder process stopped before it was done (exit code {child.exitcode})") from None
    finally:
        transport.close()
        if child.is_alive():
            child.kill()


async def let_go(index: Index) -> None:
    """Frees an index's long lists a part at a time: at once, 100,000 offers' worth holds the loop too long."""
    for values in long_lists(index):
        while values:
            del values[-PIECE:]
            await asyncio.sleep(0)


class StoredOffers(Mapping[str, Offer]):
    """The catalogue's offers and methods by id, kept as their stored JSON text, compressed; each is turned into
    an ``Offer`` only when it is asked for (``at``: by its number in the order they were read)."""

    def __init__(self, packed: numpy.ndarray, ends: numpy.ndarray, dictionary: bytes, ids: numpy.ndarray,
                 order: numpy.ndarray, methods: frozenset[str]) -> None:
        self.packed, self.ends = packed, ends  # the compressed texts one after another, and where each ends
        self.unpacking = zlib.decompressobj(zdict=dictionary)  # copied for each text
        self.ids, self.order = ids, order  # the ids sorted (as UTF-8), and the number of each
        self.methods = methods

    def at(self, number: int) -> Offer:
        text = self.unpacking.copy().decompress(self.packed[self.ends[number - 1] if number else 0:self.ends[number]])
        [offer], errors = catalogue.from_columns([json.loads(text)], self.methods)
        assert not errors, errors
        return offer

    def number(self, offer_id: str) -> int | None:
        key = offer_id.encode()
        place = int(numpy.searchsorted(self.ids, key)) if len(key) <= self.ids.itemsize else len(self.ids)
        return int(self.order[place]) if place < len(self.ids) and self.ids[place] == key else None

    def __getitem__(self, offer_id: str) -> Offer:
        if (number := self.number(offer_id)) is None:
            raise KeyError(offer_id)
        return self.at(number)

    def __contains__(self, offer_id: object) -> bool:
        return isinstance(offer_id, str) and self.number(offer_id) is not None

    def __iter__(self) -> Iterator[str]:
        return (offer_id.decode() for offer_id in self.ids.tolist())

    def __len__(self) -> int:
        return len(self.ids)


class Listed(Sequence[Offer]):
    """Some of the stored offers, by their numbers: an index's offers."""

    def __init__(self, stored: StoredOffers, numbers: numpy.ndarray) -> None:
        self.stored, self.numbers = stored, numbers

    def __len__(self) -> int:
        return len(self.numbers)

    @overload
    def __getitem__(self, number: int) -> Offer: ...
    @overload
    def __getitem__(self, number: slice) -> list[Offer]: ...

    def __getitem__(self, number: int | slice) -> Offer | list[Offer]:
        if isinstance(number, slice):
            return [self[n] for n in range(*number.indices(len(self)))]
        return self.stored.at(int(self.numbers[number]))


def _for_the_builder(url: str) -> str:
    """The URL the builder reads with. On SQLite: a file's path made absolute (the child need not share the bot's
    working folder), and SQLAlchemy's own driver for SQLite under asyncio, whichever the bot's engine uses."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        parsed = parsed.set(drivername="sqlite+aiosqlite")
        if parsed.database and parsed.database != ":memory:":
            parsed = parsed.set(database=str(Path(parsed.database).resolve()))
    return parsed.render_as_string(hide_password=False)


# In the bot: what the child sends.

async def _receive(stream: asyncio.StreamReader) -> Built:
    """The parts as they come; after each, the loop is left to other work for as long as the part took (taking
    in an index of 100,000 offers takes a second or two of the loop's time, which answers should not feel)."""
    assembly, offers = Assembly(), None
    while True:
        (kind, value), took = await _message(stream)
        if kind == "part":
            assembly.add(*value)
        elif kind == "offers":
            *stored, listed = value
            offers = StoredOffers(*stored)
            assembly.add("offers", Listed(offers, listed))
        elif kind == "failed":
            raise BuildFailed(value)
        else:
            assert offers is not None
            return Built(index=assembly.index(), offers=offers, **value)
        await asyncio.sleep(took)


async def _message(stream: asyncio.StreamReader) -> tuple[tuple[str, Any], float]:
    """One message of ``_send`` (its pickle, then its out-of-band buffers, taken as they are, without a copy),
    and the seconds it took to unpickle."""
    data = await _frame(stream)
    buffers = [await _frame(stream) for _ in range(int.from_bytes(data[:2].tobytes(), "little"))]
    started = time.perf_counter()
    return _unpickled(memoryview(data)[2:], buffers), time.perf_counter() - started


def _unpickled(data: memoryview, buffers: list[numpy.ndarray]) -> tuple[str, Any]:
    """A message's value. Its many new objects could start a full garbage collection, which looks through all
    of the bot's objects (a quarter of a second or more): instead they are frozen at once (``gc.freeze``), as
    what they make up lives until the next build. They are still freed when nothing refers to them any more."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        return pickle.loads(data, buffers=buffers)
    finally:
        gc.freeze()
        if collecting:
            gc.enable()


async def _frame(stream: asyncio.StreamReader) -> numpy.ndarray:
    """One frame as ``Connection.send_bytes`` writes it: its length, then its bytes."""
    size = int.from_bytes(await stream.readexactly(4), "big", signed=True)
    if size == -1:
        size = int.from_bytes(await stream.readexactly(8), "big")
    frame = numpy.empty(size, dtype=numpy.uint8)  # not bytearray(size), which first writes zeros to all of it
    with memoryview(frame) as view:
        got = 0
        while got < size:
            if not (chunk := await stream.read(min(size - got, CHUNK))):
                raise asyncio.IncompleteReadError(b"", size)
            view[got:got + len(chunk)] = chunk
            got += len(chunk)
    return frame


# In the child.

def _build(url: str, out: Connection) -> None:
    """Read the catalogue, build its index and send it. An error is sent as its kind and place only."""
    os.nice(NICER)
    gc.disable()  # what is made lives until the end: looking for garbage would be in vain
    try:
        version, texts = asyncio.run(_read(url))
        for kind, value in _built(version, texts):
            _send(out, kind, value)
    except Exception as error:
        with suppress(OSError):  # the bot no longer listens
            _send(out, "failed", error_summary(error))
    finally:
        out.close()


async def _read(url: str) -> tuple[tuple[int, Any], list[str]]:
    """The stored columns as JSON text (parsed here, not in the bot), and the version of what was read: one
    statement, so one snapshot."""
    engine = create_async_engine(url, hide_parameters=True)
    try:
        async with engine.connect() as connection:
            rows = (await connection.execute(select(OfferRecord.updated_at, cast(OfferRecord.columns, String))
                                             .order_by(OfferRecord.id))).all()
    finally:
        await engine.dispose()
    return (len(rows), max((changed for changed, _ in rows), default=None)), [text for _, text in rows]


def _built(version: tuple[int, Any], texts: list[str]) -> Iterator[tuple[str, Any]]:
    offers, errors = catalogue.from_columns(json.loads(text) for text in texts)
    if errors:
        raise ValueError(f"{len(errors)} stored rows are not valid offers")
    index = Index(offers)
    yield from (("part", part) for part in parts(index))
    encoded = [text.encode() for text in texts]
    dictionary = b"".join(encoded[::max(1, len(encoded) // SAMPLES)])[-32768:]  # zlib looks back 32 KB at most
    packing = zlib.compressobj(1, zdict=dictionary)
    packed = [_packed(packing.copy(), text) for text in encoded]
    ids = numpy.array([offer.id.encode() for offer in offers], dtype=bytes)
    order = numpy.argsort(ids, kind="stable")
    number = {id(offer): n for n, offer in enumerate(offers)}
    yield "offers", (numpy.frombuffer(b"".join(packed), dtype=numpy.uint8),
                     numpy.cumsum([len(text) for text in packed], dtype=numpy.int64), dictionary, ids[order], order,
                     frozenset(offer.id for offer in offers if offer.record_type == "method"),
                     numpy.array([number[id(offer)] for offer in index.offers], dtype=numpy.int64))
    yield "done", {"version": version, "has_local": any(offer.local for offer in offers),
                   "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}


def _packed(packing: Any, text: bytes) -> bytes:
    return packing.compress(text) + packing.flush()


def _send(out: Connection, kind: str, value: object) -> None:
    buffers: list[pickle.PickleBuffer] = []
    data = pickle.dumps((kind, value), protocol=5, buffer_callback=buffers.append)
    out.send_bytes(len(buffers).to_bytes(2, "little") + data)
    for buffer in buffers:
        out.send_bytes(buffer.raw())
