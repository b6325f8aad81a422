""""Wat is er voor mij?" as the resident answers it, step by step, before and after the search.

The questions follow what a welfare worker would ask: what would help (one or more needs, for
oneself or for someone else, only free offers or not), the age, whether going out is an option,
and the postcode area (or none: national offers only). A sentence can be typed at any question;
it is searched with what was already chosen, after the postcode question if that was not put yet.
After the answer come the results; *Bel mij terug* asks for consent, then a phone number, then the
address, and becomes a signal.

``FOLLOWING`` and ``BACK_TO`` are the step table; ``FindDraft`` holds the answers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from omzien.flows.address import Address
from omzien.flows.matching import GoingOut, Query, understand
from omzien.flows.offers import Need
from omzien.flows.report import ReportDraft
from omzien.flows.signal import Consent, Observation

TEXT_LIMIT = 500
"""A typed sentence is searched up to this many characters."""


class FindStep(StrEnum):
    NEEDS = "n"
    AGE = "a"
    GOING_OUT = "g"
    POSTCODE = "p"
    RESULTS = "r"
    CALL = "c"  # may the signal point call? (consent)
    PHONE = "t"
    ADDRESS = "h"


QUESTIONS = (FindStep.NEEDS, FindStep.AGE, FindStep.GOING_OUT, FindStep.POSTCODE)
"""The steps that ask before the search; a typed sentence answers any of them (and the results)."""

FOLLOWING = {FindStep.NEEDS: FindStep.AGE, FindStep.AGE: FindStep.GOING_OUT, FindStep.GOING_OUT: FindStep.POSTCODE}
BACK_TO = {after: before for before, after in FOLLOWING.items()}


@dataclass(frozen=True)
class AgeBand:
    key: str
    typical: int  # an age within the band: the offers' age limits are compared with it


AGE_BANDS = {band.key: band for band in (
    AgeBand("u18", 15), AgeBand("18", 35), AgeBand("50", 57), AgeBand("65", 70), AgeBand("75", 82))}
"""Under 18, 18–50, 50–65, 65–75, 75 and older: asked as a band, never as a birth date."""


@dataclass
class FindDraft:
    needs: list[Need] = field(default_factory=list)
    for_someone_else: bool = False
    free_only: bool = False
    age_band: str | None = None
    going_out: GoingOut | None = None
    area: int | None = None  # 4-digit postcode area
    area_asked: bool = False  # the postcode question was put (answered or skipped)
    text: str = ""
    offset: int = 0  # of the results shown last
    search_id: int | None = None  # the anonymous search row, to note which offers were opened
    phone: str | None = None  # for the call-back; kept only until the signal is filed
    urgent: bool = False  # the call-back was asked for from the crisis answer

    def toggle(self, need: Need) -> None:
        self.needs = sorted(set(self.needs) ^ {need})

    def answer(self, step: FindStep, value: str | None) -> FindStep:
        """Record the answer to a question (None: skipped); returns the next question."""
        if step is FindStep.AGE:
            self.age_band = value if value in AGE_BANDS else None
        elif step is FindStep.GOING_OUT and value in set(GoingOut):
            self.going_out = GoingOut(value)
        self.area_asked = self.area_asked or FOLLOWING[step] is FindStep.POSTCODE
        return FOLLOWING[step]

    def typed(self, text: str) -> None:
        """A typed sentence: searched with the choices made so far. It may say it is for someone else."""
        self.text = text.strip()[:TEXT_LIMIT]
        self.for_someone_else = self.for_someone_else or understand(self.text).for_someone_else

    def again(self) -> FindDraft:
        """A fresh search, for the same person."""
        return FindDraft(for_someone_else=self.for_someone_else)

    def query(self) -> Query:
        band = AGE_BANDS.get(self.age_band or "")
        return Query(text=self.text, needs=frozenset(self.needs), age=band.typical if band else None,
                     postcode_area=self.area, going_out=self.going_out, free_only=self.free_only)

    def call_back(self, address: Address, note: str) -> ReportDraft:
        """*Bel mij terug* as a signal: the person asked for it themselves (or someone asked on their behalf and
        was told to ask them first), so the consent is theirs; the phone number is in the note."""
        draft = ReportDraft(observations=[Observation.ASKS_FOR_CALL], consent=Consent.YES, may_contact=True,
                            note=note, urgent=self.urgent)
        draft.set_address(address)
        return draft

    def to_dict(self) -> dict[str, Any]:
        return {"needs": [str(n) for n in self.needs], "other": self.for_someone_else, "free": self.free_only,
                "age": self.age_band, "out": self.going_out, "area": self.area, "asked": self.area_asked,
                "text": self.text,
                "offset": self.offset, "search": self.search_id, "phone": self.phone, "urgent": self.urgent}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FindDraft:
        return cls(needs=[Need(n) for n in data.get("needs", [])], for_someone_else=bool(data.get("other")),
                   free_only=bool(data.get("free")), age_band=data.get("age"),
                   going_out=GoingOut(data["out"]) if data.get("out") else None, area=data.get("area"),
                   area_asked=bool(data.get("asked")),
                   text=data.get("text", ""), offset=data.get("offset", 0), search_id=data.get("search"),
                   phone=data.get("phone"), urgent=bool(data.get("urgent")))
