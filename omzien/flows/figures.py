"""Figures that recognise nobody: the small-number rule, and the arithmetic of medians and shares.

The rule (AVG; the same as CBS and most municipalities use):

- Every count from 1 to 4 is shown as "<5" — in a table, a CSV, JSON, a chart and in Telegram. A 0 stays 0:
  that nobody was reported in an area says nothing about a person.
- It is applied once, at the end, to the counts as they will be shown (after grouping), never before.
- A hidden count must not come back by subtraction. When a total is shown with all its parts but one,
  the hidden part is the difference. So every *group* — a total and the parts it is the sum of, and a
  count with what is left of its total (claimed, and not claimed) — is checked: each hidden small part must
  still be any of 1, 2, 3 or 4 for a reader who knows the rule and all shown numbers. Where it is not,
  the smallest shown part is hidden too (shown as "x": hidden, and 5 or more), and failing that the total.
  This repeats over all groups of one output until nothing changes, so a part hidden for one group is
  known as hidden in the others. Parts of different outputs (another period, another point) are not
  compared: a reader with two reports of overlapping periods can still subtract; see README, Figures.
- A share (say 80 % within the deadline) is a division of two counts: it is shown only when both the
  part and what is left of the whole are shown counts; a median or 90th percentile only over 5 or more.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

SMALL = 5
"""Counts below this (and above 0) are not shown."""

LESS_THAN_FIVE = "<5"
HIDDEN = "x"


class Hiding(StrEnum):
    SHOWN = "shown"
    SMALL = "small"  # 1 to 4: shown as "<5"
    GUARD = "guard"  # 5 or more, hidden so that a small one cannot be worked out: shown as "x"


@dataclass(frozen=True)
class Count:
    """A count as it may be shown."""

    value: int | None  # None: hidden
    hiding: Hiding = Hiding.SHOWN

    def __str__(self) -> str:
        if self.hiding is Hiding.SMALL:
            return LESS_THAN_FIVE
        if self.hiding is Hiding.GUARD:
            return HIDDEN
        return str(self.value)

    def json(self) -> int | str:
        return self.value if self.value is not None else str(self)

    @property
    def shown(self) -> bool:
        return self.value is not None


def is_small(count: int) -> bool:
    return 0 < count < SMALL


def shown(count: int) -> Count:
    """The primary rule alone, for a count that is the part of no group."""
    return Count(None, Hiding.SMALL) if is_small(count) else Count(count)


@dataclass(frozen=True)
class Group:
    """``total`` is the sum of ``parts``. A part in ``derived`` is never printed, but a reader can work it out
    (total minus the rest): "not claimed" beside "claimed". It is protected like a shown part."""

    total: Hashable
    parts: tuple[Hashable, ...]
    derived: frozenset[Hashable] = frozenset()


def remainder(total: Hashable, part: Hashable) -> Group:
    """A part and what is left of its total (e.g. claimed, and not claimed, of all signals)."""
    rest = ("rest-of", total, part)
    return Group(total, (part, rest), frozenset({rest}))


def _safe(small: int, guards: int, hidden_sum: int) -> bool:
    """Can each of ``small`` hidden parts (each 1–4) still be any of 1–4, when a reader knows they and ``guards``
    more hidden parts (each ≥ 5) add up to ``hidden_sum``?"""
    if small == 0:
        return True
    if guards:
        return hidden_sum - (small - 1) - SMALL * guards >= SMALL - 1
    return hidden_sum - (SMALL - 1) * (small - 1) <= 1 and hidden_sum - (small - 1) >= SMALL - 1


def protect(counts: Mapping[Hashable, int], groups: Iterable[Group] = (),
            unshown: Iterable[Hashable] = ()) -> dict[Hashable, Count]:
    """Every count of one output as it may be shown (see the module docstring). ``counts`` holds the parts in
    ``derived`` too; those are left out of the result. A part in ``unshown`` is never printed and cannot be
    worked out (the areas without a goal): it counts as hidden — as if known to be 1–4, or 5 or more (a 0 as
    known) — which is the cautious side."""
    values = dict(counts)
    groups = list(groups)
    for group in groups:
        for rest in group.derived:
            values.setdefault(rest, values[group.total] - sum(values[p] for p in group.parts if p != rest))
    hiding = {key: Hiding.SMALL if is_small(value) else Hiding.SHOWN for key, value in values.items()}
    for key in unshown:
        if values[key] >= SMALL:
            hiding[key] = Hiding.GUARD
    changed = True
    while changed:
        changed = False
        for group in groups:
            if hiding[group.total] is not Hiding.SHOWN:
                if _total_given_away(group, hiding, values):
                    changed = True
                continue
            hidden = [p for p in group.parts if hiding[p] is not Hiding.SHOWN]
            small = sum(1 for p in hidden if hiding[p] is Hiding.SMALL)
            guards = len(hidden) - small
            if _safe(small, guards, sum(values[p] for p in hidden)):
                continue
            choosable = sorted((p for p in group.parts
                                if hiding[p] is Hiding.SHOWN and values[p] > 0 and p not in group.derived),
                               key=lambda p: (values[p], str(p)))
            if not choosable:
                hiding[group.total] = Hiding.GUARD
            else:  # the smallest part that makes it safe, else the largest (it comes closest)
                hidden_sum = sum(values[p] for p in hidden)
                enough = [p for p in choosable if _safe(small, guards + 1, hidden_sum + values[p])]
                hiding[enough[0] if enough else choosable[-1]] = Hiding.GUARD
            changed = True
    derived = {rest for group in groups for rest in group.derived} | set(unshown)
    return {key: Count(values[key] if hiding[key] is Hiding.SHOWN else None, hiding[key])
            for key in values if key not in derived}


def _total_given_away(group: Group, hiding: dict[Hashable, Hiding], values: dict[Hashable, int]) -> bool:
    """A hidden total whose parts are all shown is their sum: hide the smallest part too. Returns whether it did."""
    if group.derived or any(hiding[p] is not Hiding.SHOWN for p in group.parts):
        return False
    positive = sorted((p for p in group.parts if values[p] > 0), key=lambda p: (values[p], str(p)))
    if not positive:
        return False
    hiding[positive[0]] = Hiding.GUARD
    return True


def share(part: Count, whole: Count, rest: Count | None = None) -> float | None:
    """``part`` / ``whole`` when it gives nobody away: both shown, and what is left (``rest``) shown too."""
    if part.value is None or whole.value is None or whole.value == 0:
        return None
    if rest is not None and rest.value is None:
        return None
    if is_small(part.value) or is_small(whole.value) or is_small(whole.value - part.value):
        return None
    return part.value / whole.value


def percentile(values: Sequence[float], fraction: float) -> float | None:
    """Nearest rank (a value that really occurred), and only over ``SMALL`` values or more."""
    if len(values) < SMALL:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def median(values: Sequence[float]) -> float | None:
    return percentile(values, 0.5)


@dataclass(frozen=True)
class Bucket:
    """One month or week of a period, on the wall clock of the point (from ``start`` up to ``end``)."""

    label: str  # "2026-11" or "2026-W48"
    start: datetime
    end: datetime


def buckets(since: datetime, until: datetime, size: str, time_zone: str) -> list[Bucket]:
    """The calendar months (``size`` "month") or ISO weeks ("week") that ``since``–``until`` touches, as UTC
    moments of their local midnights, cut to the period."""
    zone = ZoneInfo(time_zone)
    day = since.astimezone(zone).date()
    first = day.replace(day=1) if size == "month" else day - timedelta(days=day.weekday())
    found = []
    while True:
        following = ((first.replace(day=28) + timedelta(days=4)).replace(day=1) if size == "month"
                     else first + timedelta(days=7))
        start = datetime.combine(first, time(0), zone).astimezone(UTC)
        if start >= until:
            break
        end = datetime.combine(following, time(0), zone).astimezone(UTC)
        iso = first.isocalendar()
        label = first.strftime("%Y-%m") if size == "month" else f"{iso.year}-W{iso.week:02d}"
        found.append(Bucket(label, max(start, since), min(end, until)))
        first = following
    return found


def area_goals_of(text: str) -> dict[str, int]:
    """``3044=20,3045=15``: at least so many signals a year from each 4-digit area (0 removes a goal)."""
    goals = {}
    for part in filter(None, (p.strip() for p in text.replace(";", ",").split(","))):
        area, _sep, count = part.partition("=")
        if not (area.strip().isdigit() and len(area.strip()) == 4 and count.strip().isdigit()):
            raise ValueError(part)
        goals[area.strip()] = int(count)
    return goals


def goal_for_period(per_year: int, since: datetime, until: datetime) -> int:
    """A goal a year, for a period of another length (rounded up: a goal is not met by rounding)."""
    return math.ceil(per_year * (until - since).total_seconds() / (365.25 * 86400) - 1e-9)


@dataclass(frozen=True)
class AreaGoal:
    """Signals from one area against the point's goal for it (Kwaliteitskompas): a goal on a count."""

    point: str
    area: str
    signals: Count
    per_year: int
    for_period: int

    @property
    def reached(self) -> bool | None:
        """Only said of a shown count: of a hidden one (1–4) it could tell which."""
        return None if self.signals.value is None else self.signals.value >= self.for_period


