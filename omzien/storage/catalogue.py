"""The catalogue of offers as files: the CSV columns of ``docs/catalogue-columns.md``, read and checked.

Every row is checked completely; each problem is reported with its line and reason, so a
municipality can fix its spreadsheet in one go. The shipped catalogue (national offers, the
methods of *50 manieren*, and the fictional Demodorp for the demo) uses the same format.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from importlib.resources import files
from typing import TypeVar

from omzien.flows.offers import (
    Area,
    Cost,
    Duration,
    Form,
    Group,
    Kind,
    Offer,
    Setting,
    Start,
    Text,
)

COLUMNS = (
    "id", "record_type", "name_nl", "name_en", "organisation", "kern_nl", "kern_en", "description_nl",
    "description_en", "kinds", "forms", "setting", "duration", "cost", "cost_text_nl", "cost_text_en", "min_age",
    "max_age", "target_groups", "referral_needed", "audience", "area", "phone", "email", "url", "opening_hours_nl",
    "opening_hours_en", "contact_note_nl", "contact_note_en", "how_to_start", "method", "evidence", "source",
    "verified", "keywords",
)
REQUIRED = ("id", "name_nl", "kern_nl")
MUNICIPALITIES: dict[str, tuple[tuple[int, int], ...]] = {"Demodorp": ((3040, 3049),)}
"""Municipalities a catalogue may name as ``gemeente:<Name>``, with their postcode areas (only the fictional
demo municipality so far: Omzien ships no postcode table; other municipalities give their postcode areas)."""

SHIPPED = ("methods.csv", "national.csv")  # methods first: offers refer to them
DEMO = "demodorp.csv"

ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
MAX_ID = 48
"""An id travels in a Telegram button (64 bytes in all)."""
AREA_RANGE = re.compile(r"^(\d{4})(?:-(\d{4}))?$")
MAX_TEXT = 2000

E = TypeVar("E", bound=StrEnum)


@dataclass(frozen=True)
class RowError:
    line: int
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


class _Row:
    """One CSV row being read: collects every problem instead of stopping at the first."""

    def __init__(self, values: dict[str, str], line: int) -> None:
        self.values, self.line, self.errors = values, line, []  # type: ignore[var-annotated]

    def text(self, column: str) -> str:
        value = (self.values.get(column) or "").strip()
        if len(value) > MAX_TEXT:
            self.errors.append(f"{column}: longer than {MAX_TEXT} characters")
            return value[:MAX_TEXT]
        return value

    def pair(self, column: str) -> Text:
        return Text(self.text(f"{column}_nl"), self.text(f"{column}_en"))

    def one(self, column: str, kind: type[E]) -> E | None:
        value = self.text(column)
        if not value:
            return None
        try:
            return kind(value)
        except ValueError:
            self.errors.append(f"{column}: {value!r} is not one of {', '.join(k.value for k in kind)}")
            return None

    def many(self, column: str, kind: type[E]) -> tuple[E, ...]:
        result = []
        for value in filter(None, (v.strip() for v in self.text(column).split(";"))):
            try:
                result.append(kind(value))
            except ValueError:
                self.errors.append(f"{column}: {value!r} is not one of {', '.join(k.value for k in kind)}")
        return tuple(result)

    def number(self, column: str) -> int | None:
        value = self.text(column)
        if not value:
            return None
        if not value.isdigit() or int(value) > 130:
            self.errors.append(f"{column}: {value!r} is not an age in years")
            return None
        return int(value)

    def choice(self, column: str, allowed: tuple[str, ...], default: str) -> str:
        value = self.text(column) or default
        if value not in allowed:
            self.errors.append(f"{column}: {value!r} is not one of {', '.join(allowed)}")
        return value

    def area(self) -> Area:
        value = self.text("area")
        if value in ("", "national"):
            return Area(national=True)
        if value.startswith("gemeente:"):
            name = value.removeprefix("gemeente:").strip()
            known = {key.casefold(): (key, ranges) for key, ranges in MUNICIPALITIES.items()}
            if name.casefold() not in known:
                self.errors.append(f"area: municipality {name!r} is not known here; give its postcode areas "
                                   "instead, such as 3040-3049")
                return Area(municipality=name)
            key, ranges = known[name.casefold()]
            return Area(municipality=key, ranges=ranges)
        ranges = []
        for part in filter(None, (p.strip() for p in value.split(";"))):
            match = AREA_RANGE.match(part)
            if match is None or int(match[1]) < 1000 or int(match[2] or match[1]) < int(match[1]):
                self.errors.append(f"area: {part!r} is not a 4-digit postcode area or range such as 3040-3049")
                continue
            ranges.append((int(match[1]), int(match[2] or match[1])))
        return Area(ranges=tuple(ranges))

    def verified(self) -> date | None:
        value = self.text("verified")
        if not value:
            return None
        try:
            return date.fromisoformat(value)
        except ValueError:
            self.errors.append(f"verified: {value!r} is not a date such as 2026-11-22")
            return None

    def offer(self) -> Offer:
        for column in REQUIRED:
            if not self.text(column):
                self.errors.append(f"{column}: missing")
        offer_id = self.text("id")
        if offer_id and not ID.match(offer_id):
            self.errors.append(f"id: {offer_id!r} must be lowercase letters, digits and hyphens")
        if len(offer_id) > MAX_ID:
            self.errors.append(f"id: longer than {MAX_ID} characters")
        min_age, max_age = self.number("min_age"), self.number("max_age")
        if min_age is not None and max_age is not None and min_age > max_age:
            self.errors.append("min_age is above max_age")
        return Offer(
            id=offer_id, record_type=self.choice("record_type", ("offer", "method"), "offer"),
            name=self.pair("name"), kern=self.pair("kern"), organisation=self.text("organisation"),
            description=self.pair("description"), kinds=self.many("kinds", Kind), forms=self.many("forms", Form),
            setting=self.one("setting", Setting), duration=self.one("duration", Duration),
            cost=self.one("cost", Cost), cost_text=self.pair("cost_text"), min_age=min_age, max_age=max_age,
            groups=self.many("target_groups", Group),
            referral_needed=self.choice("referral_needed", ("ja", "nee"), "nee") == "ja",
            audience=self.choice("audience", ("inwoners", "professionals"), "inwoners"), area=self.area(),
            phone=self.text("phone"), email=self.text("email"), url=self.text("url"),
            opening_hours=self.pair("opening_hours"), contact_note=self.pair("contact_note"),
            how_to_start=self.one("how_to_start", Start), method=self.text("method"),
            evidence=self.text("evidence"), source=self.text("source"), verified=self.verified(),
            keywords=tuple(filter(None, (k.strip() for k in self.text("keywords").split(";")))),
        )


def _validate(rows: list[tuple[dict[str, str], int]], known_methods: Iterable[str],
              what: str) -> tuple[list[Offer], list[RowError]]:
    """Offers from raw rows with their line numbers; a method an offer names must exist here or already."""
    methods = set(known_methods) | {v.get("id", "").strip() for v, _ in rows if v.get("record_type") == "method"}
    offers, errors, seen = [], [], {}  # type: ignore[var-annotated]
    for values, line in rows:
        row = _Row(values, line)
        if None in values:
            row.errors.append("more fields than columns (a comma in a field that is not quoted?)")
        offer = row.offer()
        if offer.id in seen:
            row.errors.append(f"id: {offer.id!r} is already used by {what} {seen[offer.id]}")
        seen.setdefault(offer.id, line)
        if offer.method and offer.method not in methods:
            row.errors.append(f"method: {offer.method!r} is not a known method")
        errors.extend(RowError(line, reason) for reason in row.errors)
        if not row.errors:
            offers.append(offer)
    return offers, errors


def read_csv(source: Iterable[str], known_methods: Iterable[str] = ()) -> tuple[list[Offer], list[RowError]]:
    """Every valid offer of a CSV text, and every problem with its line (the header is line 1)."""
    reader = csv.DictReader(source)
    missing = [c for c in REQUIRED if c not in (reader.fieldnames or ())]
    if missing:
        return [], [RowError(1, f"missing column(s): {', '.join(missing)}")]
    unknown = [c for c in reader.fieldnames or () if c not in COLUMNS]
    header = [RowError(1, f"unknown column(s): {', '.join(unknown)}")] if unknown else []
    rows = [(values, reader.line_num) for values in reader]
    offers, errors = _validate(rows, known_methods, "line")
    return offers, header + errors


def _shipped_lines(name: str) -> Iterator[str]:
    with (files("omzien.storage") / "catalogue" / name).open(encoding="utf-8", newline="") as source:
        yield from source


def shipped(demo: bool = False) -> list[Offer]:
    """The catalogue that comes with Omzien: national offers and methods (and Demodorp, for the demo)."""
    offers: list[Offer] = []
    for name in (*SHIPPED, DEMO) if demo else SHIPPED:
        found, errors = read_csv(_shipped_lines(name), {o.id for o in offers if o.record_type == "method"})
        assert not errors, f"{name}: {errors[:3]}"
        offers.extend(found)
    return offers


def write_csv(offers: Iterable[Offer]) -> str:
    """The offers as CSV text in the documented columns; ``read_csv`` gives the same offers back."""
    out = io.StringIO()
    writer = csv.DictWriter(out, COLUMNS, lineterminator="\n")
    writer.writeheader()
    for offer in offers:
        writer.writerow(offer_columns(offer))
    return out.getvalue()


def from_columns(rows: Iterable[dict[str, str]], known_methods: Iterable[str] = ()) -> tuple[list[Offer],
                                                                                              list[RowError]]:
    """Offers from stored columns (numbered from 1 in the order given)."""
    return _validate([(dict(row), number) for number, row in enumerate(rows, 1)], known_methods, "row")


def _join(values: Iterable[object]) -> str:
    return ";".join(str(v) for v in values)


def _area(area: Area) -> str:
    if area.national:
        return "national"
    if area.municipality:
        return f"gemeente:{area.municipality}"
    return _join(f"{a}" if a == b else f"{a}-{b}" for a, b in area.ranges)


def offer_columns(offer: Offer) -> dict[str, str]:
    """The CSV columns of an offer, as written to files and stored in the database."""
    def optional(value: object) -> str:
        return "" if value is None else str(value)

    return {
        "id": offer.id, "record_type": offer.record_type, "name_nl": offer.name.nl, "name_en": offer.name.en,
        "organisation": offer.organisation, "kern_nl": offer.kern.nl, "kern_en": offer.kern.en,
        "description_nl": offer.description.nl, "description_en": offer.description.en,
        "kinds": _join(offer.kinds), "forms": _join(offer.forms), "setting": optional(offer.setting),
        "duration": optional(offer.duration), "cost": optional(offer.cost), "cost_text_nl": offer.cost_text.nl,
        "cost_text_en": offer.cost_text.en, "min_age": optional(offer.min_age), "max_age": optional(offer.max_age),
        "target_groups": _join(offer.groups), "referral_needed": "ja" if offer.referral_needed else "nee",
        "audience": offer.audience, "area": _area(offer.area), "phone": offer.phone, "email": offer.email,
        "url": offer.url, "opening_hours_nl": offer.opening_hours.nl, "opening_hours_en": offer.opening_hours.en,
        "contact_note_nl": offer.contact_note.nl, "contact_note_en": offer.contact_note.en,
        "how_to_start": optional(offer.how_to_start), "method": offer.method, "evidence": offer.evidence,
        "source": offer.source, "verified": optional(offer.verified), "keywords": _join(offer.keywords),
    }


# HSDS: Open Referral's Human Services Data Specification (3.0), for exchange with other directories.
# Fields HSDS has no place for (English texts, kinds, setting, keywords, ...) travel in "omzien".

HSDS_TAXONOMY = "omzien"


def to_hsds(offers: Iterable[Offer]) -> list[dict[str, object]]:
    """Each offer as an HSDS service with its organization, phones, schedule and service area."""
    services = []
    for offer in offers:
        columns = offer_columns(offer)
        services.append({
            "id": offer.id, "name": offer.name.nl, "description": offer.description.nl or offer.kern.nl,
            "url": offer.url or None, "email": offer.email or None, "status": "active",
            "fees_description": offer.cost_text.nl or None, "minimum_age": offer.min_age,
            "maximum_age": offer.max_age, "assured_date": columns["verified"] or None,
            "organization": {"id": offer.organisation, "name": offer.organisation} if offer.organisation else None,
            "phones": [{"number": offer.phone}] if offer.phone else [],
            "schedules": [{"description": offer.opening_hours.nl}] if offer.opening_hours.nl else [],
            "service_areas": [{"name": columns["area"], "extent_type": "postcode" if offer.local else "country"}],
            "attributes": [{"taxonomy_term": {"taxonomy": HSDS_TAXONOMY, "term": kind}} for kind in offer.kinds],
            "omzien": columns,
        })
    return services


def read_hsds(data: object, known_methods: Iterable[str] = ()) -> tuple[list[Offer], list[RowError]]:
    """Services of an HSDS JSON list (or {"services": [...]}). Our own export comes back whole; other
    directories' services give name, description, contact and ages. "line" is the service's number."""
    services = data.get("services") if isinstance(data, dict) else data
    if not isinstance(services, list):
        return [], [RowError(1, "expected a JSON list of services, or an object with \"services\"")]
    rows, errors = [], []
    for number, service in enumerate(services, 1):
        if not isinstance(service, dict):
            errors.append(RowError(number, "a service must be a JSON object"))
            continue
        columns = {key: str(value) for key, value in (service.get("omzien") or {}).items()}
        fallback = {
            "id": service.get("id"), "name_nl": service.get("name"), "kern_nl": service.get("description"),
            "description_nl": service.get("description"), "url": service.get("url"), "email": service.get("email"),
            "cost_text_nl": service.get("fees_description"), "min_age": service.get("minimum_age"),
            "max_age": service.get("maximum_age"), "verified": service.get("assured_date"),
            "organisation": (service.get("organization") or {}).get("name"),
            "phone": next((p.get("number") for p in service.get("phones") or [] if isinstance(p, dict)), None),
        }
        for key, value in fallback.items():
            if key not in columns and value is not None:
                columns[key] = str(value)
        rows.append((columns, number))
    offers, more = _validate(rows, known_methods, "service")
    return offers, errors + more
