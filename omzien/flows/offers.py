"""Offers of support, as residents and their families look for them: the catalogue's domain.

The fields follow the catalogue's CSV columns (``docs/catalogue-columns.md``), shaped after Open
Referral HSDS. Kinds of support are Movisie's seven ways (longread section 11) plus "someone to
talk to now"; a resident chooses *needs* in plain words, which map onto kinds and target groups.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum


class Kind(StrEnum):
    PRACTICAL = "praktisch"  # praktische ondersteuning: administratie, vervoer, mantelzorg ontlasten
    SKILLS = "vaardigheden"  # sociale vaardigheden, taal
    MEETING = "ontmoeten"  # ontmoetingsmogelijkheden
    CONTACT = "contact"  # persoonlijk en betekenisvol contact: maatje, bezoek
    ROLE = "rol"  # een gewaardeerde rol: vrijwilligerswerk, werk
    ACTIVITIES = "bezigheden"  # bezigheden en afleiding
    EXPECTATIONS = "verwachtingen"  # realistische verwachtingen, negatieve gedachten
    TALK_NOW = "nu-praten"  # iemand om nu mee te praten


class Form(StrEnum):
    GROUP = "groep"
    ONE_TO_ONE = "een-op-een"
    PHONE = "telefoon"
    ONLINE = "online"


class Setting(StrEnum):
    HOME = "thuis"
    OUTSIDE = "buiten"
    BOTH = "beide"


class Duration(StrEnum):
    ONCE = "eenmalig"
    ONGOING = "doorlopend"


class Cost(StrEnum):
    FREE = "gratis"
    SUBSIDISED = "gesubsidieerd"
    CONTRIBUTION = "eigen-bijdrage"
    COMMERCIAL = "commercieel"


class Group(StrEnum):
    OLDER = "65plus"
    CARERS = "mantelzorgers"
    DISABILITY = "beperking"
    MIGRANTS = "migranten"
    LGBTI = "lhbti"
    BEREAVED = "rouw"
    YOUNG = "jongeren"
    PARENTS = "ouders"
    EVERYONE = "iedereen"


class Start(StrEnum):
    CALL = "bellen"
    SIGN_UP = "aanmelden"
    REFERRAL = "verwijzing"
    WALK_IN = "binnenlopen"
    ONLINE = "online"


class Need(StrEnum):
    """What a resident can choose: plain words for the kinds of support."""

    TALK = "praten"  # iemand om mee te praten
    MEET = "ontmoeten"  # mensen ontmoeten
    VISIT = "bezoek"  # iemand die langskomt
    MEANINGFUL = "zinvol"  # iets zinvols doen
    LEARN = "leren"  # iets leren
    PRACTICAL = "praktisch"  # praktische hulp
    CARER = "mantelzorg"  # steun als mantelzorger


@dataclass(frozen=True)
class Text:
    """A text in Dutch and English; English falls back to Dutch when a source gives none."""

    nl: str
    en: str = ""

    def __call__(self, locale: str) -> str:
        return self.en if locale == "en" and self.en else self.nl


@dataclass(frozen=True)
class Area:
    """Where an offer is available: the whole country, or 4-digit postcode ranges (a municipality's, if named)."""

    national: bool = False
    municipality: str | None = None
    ranges: tuple[tuple[int, int], ...] = ()



@dataclass(frozen=True)
class Offer:
    id: str
    name: Text
    kern: Text
    record_type: str = "offer"  # "offer" or "method"
    organisation: str = ""
    description: Text = Text("")
    kinds: tuple[Kind, ...] = ()
    forms: tuple[Form, ...] = ()
    setting: Setting | None = None
    duration: Duration | None = None
    cost: Cost | None = None  # None: not known
    cost_text: Text = Text("")
    min_age: int | None = None
    max_age: int | None = None
    groups: tuple[Group, ...] = ()
    referral_needed: bool = False
    audience: str = "inwoners"  # or "professionals"
    area: Area = field(default_factory=lambda: Area(national=True))
    phone: str = ""
    email: str = ""
    url: str = ""
    opening_hours: Text = Text("")
    contact_note: Text = Text("")
    how_to_start: Start | None = None
    method: str = ""  # id of the method this offer is an example of
    evidence: str = ""
    source: str = ""
    verified: date | None = None
    keywords: tuple[str, ...] = ()

    @property
    def local(self) -> bool:
        return not self.area.national