# A set of figures as it may be shown: every count already through ``protect``.

@dataclass
class Table:
    by: str
    columns: tuple[str, ...]
    rows: list[tuple[str, dict[str, Count]]]  # the total row, if any, last and labelled "total"
    names: dict[str, str] = field(default_factory=dict)  # rows named by the data (offers), not by the views


@dataclass
class ServiceLevel:
    step: str  # claim, contact
    point: str
    median_hours: float | None
    p90_hours: float | None
    within: float | None
    goal: float | None
    late_waiting: Count


@dataclass
class Figures:
    since: datetime
    until: datetime
    point: str | None  # None: all points
    time_zone: str
    table: Table
    months: Table  # signals per month by how they stand (chart)
    deadlines: list[tuple[str, dict[str, float | None]]]  # per month: share within each deadline (chart)
    goals: dict[str, float | None]
    service: list[ServiceLevel]
    backlog: dict[str, Count]
    residents: dict[str, Count | float | None]
    searches: dict[str, Table]  # by need, age, area
    gaps: list[tuple[str, str, str, Count]]  # need, area, age band: nothing local found; most first
    heat: dict[tuple[str, str], Count]  # need by area
    follow_up: dict[str, Table] = field(default_factory=dict)  # by offer, kind, forward, check, resident, reopened
    area_goals: list[AreaGoal] = field(default_factory=list)
    partners: Table | None = None  # signallers who came through each partner's link, and their reports
    empty: bool = field(default=False)
