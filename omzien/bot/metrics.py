"""What the running bot counts for Prometheus (``GET /metrics``, served by ``omzien.bot.web``).

Only counts and durations, labelled with an update type or a point id: never a text, an address, a
name or a chat. What lives in the database (the outbox, open and late signals) is counted when
Prometheus asks, with two aggregate queries, not on every update.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

from aiogram import BaseMiddleware, Bot
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.exceptions import TelegramAPIError, TelegramNetworkError, TelegramRetryAfter, TelegramServerError
from aiogram.methods import TelegramMethod
from aiogram.types import TelegramObject, Update
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from omzien.core.logs import error_summary
from omzien.storage.db import background
from omzien.storage.gauges import OutboxDepth, outbox_depth, signals_by_point
from omzien.storage.models import utcnow

log = logging.getLogger(__name__)

SECONDS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


class Metrics:
    """The counters of one running bot, in a registry of its own (two bots in one test process stay apart)."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], clock: Callable[[], datetime] = utcnow) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.handled = Counter("omzien_updates_handled", "Updates handled, by update type", ["type"], registry=r)
        self.failed = Counter("omzien_updates_failed", "Updates whose handling failed, by update type", ["type"],
                              registry=r)
        self.handling = Histogram("omzien_update_handling_seconds", "Time to handle one update, commit included",
                                  buckets=SECONDS, registry=r)
        self.retry_after = Counter("omzien_telegram_retry_after", "429 Too Many Requests answers from Telegram",
                                   registry=r)
        self.sweep = Histogram("omzien_sweep_seconds", "Time of one sweep of the deadlines", buckets=SECONDS,
                               registry=r)
        self.database = DatabaseCounts(sessions, clock)
        r.register(self.database)
        self.telegram_answered_at: float | None = None  # time.monotonic() of Telegram's last answer

    async def exposition(self) -> bytes:
        """The text format Prometheus scrapes, with the database counts read just now."""
        await self.database.refresh()
        return generate_latest(self.registry)

    def telegram_answered(self) -> None:
        self.telegram_answered_at = time.monotonic()


class DatabaseCounts(Collector):
    """Outbox depth and lag, open and late signals per point: read by ``refresh`` right before a scrape."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], clock: Callable[[], datetime]) -> None:
        self.sessions = async_sessionmaker(background(sessions.kw["bind"]))  # counts over every open signal
        self.clock = clock
        self.up = False
        self.outbox: OutboxDepth | None = None
        self.points: dict[int, tuple[int, int]] = {}
        self.now = clock()

    async def refresh(self) -> None:
        self.now = self.clock()
        try:
            async with self.sessions() as session:
                self.outbox = await outbox_depth(session, self.now)
                self.points = await signals_by_point(session, self.now)
            self.up = True
        except Exception as error:
            log.warning("Metrics: the database did not answer: %s", error_summary(error))
            self.up, self.outbox, self.points = False, None, {}

    def outbox_lag(self) -> float:
        """Seconds the oldest due message has waited (0: none waits)."""
        if self.outbox is None or self.outbox.oldest_due is None:
            return 0.0
        return max(0.0, (self.now - self.outbox.oldest_due).total_seconds())

    def collect(self) -> Iterator[Metric]:
        yield GaugeMetricFamily("omzien_database_up", "Whether the database answered at the last scrape",
                                value=int(self.up))
        if self.outbox is not None:
            yield GaugeMetricFamily("omzien_outbox_waiting", "Messages in the outbox not yet sent",
                                    value=self.outbox.waiting)
            yield GaugeMetricFamily("omzien_outbox_oldest_due_seconds",
                                    "How long the oldest message that may go out now has waited",
                                    value=self.outbox_lag())
        open_signals = GaugeMetricFamily("omzien_signals_open", "Open signals (new or claimed) per point",
                                         labels=["point"])
        late_signals = GaugeMetricFamily("omzien_signals_overdue", "Open signals past a deadline per point",
                                         labels=["point"])
        for point_id, (open_count, late_count) in sorted(self.points.items()):
            open_signals.add_metric([str(point_id)], open_count)
            late_signals.add_metric([str(point_id)], late_count)
        yield open_signals
        yield late_signals


class UpdateMetrics(BaseMiddleware):
    """Counts each update by type, handled or failed, and times it (the outermost of the bot's middlewares)."""

    def __init__(self, metrics: Metrics) -> None:
        self.metrics = metrics

    async def __call__(self, handler: Callable[[TelegramObject, dict[str, Any]], Any], event: TelegramObject,
                       data: dict[str, Any]) -> Any:
        kind = _update_type(event)
        started = time.perf_counter()
        try:
            result = await handler(event, data)
        except Exception:
            self.metrics.failed.labels(kind).inc()
            raise
        finally:
            self.metrics.handling.observe(time.perf_counter() - started)
        self.metrics.handled.labels(kind).inc()
        return result


def _update_type(event: TelegramObject) -> str:
    try:
        return event.event_type if isinstance(event, Update) else "other"
    except Exception:  # a type newer than aiogram knows
        return "other"


class TelegramWatch(BaseRequestMiddleware):
    """On every request to Telegram: notes that Telegram answered (for /readyz) and counts 429 answers."""

    def __init__(self, metrics: Metrics) -> None:
        self.metrics = metrics

    async def __call__(self, make_request: NextRequestMiddlewareType[Any], bot: Bot,
                       method: TelegramMethod[Any]) -> Any:
        try:
            result = await make_request(bot, method)
        except TelegramRetryAfter:
            self.metrics.retry_after.inc()
            self.metrics.telegram_answered()
            raise
        except (TelegramNetworkError, TelegramServerError):
            raise
        except TelegramAPIError:  # refused, but Telegram is there
            self.metrics.telegram_answered()
            raise
        self.metrics.telegram_answered()
        return result
