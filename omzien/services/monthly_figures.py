"""The coordinators' figures in Telegram: asked for with /cijfers (this month so far), and unasked on the first
working day of a month (the month that just ended), once per point. And the signallers' monthly thank-you.

Each coordinator gets one summary text and the two main charts, all through the outbox.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_date
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from omzien.core.i18n import I18n
from omzien.flows.figures import SMALL
from omzien.flows.sla import DUTCH_TIME
from omzien.services.figures import gather
from omzien.services.publish import speaking_to
from omzien.storage import accounts, outbox, points
from omzien.storage import figures as counted
from omzien.storage.db import background
from omzien.storage.models import Account, Point
from omzien.storage.points import all_points, policy_of
from omzien.views import charts
from omzien.views.common import locale
from omzien.views.figures import chart_caption, summary_payload
from omzien.views.signallers import monthly_thanks_payload

log = logging.getLogger(__name__)


def month_start(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day.replace(day=1), time(0), zone)


async def points_coordinated_by(session: AsyncSession, user_id: int) -> list[Point]:
    return [point for point in await all_points(session) if user_id in point.coordinators]


async def queue(session: AsyncSession, i18n: I18n, point: Point, user_ids: list[int], since: datetime,
                until: datetime, now: datetime) -> None:
    """The summary and the two charts of ``since``–``until`` to each of ``user_ids``, in their language."""
    async with AsyncSession(background(session.bind)) as reading:
        figures = await gather(reading, point, since, until, "month", now)  # a long read holds no one up
    for user_id in user_ids:
        with speaking_to(i18n, await session.get(Account, user_id)):
            month = format_date(since, "MMMM yyyy", locale=locale())
            outbox.send(session, user_id, summary_payload(month, figures))
            outbox.send_photo(session, user_id, charts.months_chart(figures), chart_caption("months"))
            outbox.send_photo(session, user_id, charts.deadlines_chart(figures), chart_caption("deadlines"))


async def this_month(session: AsyncSession, i18n: I18n, user_id: int, now: datetime) -> bool:
    """/cijfers: this month so far, for every point the person coordinates; False if they coordinate none."""
    chosen = await points_coordinated_by(session, user_id)
    for point in chosen:
        zone = ZoneInfo(point.time_zone)
        await queue(session, i18n, point, [user_id], month_start(now.astimezone(zone).date(), zone), now, now)
    return bool(chosen)


def monthly_due(point: Point, now: datetime) -> bool:
    """On the first working day of a month, from opening time, if this month's figures have not gone out yet."""
    working = policy_of(point).working
    today = working.local_date(now)
    if not point.coordinators or not working.is_working_day(today):
        return False
    first = today.replace(day=1)
    if any(working.is_working_day(date.fromordinal(d)) for d in range(first.toordinal(), today.toordinal())):
        return False
    opens, _closes = working.window(today)
    sent = point.figures_sent_at
    return now >= opens and (sent is None or sent < month_start(today, ZoneInfo(point.time_zone)))


async def send_monthly(sessions: async_sessionmaker[AsyncSession], i18n: I18n, now: datetime) -> int:
    """The month that ended, to the coordinators of each point whose first working day it is; once (the point row
    is locked and marked in the same transaction as the messages)."""
    sent = 0
    async with sessions.begin() as session:
        chosen = (await session.scalars(select(Point).order_by(Point.id).with_for_update(skip_locked=True))).all()
        for point in chosen:
            if not monthly_due(point, now):
                continue
            zone = ZoneInfo(point.time_zone)
            this = month_start(now.astimezone(zone).date(), zone)
            previous = month_start(date.fromordinal(this.date().toordinal() - 1), zone)
            await queue(session, i18n, point, list(point.coordinators), previous, this, now)
            points.figures_sent(point, now)
            sent += 1
    if sent:
        log.info("monthly figures queued for %s point(s)", sent)
    return sent


THANKS_FROM = timedelta(hours=10)
"""The signallers' monthly message goes from 10:00 on the first of the month (Dutch time)."""


async def thank_signallers(sessions: async_sessionmaker[AsyncSession], i18n: I18n, now: datetime) -> int:
    """Each signaller who agreed gets one short message a month: how many signals were picked up last month
    in the 4-digit areas they reported from. An area with fewer than ``SMALL`` counts for nothing (so no sum
    of two messages tells a small number), and below ``SMALL`` in all there is no message at all. Once a
    month (the account row is locked and marked with the message). How many were queued."""
    zone = ZoneInfo(DUTCH_TIME)
    this = month_start(now.astimezone(zone).date(), zone)
    if now < this + THANKS_FROM:
        return 0
    previous = month_start(date.fromordinal(this.date().toordinal() - 1), zone)
    sent = 0
    async with sessions.begin() as session:
        due = await accounts.monthly_thanks_due(session, this)
        per_area = await counted.claimed_by_area(session, previous, this) if due else {}
        for account, areas in due:
            picked_up = sum(count for area in areas if (count := per_area.get(area, 0)) >= SMALL)
            accounts.monthly_thanked(account, now)
            if picked_up >= SMALL:
                with speaking_to(i18n, account):
                    month = format_date(previous, "MMMM", locale=locale())
                    outbox.send(session, account.id, monthly_thanks_payload(month, picked_up))
                sent += 1
    if sent:
        log.info("monthly thanks queued for %s signaller(s)", sent)
    return sent
