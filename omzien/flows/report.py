"""A report as the signaller builds it, step by step, before it is sent.

The steps follow the signal cards: where (postcode and house number), what was noticed,
whether the person knows and, only if they do, whether the signal point may contact them,
an optional short note, whether the signal point may contact the signaller, and a last look
before sending. ``back`` always returns to the step before (the one that was asked).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

from omzien.flows.address import Address
from omzien.flows.crisis import points_to_crisis
from omzien.flows.signal import NEEDS_VEILIG_THUIS, NOTE_LIMIT, Consent, Knows, Observation, consent_of


class Step(StrEnum):
    ADDRESS = "address"
    OBSERVATIONS = "observations"
    CONSENT = "consent"  # does the resident know?
    AGREES = "agrees"  # only if so: may the signal point contact them?
    NOTE = "note"
    CONTACT = "contact"
    SUMMARY = "summary"


STEPS = list(Step)


def step_before(step: Step, draft: ReportDraft | None = None) -> Step | None:
    """The step asked before ``step``: the second consent question only when the resident knows."""
    index = STEPS.index(step)
    before = STEPS[index - 1] if index else None
    if before is Step.AGREES and (draft is None or draft.knows is not Knows.YES):
        return Step.CONSENT
    return before


class NoteTooLong(ValueError):
    def __init__(self, length: int) -> None:
        super().__init__(f"note of {length} characters; the limit is {NOTE_LIMIT}")
        self.length = length


@dataclass
class ReportDraft:
    postcode: str | None = None
    house: str | None = None
    observations: list[Observation] = field(default_factory=list)
    knows: Knows | None = None
    consent: Consent | None = None
    note: str | None = None
    may_contact: bool | None = None
    urgent: bool = False  # the note points to suicidal thoughts or danger (omzien.flows.crisis)

    @property
    def address(self) -> Address | None:
        if self.postcode is None or self.house is None:
            return None
        return Address.from_parts(self.postcode, self.house)

    def set_address(self, address: Address) -> None:
        self.postcode, self.house = address.postcode, address.house

    def answer_knows(self, knows: Knows) -> Step:
        """The first consent question; the step that comes next."""
        self.knows = knows
        self.consent = None if knows is Knows.YES else consent_of(knows)
        return Step.AGREES if knows is Knows.YES else Step.NOTE

    def answer_agrees(self, agrees: bool | None) -> None:
        """The second: may the signal point contact the resident (None: the reporter does not know)."""
        self.consent = consent_of(Knows.YES, agrees)

    @property
    def needs_veilig_thuis(self) -> bool:
        """Signs of abuse or neglect: the reporter also hears of Veilig Thuis."""
        return bool(NEEDS_VEILIG_THUIS.intersection(self.observations))

    def toggle(self, observation: Observation) -> None:
        if observation in self.observations:
            self.observations.remove(observation)
        else:
            self.observations.append(observation)
            self.observations.sort(key=list(Observation).index)

    def set_note(self, text: str) -> None:
        """A short note; words that point to a crisis make the report urgent (the words stay in the note)."""
        text = text.strip()
        if len(text) > NOTE_LIMIT:
            raise NoteTooLong(len(text))
        self.note = text or None
        self.urgent = self.urgent or points_to_crisis(text)

    @property
    def complete(self) -> bool:
        return (
            self.address is not None
            and bool(self.observations)
            and self.consent is not None
            and self.may_contact is not None
        )

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ReportDraft:
        return cls(
            postcode=data.get("postcode"),
            house=data.get("house"),
            observations=[Observation(o) for o in data.get("observations", [])],
            knows=Knows(data["knows"]) if data.get("knows") else None,
            consent=Consent(data["consent"]) if data.get("consent") else None,
            note=data.get("note"),
            may_contact=data.get("may_contact"),
            urgent=bool(data.get("urgent")),
        )
