"""Dutch addresses as people type them on a phone.

A signaller gives a postcode and a house number, nothing more: no street, no name.
A Dutch postcode is four digits (the first not 0) and two letters; the letter pairs
SA, SD and SS are never used. The house number may carry an addition: a letter
(``12a``), a number (``12-2``), or a word such as ``bis`` or ``hs``.

Accepted forms include ``3044 AB 12``, ``3044ab12``, ``3044 AB 12-2``, ``3044AB 12 bis``,
``3044-ab, nr 12``. A number glued to more digits (``123456``) is not read as a number with an
addition: that is a typing error. Anything else is not an address and the caller shows an example.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_UNUSED_LETTERS = frozenset({"SA", "SD", "SS"})
_LONGEST_ADDRESS = 40
"""Longer text is not an address; checking this first also keeps the pattern below fast."""

_ADDRESS = re.compile(
    r"""(?P<digits>[1-9][0-9]{3}) \s?-?\s? (?P<letters>[A-Z]{2})
    \s?,?\s?
    (?:(?:nr|no|huisnummer)\.?\s?)?
    (?P<number>[1-9][0-9]{0,4})
    (?: \s?[-/]\s?(?P<marked>[A-Z0-9]{1,4}) | \s(?P<spaced>[A-Z0-9]{1,4}) | (?P<glued>[A-Z][A-Z0-9]{0,3}) )?
    \s?\.?""",
    re.VERBOSE | re.IGNORECASE | re.ASCII,
)


@dataclass(frozen=True)
class Address:
    """A postcode and house number; the only personal data a signal holds about where someone lives."""

    postcode: str  # "3044AB"
    number: int
    addition: str = ""  # "", "A", "2", "BIS"

    @property
    def area(self) -> int:
        """The 4-digit postcode area: the only part of the address a group ever sees."""
        return int(self.postcode[:4])

    @property
    def house(self) -> str:
        """The house number with its addition, as stored: ``12``, ``12-2``, ``12-A``."""
        return f"{self.number}-{self.addition}" if self.addition else str(self.number)

    @property
    def key(self) -> str:
        """The same address always gives the same key, however it was typed: for duplicates."""
        return f"{self.postcode} {self.house}"

    def __str__(self) -> str:
        return f"{self.postcode[:4]} {self.postcode[4:]} {self.house}"

    @classmethod
    def from_parts(cls, postcode: str, house: str) -> Address:
        number, _, addition = house.partition("-")
        return cls(postcode, int(number), addition)


def parse_address(text: str) -> Address | None:
    """Read a postcode and house number typed in any common form; None if it is not one."""
    text = " ".join(text.split())
    if len(text) > _LONGEST_ADDRESS:
        return None
    match = _ADDRESS.fullmatch(text)
    if match is None:
        return None
    letters = match["letters"].upper()
    if letters in _UNUSED_LETTERS:
        return None
    addition = (match["marked"] or match["spaced"] or match["glued"] or "").upper()
    return Address(postcode=match["digits"] + letters, number=int(match["number"]), addition=addition)


_POSTCODE = re.compile(r"(?P<digits>[1-9][0-9]{3})\s?-?\s?(?P<letters>[A-Z]{2})\.?", re.IGNORECASE | re.ASCII)
_STREET = re.compile(
    r"(?P<street>[^\W\d_][\w'.\- ]{1,40}?)\s*,?\s+(?:nr\.?\s?)?(?P<number>[1-9][0-9]{0,4})"
    r"(?:\s?[-/ ]?\s?(?P<addition>[A-Z0-9]{1,4}))?\.?",
    re.IGNORECASE,
)
STREET_ENDINGS = ("straat", "laan", "weg", "plein", "kade", "singel", "gracht", "dijk", "hof", "park", "pad",
                  "steeg", "dreef", "baan", "markt", "ring", "veld", "erf", "wal", "haven", "dam", "sloot",
                  "hoven", "akker", "weide", "plantsoen", "boulevard", "straatweg", "stee", "wijk", "burcht")
"""How most Dutch street names end: outside a report, only such text is read as a street."""


def parse_postcode(text: str) -> str | None:
    """A postcode on its own (``3044 AB``), as ``3044AB``; None if the text is not just that."""
    match = _POSTCODE.fullmatch(" ".join(text.split()))
    if match is None or match["letters"].upper() in _UNUSED_LETTERS:
        return None
    return match["digits"] + match["letters"].upper()


@dataclass(frozen=True)
class StreetAddress:
    """A street and house number without a postcode, as people say where someone lives. Omzien never looks
    a postcode up (that would send the address elsewhere, and a guess can be wrong): it asks for it."""

    street: str
    number: int
    addition: str = ""

    @property
    def house(self) -> str:
        return f"{self.number}-{self.addition}" if self.addition else str(self.number)

    def __str__(self) -> str:
        return f"{self.street} {self.house}"


def parse_street(text: str, *, known_street_only: bool = False) -> StreetAddress | None:
    """A street and house number such as ``Dorpsstraat 12`` or ``Van der Waalsweg 7a``; None if it is not one
    or holds a postcode. With ``known_street_only`` the street must end the way Dutch street names do."""
    text = " ".join(text.split())
    if len(text) > _LONGEST_ADDRESS or parse_address(text) is not None or _POSTCODE.search(text):
        return None
    match = _STREET.fullmatch(text)
    if match is None:
        return None
    street = match["street"].strip(" ,")
    if known_street_only and not street.lower().endswith(STREET_ENDINGS):
        return None
    return StreetAddress(street, int(match["number"]), (match["addition"] or "").upper())
