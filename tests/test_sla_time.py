"""Deadline arithmetic in working time: examples a coordinator would check, and properties."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from omzien.flows.sla import (
    Alert,
    NeverOpen,
    Phase,
    Policy,
    WorkingTime,
    deadlines,
    first_after,
    following,
    schedule,
)

AMS = ZoneInfo("Europe/Amsterdam")
WORK = WorkingTime()
DAY = WORK.days(1)


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=AMS).astimezone(UTC)


def test_saturday_evening_starts_counting_on_monday_morning() -> None:
    assert WORK.add(local(2026, 11, 28, 20, 15), DAY) == local(2026, 11, 30, 17, 0)
    assert WORK.add(local(2026, 11, 28, 20, 15), timedelta(0)) == local(2026, 11, 30, 9, 0)


def test_monday_ten_oclock_plus_one_day_is_tuesday_ten() -> None:
    assert WORK.add(local(2026, 11, 23, 10, 0), DAY) == local(2026, 11, 24, 10, 0)


def test_friday_before_christmas_skips_the_weekend_and_both_christmas_days() -> None:
    # Friday 18 December 16:55: five minutes that day, then Monday 21 ... Thursday 24; the 25th is a holiday.
    start = local(2026, 12, 18, 16, 55)
    assert WORK.add(start, DAY) == local(2026, 12, 21, 16, 55)
    assert WORK.add(start, WORK.days(3)) == local(2026, 12, 23, 16, 55)
    assert WORK.add(local(2026, 12, 24, 16, 30), DAY) == local(2026, 12, 28, 16, 30)


def test_kings_day_is_skipped() -> None:
    # King's Day 2026 is Monday 27 April.
    assert WORK.add(local(2026, 4, 24, 12, 0), DAY) == local(2026, 4, 28, 12, 0)


def test_extra_closed_days_and_other_hours() -> None:
    work = WorkingTime(opens=time(8, 30), closes=time(12, 30), weekdays=frozenset({0, 2, 4}),
                       closed_days=frozenset({date(2026, 11, 25)}))
    assert work.day_length == timedelta(hours=4)
    # Monday 23 Nov 12:00 + 1 day: half an hour Monday, Wednesday closed, Friday 08:30 + 3.5 h.
    assert work.add(local(2026, 11, 23, 12, 0), work.days(1)) == local(2026, 11, 27, 12, 0)


def test_daylight_saving_keeps_the_wall_clock() -> None:
    # Summer time starts on Sunday 29 March 2026, ends on Sunday 25 October 2026.
    assert WORK.add(local(2026, 3, 27, 13, 0), DAY) == local(2026, 3, 30, 13, 0)
    assert WORK.add(local(2026, 10, 23, 13, 0), DAY) == local(2026, 10, 26, 13, 0)
    assert WORK.between(local(2026, 10, 23, 13, 0), local(2026, 10, 26, 13, 0)) == DAY


def test_a_point_that_is_never_open_is_refused() -> None:
    with pytest.raises(ValueError):
        WorkingTime(opens=time(17), closes=time(9))
    work = WorkingTime(weekdays=frozenset({5}), public_holidays=False,
                       closed_days=frozenset(date(2026, 1, 1) + timedelta(days=i) for i in range(4000)))
    with pytest.raises(NeverOpen):
        work.add(local(2026, 1, 1, 9, 0), DAY)


def test_policy_allowances_are_ordered() -> None:
    with pytest.raises(ValueError):
        Policy(claim_days=4, contact_days=3)


def test_schedule_of_a_waiting_signal_and_of_a_claimed_one() -> None:
    policy = Policy()
    reported = local(2026, 11, 23, 10, 0)
    due = deadlines(policy, reported)
    assert (due.claim, due.contact, due.close) == (
        local(2026, 11, 24, 10, 0), local(2026, 11, 26, 10, 0), local(2026, 12, 7, 10, 0))
    waiting = schedule(policy, Phase.CLAIM, waiting_since=reported, due_claim=due.claim, due_contact=due.contact,
                       due_close=due.close)
    assert waiting == [(local(2026, 11, 23, 14, 0), Alert.CLAIM_HALF), (due.claim, Alert.CLAIM_DUE),
                       (local(2026, 11, 26, 10, 0), Alert.CLAIM_LATE)]
    claimed = schedule(policy, Phase.CONTACT, waiting_since=reported, due_claim=due.claim, due_contact=due.contact,
                       due_close=due.close)
    assert [alert for _, alert in claimed] == [Alert.CONTACT_DUE, Alert.CONTACT_LATE, Alert.CLOSE_DUE]
    assert claimed[1][0] == local(2026, 11, 27, 10, 0)
    assert first_after(claimed, local(2026, 11, 26, 12, 0)) == claimed[1]
    assert following(claimed, Alert.CONTACT_LATE) == claimed[2]
    assert following(claimed, Alert.CLOSE_DUE) is None
    assert following(claimed, Alert.CLAIM_DUE) is None


# Properties, over four years that include both daylight-saving switches, Christmas and King's Day.

moments = st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2028, 12, 31),
                       timezones=st.just(UTC))
allowances = st.integers(min_value=0, max_value=40 * 8 * 60).map(lambda minutes: timedelta(minutes=minutes))
work_times = st.builds(
    WorkingTime,
    opens=st.sampled_from([time(7), time(8, 30), time(9)]),
    closes=st.sampled_from([time(12), time(17), time(21, 45)]),
    weekdays=st.frozensets(st.integers(0, 6), min_size=1),
    closed_days=st.frozensets(st.dates(date(2025, 1, 1), date(2028, 12, 31)), max_size=20),
)


@settings(max_examples=300, deadline=None)
@given(work=work_times, start=moments, allowance=allowances)
def test_a_deadline_is_never_in_closed_time_nor_before_the_start(
        work: WorkingTime, start: datetime, allowance: timedelta) -> None:
    deadline = work.add(start, allowance)
    assert deadline >= start
    assert work.is_open(deadline)


@settings(max_examples=300, deadline=None)
@given(work=work_times, start=moments, one=allowances, other=allowances)
def test_deadlines_grow_with_the_allowance(work: WorkingTime, start: datetime, one: timedelta,
                                           other: timedelta) -> None:
    small, large = sorted((one, other))
    assert work.add(start, small) <= work.add(start, large)


@settings(max_examples=300, deadline=None)
@given(start=moments, allowance=allowances)
def test_the_working_time_between_start_and_deadline_is_the_allowance(start: datetime, allowance: timedelta) -> None:
    assert WORK.between(start, WORK.add(start, allowance)) == allowance


@settings(max_examples=200, deadline=None)
@given(start=moments, first=allowances, second=allowances)
def test_adding_in_two_steps_is_adding_once(start: datetime, first: timedelta, second: timedelta) -> None:
    assert WORK.add(WORK.add(start, first), second) == WORK.add(start, first + second)


@settings(max_examples=200, deadline=None)
@given(start=moments)
def test_no_working_time_on_holidays_and_weekends(start: datetime) -> None:
    day = WORK.local_date(start)
    if day.weekday() >= 5 or day in (date(day.year, 12, 25), date(day.year, 12, 26), date(day.year, 1, 1)):
        assert not WORK.is_open(start)
        opens, _ = WORK.window(day)
        assert WORK.between(opens, opens + timedelta(hours=8)) == timedelta(0)
