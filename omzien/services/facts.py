"""Database rows to the plain values the views render (``omzien.views.facts``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from omzien.flows.address import Address
from omzien.flows.signal import Consent, EntryKind, Observation, Outcome, Role
from omzien.flows.sla import DUTCH_TIME, standing
from omzien.storage.models import CaseEntry, Point, Report, Signal
from omzien.storage.overviews import Overview
from omzien.views.facts import (
    CaseFacts,
    EarlierSignal,
    EntryFacts,
    OverviewFacts,
    ReportFacts,
    SignalFacts,
    SignalLine,
)

ORDER = list(Observation)


def time_zone(point: Point | None) -> str:
    return point.time_zone if point is not None else DUTCH_TIME


def signal_facts(signal: Signal, now: datetime) -> SignalFacts:
    seen = {Observation(code) for report in signal.reports for code in report.observations}
    return SignalFacts(
        id=signal.id, reference=signal.reference, area=signal.area,
        reported_at=signal.created_at, seen=tuple(sorted(seen, key=ORDER.index)),
        consent=Consent(signal.reports[0].consent), reports=len(signal.reports),
        claimer=signal.claimer.first_name if signal.claimer else None,
        outcome=Outcome(signal.outcome) if signal.outcome else None,
        standing=standing(signal.status, due_claim=signal.due_claim_at, due_contact=signal.due_contact_at,
                          due_close=signal.due_close_at, contacted_at=signal.contacted_at,
                          paused_until=signal.paused_until, now=now),
        time_zone=time_zone(signal.point), urgent=signal.urgent)


def line_facts(signal: Any, claimer: str | None, zone: str, now: datetime) -> SignalLine:
    """A line of a list, from a signal or a row with the columns of ``storage.overviews.LINE``: no report is read."""
    return SignalLine(
        id=signal.id, reference=signal.reference, area=signal.area, claimer=claimer, time_zone=zone,
        urgent=signal.urgent,
        standing=standing(signal.status, due_claim=signal.due_claim_at, due_contact=signal.due_contact_at,
                          due_close=signal.due_close_at, contacted_at=signal.contacted_at,
                          paused_until=signal.paused_until, now=now))


def _report_facts(report: Report) -> ReportFacts:
    reporter = report.reporter
    return ReportFacts(created_at=report.created_at, role=Role(reporter.role) if reporter and reporter.role else None,
                       seen=tuple(Observation(code) for code in report.observations), consent=Consent(report.consent),
                       note=report.note, may_contact=report.may_contact and reporter is not None,
                       reporter_id=report.reporter_id or 0, reporter_name=reporter.first_name if reporter else "")


def reporter_reachable(report: Report) -> bool:
    """A reporter the claimer may put one question to: they agreed, they can be written to, and they are not a
    resident who asked to be called (the claimer calls them)."""
    reporter = report.reporter
    return bool(report.may_contact and reporter is not None and reporter.started_at and not reporter.blocked_at
                and Observation.ASKS_FOR_CALL not in report.observations)


def may_ask(signal: Signal, entries: Sequence[CaseEntry]) -> bool:
    asked = any(entry.kind == EntryKind.QUESTION for entry in entries)
    return not asked and any(map(reporter_reachable, signal.reports))


def case_facts(signal: Signal, now: datetime, entries: Sequence[CaseEntry] = (),
               earlier: Sequence[Signal] = ()) -> CaseFacts:
    return CaseFacts(signal=signal_facts(signal, now), address=Address.from_parts(signal.postcode, signal.house),
                     can_ask=may_ask(signal, entries),
                     reports=tuple(_report_facts(report) for report in signal.reports),
                     entries=tuple(EntryFacts(entry.at, entry.kind, entry.text, entry.detail) for entry in entries),
                     earlier=tuple(EarlierSignal(s.reference, s.created_at, signal_facts(s, now).seen,
                                                 Outcome(s.outcome) if s.outcome else None) for s in earlier))


def overview_facts(point: Point, overview: Overview, now: datetime) -> OverviewFacts:
    return OverviewFacts(
        point=point.name, time_zone=point.time_zone,
        waiting=tuple(line_facts(row, row.claimer, point.time_zone, now) for row in overview.waiting),
        waiting_count=overview.waiting_count, late_count=overview.late_count,
        without_contact=tuple(line_facts(row, row.claimer, point.time_zone, now) for row in overview.without_contact),
        without_contact_count=overview.without_contact_count)
