"""The figures, counted by the database: one GROUP BY per question, never a row at a time in Python.

Only anonymous columns are read: the 4-digit area, the signs, the role of a signaller, status, outcome and
times. Never a postcode, house number, note, phone, name or Telegram id. The counts come back raw; the
small-number rule is applied where they are shown (``omzien.flows.figures``, ``omzien.services.figures``).
A month or week is a range of moments (its local midnights, ``flows.figures.buckets``), found with one CASE.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, String, case, cast, distinct, func, literal, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from omzien.flows.figures import Bucket
from omzien.flows.offers import Kind, Need
from omzien.flows.signal import SIGNS, EventKind, Observation, Outcome, Status
from omzien.storage.models import Account, Event, OfferRecord, OfferSearch, Partner, Point, Report, Signal

SIGNAL_COLUMNS = ("signals", "routed", "unrouted", "urgent", "claimed", "contacted", "closed")
"""Counted per row of ``signals_by``; ``repeats`` and ``callbacks`` come from the reports."""

CONTACT_OUTCOMES = (Outcome.CONTACT_MADE, Outcome.REFERRED, Outcome.DECLINED)
"""Closed with one of these, contact was made even if the button "contact gemaakt" was not pressed."""


@dataclass(frozen=True)
class Scope:
    """Which signals and searches: reported from ``since`` up to ``until``, of one point or of all."""

    since: datetime
    until: datetime
    point: Point | None = None


def _bucket_of(column: Any, buckets: Sequence[Bucket], first: int = 0) -> ColumnElement[Any]:
    """The index of the bucket ``column`` falls in (None before the first or after the last): a CASE split in
    halves, so a row takes a handful of comparisons, not one per week of the period."""
    if len(buckets) <= 2:
        return case(*((column < bucket.end, first + index) for index, bucket in enumerate(buckets)), else_=None)
    middle = len(buckets) // 2
    return case((column < buckets[middle].start, _bucket_of(column, buckets[:middle], first)),
                else_=_bucket_of(column, buckets[middle:], first + middle))


def _signal_filter(scope: Scope, by_time: bool = True) -> list[ColumnElement[bool]]:
    """A period of all points is read from ``ix_signals_figures`` (every column the figures need, by time).
    Not ``by_time``: the signals are found from a few other rows (events of a kind, a partner's signallers), and
    the period is checked on each (without it SQLite would walk the period and look for those rows)."""
    created = Signal.created_at if by_time else func.coalesce(Signal.created_at, Signal.created_at)
    if scope.point is None:
        return [created >= scope.since, created < scope.until]
    return [created >= scope.since, created < scope.until, Signal.point_id == scope.point.id]


def _dimension(by: str, buckets: Sequence[Bucket]) -> list[ColumnElement[Any]]:
    if by in ("month", "week"):
        return [_bucket_of(Signal.created_at, buckets)]
    if by == "area":
        return [Signal.area]
    if by == "outcome":
        return [func.coalesce(Signal.outcome, Signal.status)]
    if by == "urgent":
        return [Signal.urgent]
    raise ValueError(by)


def _label(by: str, value: Any, buckets: Sequence[Bucket]) -> str:
    if by in ("month", "week"):
        return buckets[value].label
    if by == "urgent":
        return "urgent" if value else "normal"
    return str(value)


def _contacted() -> ColumnElement[bool]:
    return or_(Signal.contacted_at.is_not(None), Signal.outcome.in_(CONTACT_OUTCOMES))


async def signals_by(session: AsyncSession, scope: Scope, by: str,
                     buckets: Sequence[Bucket] = ()) -> dict[str, dict[str, int]]:
    """Per month, week, area, outcome or urgency: signals in, routed or not, urgent, claimed, contact made, closed,
    and from their reports the repeat reports (beyond the first) and the call-back requests."""
    dimension = _dimension(by, buckets)
    counted = [func.count(),
               func.count().filter(Signal.point_id.is_not(None)),
               func.count().filter(Signal.point_id.is_(None)),
               func.count().filter(Signal.urgent.is_(True)),
               func.count().filter(Signal.status.in_((Status.CLAIMED, Status.CLOSED))),
               func.count().filter(_contacted()),
               func.count().filter(Signal.status == Status.CLOSED)]
    counted += [func.coalesce(func.sum(Signal.report_count), 0), func.coalesce(func.sum(Signal.callback_reports), 0)]
    rows: dict[str, dict[str, int]] = {}
    for value, *counts, reports, callbacks in await session.execute(
            select(*dimension, *counted).where(*_signal_filter(scope)).group_by(*dimension)):
        if value is None and by in ("month", "week"):
            continue
        rows[_label(by, value, buckets)] = {**dict(zip(SIGNAL_COLUMNS, counts, strict=True)),
                                            "repeats": max(0, reports - counts[0]), "callbacks": callbacks}
    return rows


async def callbacks(session: AsyncSession, scope: Scope) -> int:
    """Residents' own call-back requests among the reports on the period's signals (counted on each signal)."""
    return await session.scalar(select(func.coalesce(func.sum(Signal.callback_reports), 0))
                                .where(*_signal_filter(scope))) or 0


async def reports_by_role(session: AsyncSession, scope: Scope) -> dict[str, int]:
    """Reports per role of the signaller ("unknown" once the account is gone)."""
    role = func.coalesce(Account.role, "unknown")
    return {str(value): count for value, count in await session.execute(
        select(role, func.count()).select_from(Report).join(Report.signal).outerjoin(Account, Report.reporter)
        .where(*_signal_filter(scope)).group_by(role))}


async def reports_by_sign(session: AsyncSession, scope: Scope) -> dict[str, int]:
    """Reports per sign noticed (a report can have several), and the call-back requests."""
    text = cast(Report.observations, String)
    signs = [*SIGNS, Observation.ASKS_FOR_CALL]
    row = (await session.execute(
        select(*(func.count().filter(text.like(f'%"{sign}"%')) for sign in signs)).select_from(Report)
        .join(Report.signal).where(*_signal_filter(scope)))).one()
    return {str(sign): count for sign, count in zip(signs, row, strict=True)}


async def events_by_kind(session: AsyncSession, scope: Scope) -> dict[str, int]:
    """What was done in the period (claims, contacts, pauses, reminders …), from the event rows."""
    query = (select(Event.kind, func.count()).where(Event.kind.in_(list(EventKind)), Event.at >= scope.since,
                                                    Event.at < scope.until)
             .group_by(Event.kind))  # each kind's period from ix_events_kind_at alone, in its order
    if scope.point is not None:
        query = query.join(Signal, Signal.id == Event.signal_id).where(Signal.point_id == scope.point.id)
    return {str(kind): count for kind, count in await session.execute(query)}


async def deadlines_by_bucket(session: AsyncSession, scope: Scope, buckets: Sequence[Bucket],
                              now: datetime) -> dict[str, dict[str, int]]:
    """Per month or week of reporting: how many signals reached each deadline (took the step, or its time
    passed) and how many took the step in time, read from the deadlines in the signal rows."""
    bucket = _bucket_of(Signal.created_at, buckets)
    steps = (("claim", Signal.claimed_at, Signal.due_claim_at), ("contact", Signal.contacted_at, Signal.due_contact_at),
             ("close", Signal.closed_at, Signal.due_close_at))
    counted = []
    for _step, done, due in steps:
        counted.append(func.count().filter(or_(done.is_not(None), due <= now)))
        counted.append(func.count().filter(done.is_not(None), done <= due))
    rows = {}
    for value, *counts in await session.execute(
            select(bucket, *counted).where(*_signal_filter(scope), Signal.point_id.is_not(None)).group_by(bucket)):
        if value is None:
            continue
        names = [f"{step}_{what}" for step, _done, _due in steps for what in ("due", "in_time")]
        rows[buckets[value].label] = dict(zip(names, counts, strict=True))
    return rows


# Residents' searches (offer_searches): anonymous, never who asked or the typed words.

def _search_filter(scope: Scope) -> list[ColumnElement[bool]]:
    where = [OfferSearch.at >= scope.since, OfferSearch.at < scope.until]
    if scope.point is not None:
        where.append(or_(*(OfferSearch.area.between(a.first, a.last) for a in scope.point.areas)))
    return where


def _nothing_local() -> ColumnElement[bool]:
    """Nothing local was found: no local result, or nothing at all (searches from before local counts were kept)."""
    return or_(OfferSearch.local_results == 0, OfferSearch.results == 0)


async def searches(session: AsyncSession, scope: Scope) -> dict[str, int]:
    total, nothing_local, nothing = (await session.execute(
        select(func.count(), func.count().filter(_nothing_local()), func.count().filter(OfferSearch.results == 0))
        .where(*_search_filter(scope)))).one()
    return {"searches": total, "nothing_local": nothing_local, "nothing": nothing}


async def searches_by(session: AsyncSession, scope: Scope, by: str) -> dict[str, dict[str, int]]:
    """Searches per need (a search can have several), age band or area, and of those how many found nothing
    local."""
    if by == "need":
        text = cast(OfferSearch.needs, String)
        counted = []
        for need in Need:
            counted += [func.count().filter(text.like(f'%"{need}"%')),
                        func.count().filter(text.like(f'%"{need}"%'), _nothing_local())]
        row = (await session.execute(select(*counted).where(*_search_filter(scope)))).one()
        return {str(need): {"searches": row[2 * i], "nothing_local": row[2 * i + 1]} for i, need in enumerate(Need)}
    column = {"age": OfferSearch.age_group, "area": OfferSearch.area}[by]
    return {("unknown" if value is None else str(value)): {"searches": total, "nothing_local": nothing_local}
            for value, total, nothing_local in await session.execute(
                select(column, func.count(), func.count().filter(_nothing_local()))
                .where(*_search_filter(scope)).group_by(column))}


async def gaps(session: AsyncSession, scope: Scope) -> dict[tuple[str, str, str], int]:
    """Searches that found nothing local, per need × area × age band: where the local offer falls short."""
    text = cast(OfferSearch.needs, String)
    counted = [func.count().filter(text.like(f'%"{need}"%')) for need in Need]
    found: dict[tuple[str, str, str], int] = {}
    for area, age, *counts in await session.execute(
            select(OfferSearch.area, OfferSearch.age_group, *counted)
            .where(*_search_filter(scope), _nothing_local(), OfferSearch.area.is_not(None))
            .group_by(OfferSearch.area, OfferSearch.age_group)):
        for need, count in zip(Need, counts, strict=True):
            if count:
                found[(str(need), str(area), age or "unknown")] = count
    return found


async def standing_by_bucket(session: AsyncSession, scope: Scope, buckets: Sequence[Bucket]
                             ) -> dict[tuple[str, str], int]:
    """Per month or week of reporting: signals closed with each outcome, and those still claimed, new or unrouted."""
    bucket = _bucket_of(Signal.created_at, buckets)
    standing = func.coalesce(Signal.outcome, Signal.status)
    return {(buckets[value].label, str(stand)): count for value, stand, count in await session.execute(
        select(bucket, standing, func.count()).where(*_signal_filter(scope)).group_by(bucket, standing))
        if value is not None}


# After closing (issue 12's follow-up): of the signals reported in the period, where they went and what came back.

FOLLOW_UP_EVENTS = (EventKind.REFERRED, EventKind.FOLLOWED_UP, EventKind.REOPENED)


async def follow_up_events(session: AsyncSession, scope: Scope) -> dict[tuple[str, str], int]:
    """Per (event kind, detail): each offer referred to, each answer of the follow-up check and of the resident
    ("Heeft het geholpen?"; every answer, also one a reopen cleared from the signal), and the reopens."""
    detail = func.coalesce(Event.detail, "")
    return {(str(kind), str(value)): count for kind, value, count in await session.execute(
        select(Event.kind, detail, func.count()).join(Signal, Signal.id == Event.signal_id)
        .where(Event.kind.in_(FOLLOW_UP_EVENTS), *_signal_filter(scope, by_time=False))
        .group_by(Event.kind, detail))}


async def forwarded(session: AsyncSession, scope: Scope) -> dict[str, int]:
    """Signals closed as forwarded outside the point, per where to (wijkteam, huisarts, Veilig Thuis, anders)."""
    where = func.coalesce(Signal.forwarded_to, "anders")
    return {str(value): count for value, count in await session.execute(
        select(where, func.count()).where(*_signal_filter(scope), Signal.outcome == Outcome.FORWARDED)
        .group_by(where))}


def _kinds_of_offer() -> ColumnElement[str]:
    return literal(";") + func.coalesce(OfferRecord.columns["kinds"].as_string(), "") + literal(";")


async def referred_by_kind(session: AsyncSession, scope: Scope) -> dict[str, int]:
    """Signals referred to at least one offer of each kind of support (a signal can count for several kinds)."""
    kinds = _kinds_of_offer()
    counted = [func.count(distinct(Event.signal_id)).filter(kinds.like(f"%;{kind};%")) for kind in Kind]
    row = (await session.execute(
        select(*counted).select_from(Event).join(Signal, Signal.id == Event.signal_id)
        .join(OfferRecord, OfferRecord.id == Event.detail)
        .where(Event.kind == EventKind.REFERRED, *_signal_filter(scope, by_time=False)))).one()
    return {str(kind): count for kind, count in zip(Kind, row, strict=True)}


async def offer_names(session: AsyncSession, offer_ids: Sequence[str]) -> dict[str, str]:
    """The names of offers (public: they come from the catalogue), by id; an offer since removed has none."""
    if not offer_ids:
        return {}
    return {offer_id: str(name) for offer_id, name in await session.execute(
        select(OfferRecord.id, OfferRecord.columns["name_nl"].as_string()).where(OfferRecord.id.in_(offer_ids)))}


async def claimed_by_area(session: AsyncSession, since: datetime, until: datetime) -> dict[int, int]:
    """Signals picked up from ``since`` up to ``until``, per 4-digit area (the signallers' monthly thank-you)."""
    return {area: count for area, count in await session.execute(
        select(Signal.area, func.count()).where(Signal.claimed_at >= since, Signal.claimed_at < until)
        .group_by(Signal.area))}


async def by_partner(session: AsyncSession, scope: Scope) -> tuple[dict[int, str], dict[int, dict[str, int]]]:
    """Per partner (of the point, or of all): the signallers who started through its link in the period, and
    the reports they made on the period's signals. The partners' names (organisations), and the counts."""
    partners = select(Partner.id, Partner.name).order_by(Partner.id)
    if scope.point is not None:
        partners = partners.where(Partner.point_id == scope.point.id)
    names = {partner_id: str(name) for partner_id, name in await session.execute(partners)}
    counts = {partner_id: {"signallers": 0, "reports": 0} for partner_id in names}
    if not names:
        return names, counts
    for partner_id, count in await session.execute(
            select(Account.partner_id, func.count()).where(Account.partner_id.in_(list(names)),
                                                           Account.created_at >= scope.since,
                                                           Account.created_at < scope.until)
            .group_by(Account.partner_id)):
        counts[partner_id]["signallers"] = count
    for partner_id, count in await session.execute(
            select(Account.partner_id, func.count()).select_from(Report).join(Report.signal)
            .join(Account, Account.id == Report.reporter_id)
            .where(Account.partner_id.in_(list(names)), *_signal_filter(scope, by_time=False))
            .group_by(Account.partner_id)):
        counts[partner_id]["reports"] = count
    return names, counts
