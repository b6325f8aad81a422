"""The sweep: what the clock says people must hear, gathered so that nobody is flooded.

Per sweep, each group gets at most one new message (its overview; otherwise the overview is
edited in place), each claimer one reminder, each coordinator and fallback contact one message,
whatever the number of signals that fell due. The morning summary goes out once per working day.
The messages to people are written to the outbox in the same transaction that moves the clock on,
with a note for each group whose overview has news (``points.overview_pending``); the overviews
follow in short transactions of a few groups each, which take the notes. So a restart, a second instance or a
Telegram failure never sends an alert twice or loses one, and no transaction holds SQLite's one
write lock for long: the cost follows the signals that are due, not those open.
"""

from __future__ import annotations

import logging
from collections import Counter
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from omzien.core.i18n import I18n
from omzien.services import followup
from omzien.services.publish import publish_alerts, refresh_overviews, speaking_to
from omzien.storage import outbox, points, sla
from omzien.views.coordinator import summary_payload

log = logging.getLogger(__name__)

BATCH = 1000
"""Signals handled per transaction; a sweep goes on until nothing is due."""

OVERVIEWS_PER_TRANSACTION = 20
"""Groups whose overviews one short transaction brings up to date: a fixed number of statements for all of them,
and about a millisecond of SQLite's write lock each; twenty take about as long as the transaction of the alerts."""


async def _refresh_overviews(sessions: async_sessionmaker[AsyncSession], i18n: I18n, now: datetime,
                             counts: Counter[str]) -> None:
    """Each group with news from the clock gets its overview, posted anew (at most once per sweep) unless the
    current one can be edited; ``OVERVIEWS_PER_TRANSACTION`` groups per short transaction."""
    while True:
        async with sessions() as session, session.begin():
            taken = await points.wanting_overviews(session, OVERVIEWS_PER_TRANSACTION)
            posted = await refresh_overviews(session, taken, i18n, now)
            if posted:
                counts["overviews"] += len(posted)
            for point in taken:
                points.overview_written(point)
        if len(taken) < OVERVIEWS_PER_TRANSACTION:
            break


async def _summaries(session: AsyncSession, i18n: I18n, now: datetime) -> int:
    """The morning summary of each point whose working day has begun; none when there is nothing to tell."""
    sent = 0
    for point in await sla.points_for_summary(session, now):
        since = point.summary_at or point.created_at
        new = await sla.new_since(session, point.id, since)
        open_count, late = await sla.overdue_counts(session, point.id, now)
        points.summary_sent(point, now)
        if new or open_count:
            assert point.group_chat_id is not None
            with speaking_to(i18n, None):
                outbox.send(session, point.group_chat_id, summary_payload(point.name, new, open_count, late))
            sent += 1
    return sent


async def sweep(sessions: async_sessionmaker[AsyncSession], i18n: I18n, now: datetime) -> dict[str, int]:
    """One sweep at ``now``: every alert that is due, then the morning summaries. Returns what it queued."""
    counts: Counter[str] = Counter()
    while True:
        async with sessions() as session, session.begin():
            taken, fired, points_taken = await sla.take_due(session, now, BATCH)
            counts.update(await publish_alerts(session, i18n, fired, points_taken, now))
        if taken < BATCH:  # rows another sweep holds are skipped, not waited for
            break
    await _refresh_overviews(sessions, i18n, now, counts)
    async with sessions() as session, session.begin():
        counts["summaries"] = await _summaries(session, i18n, now)
    while True:  # "Hoe gaat het nu?" and "Heeft het geholpen?", weeks after a close
        async with sessions() as session, session.begin():
            asked = await followup.ask_what_is_due(session, i18n, now)
        if not asked:
            break
        counts["follow_up_questions"] += asked
    if counts.total():
        log.info("sweep: %s", dict(counts))
    return dict(counts)
