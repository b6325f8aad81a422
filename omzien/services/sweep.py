"""The sweep: what the clock says people must hear, gathered so that nobody is flooded.

Per sweep, each group gets at most one new message (its overview; otherwise the overview is
edited in place), each claimer one reminder, each coordinator and fallback contact one message,
whatever the number of signals that fell due. The morning summary goes out once per working day.
Everything is written to the outbox in the same transaction that moves the clock on, so a
restart, a second instance or a Telegram failure never sends an alert twice or loses one.
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from omzien.core.i18n import I18n
from omzien.flows.sla import Alert
from omzien.services import followup
from omzien.services.facts import signal_facts
from omzien.services.publish import refresh_overview, speaking_to
from omzien.storage import outbox, points, sla
from omzien.storage.models import Account, Point, Signal
from omzien.views.case import reminder_payload
from omzien.views.coordinator import coordinator_payload, fallback_payload, summary_payload
from omzien.views.facts import SignalFacts

log = logging.getLogger(__name__)

BATCH = 1000
"""Signals handled per transaction; a sweep goes on until nothing is due."""

TO_GROUP = {Alert.CLAIM_HALF, Alert.CLAIM_DUE, Alert.CLAIM_LATE, Alert.CONTACT_LATE}
TO_CLAIMER = {Alert.CONTACT_DUE, Alert.CLOSE_DUE}


async def _announce(session: AsyncSession, fired: list[tuple[Signal, list[Alert]]], i18n: I18n, now: datetime,
                    posted: set[int], counts: Counter[str]) -> None:
    groups: dict[int, Point] = {}
    coordinators: defaultdict[tuple[int, int], list[Signal]] = defaultdict(list)
    fallbacks: defaultdict[tuple[int, int], list[Signal]] = defaultdict(list)
    claimers: defaultdict[int, list[Signal]] = defaultdict(list)
    for signal, alerts in fired:
        point = signal.point
        assert point is not None
        counts.update(str(alert) for alert in alerts)
        if TO_GROUP.intersection(alerts) and point.group_chat_id is not None:
            groups[point.id] = point
        if Alert.CLAIM_DUE in alerts:
            for user_id in point.coordinators:
                coordinators[(user_id, point.id)].append(signal)
        if Alert.CLAIM_LATE in alerts and point.fallback_chat_id is not None:
            fallbacks[(point.fallback_chat_id, point.id)].append(signal)
        if TO_CLAIMER.intersection(alerts) and signal.claimed_by is not None:
            claimers[signal.claimed_by].append(signal)
    for point in groups.values():
        # One new overview per group per sweep at most; later batches of the same sweep edit it.
        if await refresh_overview(session, point, i18n, now, post_new=point.id not in posted):
            posted.add(point.id)
            counts["overviews"] += 1
    named = {signal.point_id: signal.point for signal, _ in fired}
    for (user_id, point_id), signals in coordinators.items():
        with speaking_to(i18n, await session.get(Account, user_id)):
            outbox.send(session, user_id, coordinator_payload(named[point_id].name, _facts(signals, now)))
        counts["to_coordinators"] += 1
    for (chat_id, point_id), signals in fallbacks.items():
        with speaking_to(i18n, await session.get(Account, chat_id)):
            outbox.send(session, chat_id, fallback_payload(named[point_id].name, _facts(signals, now)))
        counts["to_fallback"] += 1
    for user_id, signals in claimers.items():
        claimer = signals[0].claimer
        if claimer is None or claimer.blocked_at is not None:
            continue
        with speaking_to(i18n, claimer):
            outbox.send(session, user_id, reminder_payload(_facts(signals, now)))
        counts["to_claimers"] += 1


def _facts(signals: list[Signal], now: datetime) -> list[SignalFacts]:
    return [signal_facts(signal, now) for signal in signals]


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
    posted: set[int] = set()
    while True:
        async with sessions() as session, session.begin():
            taken, fired = await sla.take_due(session, now, BATCH)
            await _announce(session, fired, i18n, now, posted, counts)
        if taken < BATCH:  # rows another sweep holds are skipped, not waited for
            break
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
