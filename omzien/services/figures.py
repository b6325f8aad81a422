"""The figures of a period, for the municipality and the coordinators: counted by the database, checked
against the small-number rule all at once, compared with the point's goals.

Every count of one set of figures (the table, the month chart, the deadlines, the backlog, the residents'
searches and the gap report) goes through one ``protect`` call with every sum that ties them together
(a total and its rows; a count and what is left of it; a need's searches and its areas), so a count hidden
in one place cannot be worked out from another. What leaves this module holds no raw count.
"""

from __future__ import annotations

from collections.abc import Hashable
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from omzien.flows.figures import (
    AreaGoal,
    Bucket,
    Count,
    Figures,
    Group,
    ServiceLevel,
    Table,
    buckets,
    goal_for_period,
    protect,
    remainder,
    share,
)
from omzien.flows.offers import Need
from omzien.flows.signal import Outcome, Status
from omzien.flows.sla import DUTCH_TIME
from omzien.services import follow_up_figures as follow_up
from omzien.storage import figures as counted
from omzien.storage import sla
from omzien.storage.figures import Scope
from omzien.storage.models import Point
from omzien.storage.points import all_points

BY = ("month", "week", "area", "role", "sign", "outcome", "urgent", "event", "offer", "kind", "partner")
PARTITIONS = ("month", "week", "area", "outcome", "urgent", "role", "offer")
"""Breakdowns whose rows add up to the total row (a report has one role; a signal one month, area, outcome;
a referral one offer)."""
SHARED = {"month": {"signals": "M"}, "offer": {"referrals": "fo"}, "kind": {"referred": "fk"},
          "partner": {"signallers": "ps", "reports": "pr"}}
"""Tables whose cells are counts of another part of the figures too: the same key, so they are hidden alike."""
SIGNAL_COLUMNS = (*counted.SIGNAL_COLUMNS, "repeats", "callbacks")
PARTS_OF_SIGNALS = ("urgent", "claimed", "contacted", "closed")
MONTH_PARTS = (*(str(o) for o in Outcome), Status.CLAIMED.value, Status.NEW.value, Status.UNROUTED.value)
"""How a month's signals stand: closed with an outcome, or still claimed, waiting, or without a point."""
STEPS = ("claim", "contact", "close")
IMPLIED = {"outcome": ("claimed", "contacted", "closed"), "urgent": ("urgent",)}
"""Columns a row already says (a signal closed as referred was claimed and closed; an urgent one is urgent):
shown, they would give a hidden count of the row away, so they are left out of that breakdown."""
AREA_REST = ("A", "rest")
"""The signals of the areas without a goal: never shown, but with the areas that have one they make the total."""
GOAL_OF = {"claim": "goal_claim", "contact": "goal_contact", "close": "goal_close"}


def _table_groups(by: str, rows: list[str], columns: tuple[str, ...], key: Any) -> list[Group]:
    groups = []
    if by in PARTITIONS:
        groups += [Group(key("total", column), tuple(key(row, column) for row in rows)) for column in columns]
    if "signals" in columns:
        for row in [*rows, "total"] if by in PARTITIONS else rows:
            groups.append(Group(key(row, "signals"), (key(row, "routed"), key(row, "unrouted"))))
            groups += [remainder(key(row, "signals"), key(row, part)) for part in PARTS_OF_SIGNALS
                       if part in columns]
    return groups


async def _main_table(session: AsyncSession, scope: Scope, by: str, periods: list[Bucket],
                      follow: follow_up.FollowUpCounts, partners: dict[int, dict[str, int]]
                      ) -> tuple[tuple[str, ...], dict[str, dict[str, int]]]:
    if by == "partner":
        return ("signallers", "reports"), {str(partner): counts for partner, counts in partners.items()}
    if by in ("role", "sign"):
        reports = await (counted.reports_by_role if by == "role" else counted.reports_by_sign)(session, scope)
        return ("reports",), {row: {"reports": n} for row, n in reports.items()}
    if by == "event":
        return ("events",), {kind: {"events": n} for kind, n in (await counted.events_by_kind(session, scope)).items()}
    if by == "offer":
        return ("referrals",), {offer: {"referrals": n} for offer, n in follow.offers.items()}
    if by == "kind":
        return ("referred",), {kind: {"referred": n} for kind, n in follow.kinds.items()}
    implied = IMPLIED.get(by, ())
    return (tuple(c for c in SIGNAL_COLUMNS if c not in implied),
            await counted.signals_by(session, scope, by, periods))


