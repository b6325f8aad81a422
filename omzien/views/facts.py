"""The plain values views render: what an audience may know of a signal, copied out of the database rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from omzien.flows.address import Address
from omzien.flows.signal import Consent, Observation, Outcome, Role
from omzien.flows.sla import Phase, Standing


@dataclass(frozen=True, kw_only=True)
class SignalLine:
    """What one line of a list shows of a signal (the overview, a reminder): its reference, area and deadline."""

    id: int
    reference: str
    area: int
    standing: Standing
    time_zone: str  # the point's
    claimer: str | None = None  # the first name of the worker who has it
    urgent: bool = False  # a report points to a crisis

    @property
    def contacted(self) -> bool:
        return self.standing.phase is Phase.CLOSE


@dataclass(frozen=True, kw_only=True)
class SignalFacts(SignalLine):
    """What the group, a coordinator and a claimer's reminder may know: never the address, a note or a name of
    the reporter."""

    reported_at: datetime
    seen: tuple[Observation, ...]  # what all reports noticed, in the order of the signal cards
    consent: Consent  # as the first report said
    reports: int
    outcome: Outcome | None


@dataclass(frozen=True)
class ReportFacts:
    created_at: datetime
    role: Role | None
    seen: tuple[Observation, ...]
    consent: Consent
    note: str | None
    may_contact: bool
    reporter_id: int
    reporter_name: str


@dataclass(frozen=True)
class EntryFacts:
    """A note, an attempt, a question to the reporter or its answer."""

    at: datetime
    kind: str
    text: str | None
    detail: str | None


@dataclass(frozen=True)
class EarlierSignal:
    """An earlier signal on the same address, still within its retention period."""

    reference: str
    reported_at: datetime
    seen: tuple[Observation, ...]
    outcome: Outcome | None


@dataclass(frozen=True)
class CaseFacts:
    """What only the worker who holds the signal sees."""

    signal: SignalFacts
    address: Address
    reports: tuple[ReportFacts, ...]
    entries: tuple[EntryFacts, ...] = ()
    earlier: tuple[EarlierSignal, ...] = ()
    can_ask: bool = False  # one question to a reporter may still be sent


@dataclass(frozen=True)
class OverviewFacts:
    """A group's overview: the most urgent few of each list, and how many there are in all (counted up to
    ``flows.sla.COUNT_UP_TO``)."""

    point: str
    time_zone: str
    waiting: tuple[SignalLine, ...]
    waiting_count: int
    late_count: int
    without_contact: tuple[SignalLine, ...]
    without_contact_count: int
