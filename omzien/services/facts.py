"""Database rows to the plain values the views render (``omzien.views.facts``)."""

from __future__ import annotations

from datetime import datetime

from omzien.flows.address import Address
from omzien.flows.signal import Consent, Observation, Outcome, Role
from omzien.flows.sla import DUTCH_TIME, standing
from omzien.storage.models import Point, Report, Signal
from omzien.storage.sla import Overview
from omzien.views.facts import CaseFacts, OverviewFacts, ReportFacts, SignalFacts

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


def _report_facts(report: Report) -> ReportFacts:
    reporter = report.reporter
    return ReportFacts(created_at=report.created_at, role=Role(reporter.role) if reporter and reporter.role else None,
                       seen=tuple(Observation(code) for code in report.observations), consent=Consent(report.consent),
                       note=report.note, may_contact=report.may_contact and reporter is not None,
                       reporter_id=report.reporter_id or 0, reporter_name=reporter.first_name if reporter else "")


def case_facts(signal: Signal, now: datetime) -> CaseFacts:
    return CaseFacts(signal=signal_facts(signal, now), address=Address.from_parts(signal.postcode, signal.house),
                     reports=tuple(_report_facts(report) for report in signal.reports))


def overview_facts(point: Point, overview: Overview, now: datetime) -> OverviewFacts:
    return OverviewFacts(
        point=point.name, time_zone=point.time_zone,
        waiting=tuple(signal_facts(s, now) for s in overview.waiting), waiting_count=overview.waiting_count,
        late_count=overview.late_count, without_contact=tuple(signal_facts(s, now) for s in overview.without_contact),
        without_contact_count=overview.without_contact_count)