def _order(by: str, rows: dict[str, dict[str, int]], periods: list[Bucket]) -> list[str]:
    if by in ("month", "week"):
        return [b.label for b in periods]
    return sorted(rows)


async def gather(session: AsyncSession, point: Point | None, since: datetime, until: datetime, by: str,
                 now: datetime) -> Figures:
    """All figures of ``point`` (or of every point) for signals and searches from ``since`` up to ``until``."""
    scope = Scope(since, until, point)
    zone = point.time_zone if point is not None else DUTCH_TIME
    periods = buckets(since, until, "week" if by == "week" else "month", zone)
    months = periods if by != "week" else buckets(since, until, "month", zone)
    raw: dict[Hashable, int] = {}
    groups: list[Group] = []

    follow = await follow_up.count(session, scope)
    partner_names, partners = await counted.by_partner(session, scope)
    columns, main = await _main_table(session, scope, by, periods, follow, partners)
    order = _order(by, main, periods)
    shared = SHARED.get(by, {})

    def key(row: str, column: str) -> Hashable:
        if row == "total":
            return ("T", column)
        return (shared[column], row) if column in shared else ("t", row, column)

    for row in order:
        for column in columns:
            raw[key(row, column)] = main.get(row, {}).get(column, 0)
    if by in PARTITIONS:
        for column in columns:
            raw[key("total", column)] = sum(main.get(row, {}).get(column, 0) for row in order)
    groups += _table_groups(by, order, columns, key)

    by_month = await counted.signals_by(session, scope, "month", months) if by != "month" else main
    month_parts = await counted.standing_by_bucket(session, scope, months)
    for bucket in months:
        raw[("M", bucket.label)] = by_month.get(bucket.label, {}).get("signals", 0)
        for part in MONTH_PARTS:
            raw[("m", bucket.label, part)] = month_parts.get((bucket.label, part), 0)
        groups.append(Group(("M", bucket.label), tuple(("m", bucket.label, part) for part in MONTH_PARTS)))
    if by != "month" and ("T", "signals") in raw:  # the months add up to the table's total too
        groups.append(Group(("T", "signals"), tuple(("M", bucket.label) for bucket in months)))
    if by == "outcome":  # and each outcome's months to its row
        groups += [Group(key(row, "signals"), tuple(("m", bucket.label, row) for bucket in months))
                   for row in order if row in MONTH_PARTS]

    deadlines = await counted.deadlines_by_bucket(session, scope, months, now)
    for bucket in months:
        for step in STEPS:
            values = deadlines.get(bucket.label, {})
            raw[("d", bucket.label, step, "due")] = values.get(f"{step}_due", 0)
            raw[("d", bucket.label, step, "in_time")] = values.get(f"{step}_in_time", 0)
            groups.append(remainder(("d", bucket.label, step, "due"), ("d", bucket.label, step, "in_time")))

    chosen = [point] if point is not None else list(await all_points(session))
    open_count = late = 0
    for each in chosen:
        waiting, overdue = await sla.overdue_counts(session, each.id, now)
        open_count, late = open_count + waiting, late + overdue
    raw[("b", "open")], raw[("b", "late")] = open_count, late
    groups.append(remainder(("b", "open"), ("b", "late")))

    goal_keys = await _area_goal_counts(session, scope, by, main, key, chosen, raw, groups, months)
    levels = []
    measures = await sla.reports(session, chosen, since, now, until) if chosen else {}
    for each in chosen:
        measured = measures[each.id]
        for step in ("claim", "contact"):
            levels.append((each, step, measured[step]))
            raw[("s", each.id, step, "late")] = measured[step].late_waiting

    forwarded = key(str(Outcome.FORWARDED), "signals") if by == "outcome" else ("F", "forwarded")
    follow_up.add(follow, raw, groups, forwarded, [bucket.label for bucket in months])
    for partner, counts in partners.items():
        raw[("ps", str(partner))], raw[("pr", str(partner))] = counts["signallers"], counts["reports"]
    await _residents(session, scope, raw, groups)
    if ("T", "callbacks") in raw:  # one number in two places: one key, so it is hidden alike in both
        raw.pop(("r", "callbacks"))
    shown = protect(raw, groups, unshown=[AREA_REST] if AREA_REST in raw else [])
    figures = _assemble(scope, by, zone, order, columns, key, months, shown, levels, point)
    figures.follow_up = follow_up.tables(follow, shown, forwarded)
    figures.area_goals = [AreaGoal(each.name, area, shown[k], each.area_goals[area],
                                   goal_for_period(each.area_goals[area], since, until)) for each, area, k in goal_keys]
    figures.partners = Table("partner", ("signallers", "reports"), [
        (str(partner), {"signallers": shown[("ps", str(partner))], "reports": shown[("pr", str(partner))]})
        for partner in partners], names={str(partner): name for partner, name in partner_names.items()})
    if by in ("offer", "partner"):
        figures.table.names = dict(follow.names) if by == "offer" else dict(figures.partners.names)
    figures.empty = not any(raw[("M", b.label)] for b in months) and not raw[("r", "searches")]
    return figures


