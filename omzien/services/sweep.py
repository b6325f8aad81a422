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
from collections import Counter, defaultdict
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from omzien.core.i18n import I18n
from omzien.flows.sla import Alert
from omzien.services import followup
from omzien.services.facts import line_facts
from omzien.services.publish import refresh_overviews, speaking_to
from omzien.storage import accounts, outbox, points, sla
from omzien.storage.models import Account, Point, Signal
from omzien.views.case import reminder_payload
from omzien.views.coordinator import coordinator_payload, fallback_payload, summary_payload
from omzien.views.facts import SignalLine

log = logging.getLogger(__name__)

BATCH = 1000
"""Signals handled per transaction; a sweep goes on until nothing is due."""

TO_GROUP = {Alert.CLAIM_HALF, Alert.CLAIM_DUE, Alert.CLAIM_LATE, Alert.CONTACT_LATE}
TO_CLAIMER = {Alert.CONTACT_DUE, Alert.CLOSE_DUE}


async def _announce(session: AsyncSession, fired: list[tuple[Signal, list[Alert]]], taken: dict[int, Point],
                    i18n: I18n, now: datetime, counts: Counter[str]) -> None:
    """Queue what the alerts say to coordinators, fallback contacts and claimers, and note which groups' overviews
    have news (written after this transaction: ``_refresh_overviews``)."""
    groups: set[int] = set()
    coordinators: defaultdict[tuple[int, int], list[SignalLine]] = defaultdict(list)
    fallbacks: defaultdict[tuple[int, int], list[SignalLine]] = defaultdict(list)
    claimers: defaultdict[int, list[SignalLine]] = defaultdict(list)
    reached: dict[int, Account] = {}
    for signal, alerts in fired:
        point = taken[signal.point_id or 0]
        counts.update(str(alert) for alert in alerts)
        line = line_facts(signal, signal.claimer.first_name if signal.claimer else None, point.time_zone, now)
        if TO_GROUP.intersection(alerts) and point.group_chat_id is not None:
            groups.add(point.id)
        if Alert.CLAIM_DUE in alerts:
            for user_id in point.coordinators:
                coordinators[(user_id, point.id)].append(line)
        if Alert.CLAIM_LATE in alerts and point.fallback_chat_id is not None:
            fallbacks[(point.fallback_chat_id, point.id)].append(line)
        if TO_CLAIMER.intersection(alerts) and signal.claimer is not None and signal.claimer.blocked_at is None:
            claimers[signal.claimer.id].append(line)
            reached[signal.claimer.id] = signal.claimer
    if groups:
        await points.want_overviews(session, groups)
    reached.update(await accounts.by_ids(session, {chat_id for chat_id, _ in [*coordinators, *fallbacks]}))
    messages = []
    for (user_id, point_id), lines in coordinators.items():
        with speaking_to(i18n, reached.get(user_id)):
            messages.append((user_id, coordinator_payload(taken[point_id].name, lines)))
    for (chat_id, point_id), lines in fallbacks.items():
        with speaking_to(i18n, reached.get(chat_id)):
            messages.append((chat_id, fallback_payload(taken[point_id].name, lines)))
    for user_id, lines in claimers.items():
        with speaking_to(i18n, reached[user_id]):
            messages.append((user_id, reminder_payload(lines)))
    await outbox.send_all(session, messages)
    counts.update({key: len(value) for key, value in (("to_coordinators", coordinators), ("to_fallback", fallbacks),
                                                      ("to_claimers", claimers)) if value})


OVERVIEWS_PER_TRANSACTION = 10
"""Groups whose overviews one short transaction brings up to date: a few statements for all of them, a few
milliseconds of SQLite's write lock."""


async def _refresh_overviews(sessions: async_sessionmaker[AsyncSession], i18n: I18n, now: datetime,
                             counts: Counter[str]) -> None:
    """Each group with news from the clock gets its overview, posted anew (at most once per sweep) unless the
    current one can be edited; ``OVERVIEWS_PER_TRANSACTION`` groups per short transaction."""
    async with sessions() as session:
        wanting = await points.points_wanting_overview(session)
    for at in range(0, len(wanting), OVERVIEWS_PER_TRANSACTION):
        async with sessions() as session, session.begin():
            taken = await points.wanting_overviews(session, wanting[at:at + OVERVIEWS_PER_TRANSACTION])
            posted = await refresh_overviews(session, taken, i18n, now)
            if posted:
                counts["overviews"] += len(posted)
            for point in taken:
                points.overview_written(point)


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
            await _announce(session, fired, points_taken, i18n, now, counts)
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
