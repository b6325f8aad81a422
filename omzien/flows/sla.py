"""Service levels: deadlines in a signal point's working time, and the alerts they set off.

A signal point promises to pick a signal up, make contact and close it within a number of
*working days*. ``WorkingTime.add`` does the arithmetic, by these rules:

- Time counts only while the point is open: on its working days (default Monday to Friday),
  from its opening to its closing time (default 09:00–17:00) on the wall clock of its time zone
  (default Europe/Amsterdam), except on Dutch public holidays (the ``holidays`` package) and on
  the point's own extra closed days.
- A working day of allowance is one full working day of the point (8 hours with the default
  hours); half a day is half of that.
- Counting starts at the start if the point is open then, otherwise at its next opening: a
  signal on Saturday evening starts counting on Monday 09:00.
- A deadline that falls exactly at closing time stays there (Tuesday 17:00); it is never moved
  into closed time.
- Opening hours are wall-clock times, so a working day is 09:00–17:00 in summer and winter time
  alike; the daylight-saving switches (at night, on Sundays) change nothing.

``phase`` says which deadline of a signal matters now and ``standing`` whether it is late: the one
place that decides it, for the card, the overview, the reminders and the planner. ``schedule`` lists
the alerts of a signal in the order they fall due; ``Alert`` says who hears.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from functools import cache, cached_property
from zoneinfo import ZoneInfo

import holidays

from omzien.flows.signal import Status


@cache
def dutch_holidays() -> holidays.HolidayBase:
    """One shared calendar: it fills in the years it is asked about, and building it is not cheap."""
    return holidays.country_holidays("NL")


DUTCH_TIME = "Europe/Amsterdam"
"""The time zone of a point unless it says otherwise, and of times typed on the command line."""

MAX_DAYS_AHEAD = 3660
"""A deadline further away than ten years means the point is never open: refused as a configuration error."""


class NeverOpen(ValueError):
    pass


@dataclass(frozen=True)
class WorkingTime:
    time_zone: str = DUTCH_TIME
    opens: time = time(9)
    closes: time = time(17)
    weekdays: frozenset[int] = frozenset(range(5))  # Monday is 0
    closed_days: frozenset[date] = frozenset()
    public_holidays: bool = True

    def __post_init__(self) -> None:
        if not self.opens < self.closes:
            raise ValueError("the point must open before it closes")
        if not self.weekdays or not self.weekdays <= set(range(7)):
            raise ValueError("working days must be some of Monday (0) to Sunday (6)")
        ZoneInfo(self.time_zone)  # an unknown zone fails here, not at the first deadline

    @cached_property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    @property
    def _holidays(self) -> holidays.HolidayBase:
        return dutch_holidays()

    @property
    def day_length(self) -> timedelta:
        return datetime.combine(date.min, self.closes) - datetime.combine(date.min, self.opens)

    def days(self, count: float) -> timedelta:
        """An allowance of ``count`` working days as working time."""
        return self.day_length * count

    def is_working_day(self, day: date) -> bool:
        return (day.weekday() in self.weekdays and day not in self.closed_days
                and not (self.public_holidays and day in self._holidays))

    def window(self, day: date) -> tuple[datetime, datetime]:
        """Opening and closing time of ``day`` (a working day), in UTC."""
        return (datetime.combine(day, self.opens, self.zone).astimezone(UTC),
                datetime.combine(day, self.closes, self.zone).astimezone(UTC))

    def local_date(self, moment: datetime) -> date:
        return moment.astimezone(self.zone).date()

    def _windows_from(self, moment: datetime) -> Iterable[tuple[datetime, datetime]]:
        day = self.local_date(moment)
        for offset in range(MAX_DAYS_AHEAD):
            current = day + timedelta(days=offset)
            if self.is_working_day(current):
                yield self.window(current)
        raise NeverOpen("no working time in the next ten years")

    def add(self, start: datetime, allowance: timedelta) -> datetime:
        """The moment ``allowance`` of working time after ``start`` (the rules are in the module docstring)."""
        if allowance < timedelta(0):
            raise ValueError("a negative allowance")
        remaining = allowance
        for opens, closes in self._windows_from(start):
            begin = max(start, opens)
            if begin > closes:
                continue
            if remaining <= closes - begin:
                return begin + remaining
            remaining -= closes - begin
        raise AssertionError("unreachable")

    def between(self, start: datetime, end: datetime) -> timedelta:
        """Working time from ``start`` to ``end`` (zero if ``end`` is not later)."""
        total = timedelta(0)
        if end <= start:
            return total
        for opens, closes in self._windows_from(start):
            if opens >= end:
                break
            total += max(timedelta(0), min(closes, end) - max(opens, start))
        return total

    def is_open(self, moment: datetime) -> bool:
        day = self.local_date(moment)
        if not self.is_working_day(day):
            return False
        opens, closes = self.window(day)
        return opens <= moment <= closes


@dataclass(frozen=True)
class Policy:
    """What a signal point promises, in working days, and when it works."""

    claim_days: float = 1
    contact_days: float = 3
    close_days: float = 10
    working: WorkingTime = field(default_factory=WorkingTime)
    urgent_claim_days: float = 0.25  # a signal with crisis words: picked up the same working day

    def __post_init__(self) -> None:
        if not 0 < self.claim_days <= self.contact_days <= self.close_days:
            raise ValueError("allowances must be positive and claim ≤ contact ≤ close")
        if not 0 < self.urgent_claim_days <= self.claim_days:
            raise ValueError("the urgent allowance must be positive and at most the claim allowance")

    def claim_allowance(self, urgent: bool) -> float:
        return self.urgent_claim_days if urgent else self.claim_days


ESCALATION_FACTOR = 3
"""At three times the claim allowance the regional fallback hears, as Dutch municipal reporting systems flag."""

CONTACT_GRACE_DAYS = 1
"""A claimer without recorded contact is reminded privately at the deadline, the group a working day later."""

COUNT_UP_TO = 1000
"""Overviews count waiting signals up to this many ("1000+"): a sweep then costs the same with a million open."""

PAUSE_DAYS = 5
"""A pause (the person is away, in hospital, ...) holds the reminders for a working week."""


class Alert(StrEnum):
    """The alerts of a signal, in the order they fall due, and who hears of them."""

    CLAIM_HALF = "claim_half"  # half the claim window gone: the group's overview
    CLAIM_DUE = "claim_due"  # not picked up in time: the overview, and the point's coordinators
    CLAIM_LATE = "claim_late"  # three times the allowance: the regional fallback contact
    CONTACT_DUE = "contact_due"  # no contact recorded in time: the claimer, privately
    CONTACT_LATE = "contact_late"  # a working day later: the group's overview
    CLOSE_DUE = "close_due"  # not closed in time: the claimer, privately


class Phase(StrEnum):
    """Which deadline of a signal matters now."""

    UNROUTED = "unrouted"  # no point covers it yet, or it is on hold: no clock runs
    CLAIM = "claim"  # waiting to be picked up
    CONTACT = "contact"  # claimed, no contact recorded yet
    CLOSE = "close"  # contact made, an outcome still to come
    CLOSED = "closed"


CLOCKED = frozenset({Phase.CLAIM, Phase.CONTACT, Phase.CLOSE})
"""The phases in which deadlines run and alerts fall due."""


def phase(status: str, contacted: bool) -> Phase:
    if status == Status.NEW:
        return Phase.CLAIM
    if status == Status.CLAIMED:
        return Phase.CLOSE if contacted else Phase.CONTACT
    return Phase.UNROUTED if status in (Status.UNROUTED, Status.ON_HOLD) else Phase.CLOSED


@dataclass(frozen=True)
class Standing:
    """Where a signal stands against its deadlines at one moment."""

    phase: Phase
    due: datetime | None  # the deadline of the phase
    passed: bool  # that deadline has passed
    late: bool  # past a deadline that still applies (the closing deadline applies before contact too)
    paused_until: datetime | None  # while a pause holds the reminders


def standing(status: str, *, due_claim: datetime | None, due_contact: datetime | None, due_close: datetime | None,
             contacted_at: datetime | None, paused_until: datetime | None, now: datetime) -> Standing:
    """The deadline that matters now and whether the signal is late.

    A signal is late when it waits past its claim deadline, or is claimed past its contact deadline
    without recorded contact, or past its closing deadline. ``omzien.storage.sla.overdue_counts``
    is the same rule in SQL.
    """
    current = phase(status, contacted_at is not None)
    due = due_claim if current is Phase.CLAIM else due_contact if current is Phase.CONTACT \
        else due_close if current is Phase.CLOSE else None
    passed = due is not None and due <= now
    late = passed or (current is Phase.CONTACT and due_close is not None and due_close <= now)
    paused = paused_until if current in (Phase.CONTACT, Phase.CLOSE) and paused_until and paused_until > now \
        else None
    return Standing(current, due, passed, late, paused)


@dataclass(frozen=True)
class Deadlines:
    claim: datetime
    contact: datetime
    close: datetime


def deadlines(policy: Policy, reported_at: datetime, urgent: bool = False) -> Deadlines:
    """All three deadlines count from the first report; an urgent signal is to be picked up sooner."""
    add, days = policy.working.add, policy.working.days
    return Deadlines(claim=add(reported_at, days(policy.claim_allowance(urgent))),
                     contact=add(reported_at, days(policy.contact_days)),
                     close=add(reported_at, days(policy.close_days)))


def claim_deadline(policy: Policy, waiting_since: datetime, urgent: bool = False) -> datetime:
    """A signal given back starts a new claim window; one that was never claimed counts from the report."""
    return policy.working.add(waiting_since, policy.working.days(policy.claim_allowance(urgent)))


def schedule(policy: Policy, current: Phase, *, waiting_since: datetime, due_claim: datetime,
             due_contact: datetime, due_close: datetime, urgent: bool = False) -> list[tuple[datetime, Alert]]:
    """The alerts of a signal in its current phase, earliest first (none outside the clocked phases)."""
    add, days = policy.working.add, policy.working.days
    if current is Phase.CLAIM:
        allowance = days(policy.claim_allowance(urgent))
        return [(add(waiting_since, allowance / 2), Alert.CLAIM_HALF),
                (due_claim, Alert.CLAIM_DUE),
                (add(waiting_since, allowance * ESCALATION_FACTOR), Alert.CLAIM_LATE)]
    alerts = []
    if current is Phase.CONTACT:
        alerts = [(due_contact, Alert.CONTACT_DUE),
                  (add(due_contact, days(CONTACT_GRACE_DAYS)), Alert.CONTACT_LATE)]
    if current in (Phase.CONTACT, Phase.CLOSE):
        alerts.append((due_close, Alert.CLOSE_DUE))
    return sorted(alerts)


def first_after(alerts: list[tuple[datetime, Alert]], moment: datetime) -> tuple[datetime, Alert] | None:
    """The first alert still to come after a change at ``moment``: what already passed is not sent late."""
    return next(((at, alert) for at, alert in alerts if at > moment), None)


def following(alerts: list[tuple[datetime, Alert]], sent: Alert) -> tuple[datetime, Alert] | None:
    """The alert after the one just sent (it may be due already, if the sweep was late)."""
    kinds = [alert for _, alert in alerts]
    if sent not in kinds:
        return None
    rest = alerts[kinds.index(sent) + 1:]
    return rest[0] if rest else None


DAY_NAMES = {"ma": 0, "di": 1, "wo": 2, "do": 3, "vr": 4, "za": 5, "zo": 6,
             "mo": 0, "tu": 1, "we": 2, "th": 3, "fr": 4, "sa": 5, "su": 6}


def parse_weekdays(text: str) -> frozenset[int]:
    """"ma-vr", "ma,di,do" or "mo-fr": the working days, Monday being 0. Raises ValueError."""
    days: set[int] = set()
    for part in text.lower().replace(" ", "").split(","):
        first, _, last = part.partition("-")
        if first[:2] not in DAY_NAMES or (last and last[:2] not in DAY_NAMES):
            raise ValueError(part)
        start, end = DAY_NAMES[first[:2]], DAY_NAMES[(last or first)[:2]]
        if end < start:
            raise ValueError(part)
        days.update(range(start, end + 1))
    return frozenset(days)


def parse_hours(text: str) -> tuple[time, time]:
    """"09:00-17:00": opening and closing time. Raises ValueError."""
    opens, _, closes = text.replace(" ", "").partition("-")
    return time.fromisoformat(opens), time.fromisoformat(closes)