async def _area_goal_counts(session: AsyncSession, scope: Scope, by: str, main: dict[str, dict[str, int]], key: Any,
                            chosen: list[Point], raw: dict[Hashable, int], groups: list[Group],
                            months: list[Bucket]) -> list[tuple[Point, str, Hashable]]:
    """The signals of each area with a goal. Together with the rest of the areas they add up to all signals (the
    months' sum): a group, so an area's small count cannot be worked out when the goals cover every area."""
    wanted = [(each, area) for each in chosen for area in sorted(each.area_goals)]
    if not wanted:
        return []
    if by == "area":  # the table's own rows and total: every area is there already
        for _each, area in wanted:
            raw.setdefault(key(area, "signals"), 0)
        return [(each, area, key(area, "signals")) for each, area in wanted]
    per_area = await counted.signals_by(session, scope, "area")
    total = ("T", "signals") if ("T", "signals") in raw else ("A", "total")
    if total not in raw:
        raw[total] = sum(raw[("M", bucket.label)] for bucket in months)
        groups.append(Group(total, tuple(("M", bucket.label) for bucket in months)))
    found = []
    for each, area in wanted:
        found.append((each, area, ("A", area)))
        raw[found[-1][2]] = per_area.get(area, {}).get("signals", 0)
    raw[AREA_REST] = raw[total] - sum(raw[k] for k in dict.fromkeys(k for _each, _area, k in found))
    groups.append(Group(total, (*dict.fromkeys(k for _each, _area, k in found), AREA_REST)))
    return found


async def _residents(session: AsyncSession, scope: Scope, raw: dict[Hashable, int], groups: list[Group]) -> None:
    totals = await counted.searches(session, scope)
    raw[("r", "searches")], raw[("r", "nothing_local")] = totals["searches"], totals["nothing_local"]
    groups.append(remainder(("r", "searches"), ("r", "nothing_local")))
    raw[("r", "callbacks")] = await counted.callbacks(session, scope)
    for by in ("need", "age", "area"):
        rows = await counted.searches_by(session, scope, by)
        for row, values in rows.items():
            for column, value in values.items():
                raw[("q", by, row, column)] = value
            groups.append(remainder(("q", by, row, "searches"), ("q", by, row, "nothing_local")))
        if by != "need":  # a search has one age band and one area, but may have several needs
            for column in ("searches", "nothing_local"):
                groups.append(Group(("r", column), tuple(("q", by, row, column) for row in rows)))
    gaps = await counted.gaps(session, scope)
    heat: dict[tuple[str, str], list[Hashable]] = {}
    for (need, area, age), value in gaps.items():
        raw[("g", need, area, age)] = value
        heat.setdefault((need, area), []).append(("g", need, area, age))
    for (need, area), cells in heat.items():
        raw[("h", need, area)] = sum(raw[c] for c in cells)
        groups.append(Group(("h", need, area), tuple(cells)))
    for need in Need:
        cells = tuple(("h", n, a) for n, a in heat if n == need)
        total = ("q", "need", str(need), "nothing_local")
        rest = ("no-area", str(need))
        raw[rest] = raw.get(total, 0) - sum(raw[c] for c in cells)
        groups.append(Group(total, (*cells, rest), frozenset({rest})))


