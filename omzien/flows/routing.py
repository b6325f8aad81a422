"""Which signal point covers a postcode area.

A signal point covers 4-digit postcode areas, written as a list of ranges such as
``3040-3059,3061``. Two points never cover the same area: a signal must have exactly one
responsible point, so an overlap is refused when a point is set up. A signal whose area no
point covers is *unrouted*: it is kept, and the administrator sees it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class AreaRange:
    first: int
    last: int

    def __str__(self) -> str:
        return str(self.first) if self.first == self.last else f"{self.first}-{self.last}"

    def __contains__(self, area: object) -> bool:
        return isinstance(area, int) and self.first <= area <= self.last

    def overlap(self, other: AreaRange) -> AreaRange | None:
        first, last = max(self.first, other.first), min(self.last, other.last)
        return AreaRange(first, last) if first <= last else None


class AreaSyntaxError(ValueError):
    """The postcode list is not of the form ``3040-3059,3061``; the message names the bad part."""


def parse_areas(text: str) -> list[AreaRange]:
    """Read ``3040-3059, 3061`` into ranges, sorted and with touching ranges joined."""
    ranges: list[AreaRange] = []
    for part in text.replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        first_text, dash, last_text = (p.strip() for p in part.partition("-"))
        if not _is_area(first_text) or (dash and not _is_area(last_text)):
            raise AreaSyntaxError(part)
        first, last = int(first_text), int(last_text) if dash else int(first_text)
        if last < first:
            raise AreaSyntaxError(part)
        ranges.append(AreaRange(first, last))
    if not ranges:
        raise AreaSyntaxError(text)
    return join_ranges(ranges)


def _is_area(text: str) -> bool:
    return len(text) == 4 and text.isascii() and text.isdigit() and text[0] != "0"


def join_ranges(ranges: Iterable[AreaRange]) -> list[AreaRange]:
    joined: list[AreaRange] = []
    for r in sorted(ranges):
        if joined and r.first <= joined[-1].last + 1:
            joined[-1] = AreaRange(joined[-1].first, max(joined[-1].last, r.last))
        else:
            joined.append(r)
    return joined


def format_areas(ranges: Iterable[AreaRange]) -> str:
    return ",".join(str(r) for r in ranges)


def overlaps(new: Iterable[AreaRange], taken: Iterable[tuple[str, AreaRange]]) -> list[tuple[str, AreaRange]]:
    """The parts of ``new`` that another point (named in ``taken``) already covers."""
    taken = list(taken)
    found = []
    for r in new:
        for owner, other in taken:
            common = r.overlap(other)
            if common is not None:
                found.append((owner, common))
    return found


def route(area: int, coverage: Iterable[tuple[int, AreaRange]]) -> int | None:
    """The id of the point whose ranges contain ``area``, or None: the signal is unrouted."""
    for point_id, r in coverage:
        if area in r:
            return point_id
    return None