def _assemble(scope: Scope, by: str, zone: str, order: list[str], columns: tuple[str, ...], key: Any,
              months: list[Bucket], shown: dict[Hashable, Count], levels: list[tuple[Point, str, sla.Measure]],
              point: Point | None) -> Figures:
    rows = [(row, {column: shown[key(row, column)] for column in columns}) for row in order]
    if by in PARTITIONS:
        rows.append(("total", {column: shown[key("total", column)] for column in columns}))
    month_rows = [(b.label, {"signals": shown[("M", b.label)],
                             **{part: shown[("m", b.label, part)] for part in MONTH_PARTS}}) for b in months]
    deadlines = []
    for bucket in months:
        values: dict[str, float | None] = {}
        for step in STEPS:
            due, in_time = shown[("d", bucket.label, step, "due")], shown[("d", bucket.label, step, "in_time")]
            values[step] = share(in_time, due)
        deadlines.append((bucket.label, values))
    goals = {step: getattr(point, GOAL_OF[step]) if point is not None else None for step in STEPS}
    service = [ServiceLevel(step=step, point=each.name, median_hours=_hours_if_enough(measure, "median_hours"),
                            p90_hours=_hours_if_enough(measure, "p90_hours"), within=_within(measure),
                            goal=getattr(each, GOAL_OF[step]), late_waiting=shown[("s", each.id, step, "late")])
               for each, step, measure in levels]
    searches = {}
    for by_search in ("need", "age", "area"):
        labels = sorted({k[2] for k in shown if isinstance(k, tuple) and k[:2] == ("q", by_search)})
        searches[by_search] = Table(by_search, ("searches", "nothing_local"), [
            (label, {c: shown[("q", by_search, label, c)] for c in ("searches", "nothing_local")})
            for label in labels])
    gaps = sorted(((k[1], k[2], k[3], c) for k, c in shown.items() if isinstance(k, tuple) and k[0] == "g"),
                  key=lambda g: (-(g[3].value or 0), g[3].value is None, g[0], g[1], g[2]))
    heat = {(k[1], k[2]): c for k, c in shown.items() if isinstance(k, tuple) and k[0] == "h"}
    residents: dict[str, Count | float | None] = {
        "searches": shown[("r", "searches")], "nothing_local": shown[("r", "nothing_local")],
        "nothing_local_share": share(shown[("r", "nothing_local")], shown[("r", "searches")]),
        "callbacks": shown.get(("r", "callbacks")) or shown[("T", "callbacks")]}
    return Figures(since=scope.since, until=scope.until, point=point.name if point is not None else None,
                   time_zone=zone, table=Table(by, columns, rows), months=Table("month", ("signals", *MONTH_PARTS),
                                                                               month_rows),
                   deadlines=deadlines, goals=goals, service=service,
                   backlog={"open": shown[("b", "open")], "late": shown[("b", "late")]},
                   residents=residents, searches=searches, gaps=gaps, heat=heat)


def _hours_if_enough(measure: sla.Measure, name: str) -> float | None:
    """A median or percentile over fewer than 5 signals would describe one or two people: not shown."""
    return getattr(measure, name) if measure.count >= 5 else None


def _within(measure: sla.Measure) -> float | None:
    """The share within the deadline, only when the signals in time and those late are both 5 or more (or 0)."""
    if measure.within is None:
        return None
    total = measure.count + measure.late_waiting
    in_time = round(measure.within * total)
    return share(Count(in_time) if in_time == 0 or in_time >= 5 else Count(None), Count(total))
