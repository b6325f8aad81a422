"""How well an offer that passed the hard filters fits a question, and why: a ranking that explains itself.

The score is a sum of terms, and every positive term is a reason (``Reason``), so the line "why this
fits" is made of the very terms that ranked the offer:
- words: BM25F relevance of the typed words — Dutch stems over name, keywords, kern, description and the
  texts of the offer's method, English stems over the English texts — where a synonym, a part of a compound
  or a typo correction counts for less than the word itself;
- need: a chosen chip counts fully when the offer's main kind of support is the need's own, less for a
  further kind; a need read from the typed words counts for less than a chip;
- group: the offer is meant for a group the question points to ("weduwe" → rouw, age 70 → 65+); an offer
  only for groups the question does not point to loses some;
- free: the sentence asks for something free ("het mag niks kosten") and the offer is free;
- nearby: a local offer when a postcode was given; evidence: the offer or its method has an evidence label.
Results far below the best one are left out: the resident sees the few offers that really fit.

All weights live here, also those the index applies to the words (fields, BM25F, synonyms, parts, typos).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import NamedTuple

from omzien.flows.matching.understanding import Understanding
from omzien.flows.offers import Cost, Form, Group, Kind, Need, Offer, Setting


class GoingOut(StrEnum):
    """Whether the resident goes out: yes, rather at home, or only by phone or online."""

    OUTSIDE = "buiten"
    HOME = "thuis"
    REMOTE = "afstand"


@dataclass(frozen=True)
class Query:
    text: str = ""
    needs: frozenset[Need] = frozenset()
    age: int | None = None
    postcode_area: int | None = None  # 4 digits
    going_out: GoingOut | None = None
    free_only: bool = False


class Why(StrEnum):
    """Kinds of scoring terms and reasons. FREE and REMOTE are also filters that were asked for;
    MISMATCH lowers a score and is never a reason.
    """

    WORDS = "words"  # value: the typed words that matched, best first, comma-separated
    NEED = "need"  # value: a Need
    GROUP = "group"  # value: a Group
    FREE = "free"
    NEARBY = "nearby"  # value: the postcode area
    EVIDENCE = "evidence"  # value: the evidence label
    REMOTE = "remote"
    MISMATCH = "mismatch"  # value: "group" or "online"


@dataclass(frozen=True)
class Reason:
    code: Why
    value: str = ""
    weight: float = 0.0  # what this term added to the score; 0 for a filter that was asked for


@dataclass(frozen=True)
class Match:
    offer: Offer
    score: float
    reasons: tuple[Reason, ...]  # largest first


# Weights of the scoring terms, tuned with bench/offer_quality.py.
CHIP, READ_NEED = 1.5, 0.8
OWN_KIND, RELATED_KIND, FURTHER_KIND = 1.0, 0.8, 0.5
GROUP_FIT, OLDER_FIT, OTHER_GROUP = 1.0, 0.4, -1.5
ONLINE_ONLY = -1.5  # for someone who cannot use a computer
FREE = 1.0
NEARBY = 0.8
EVIDENCE = 0.2
SYNONYM, PART, TYPO = 0.7, 0.5, 0.8
RELATIVE_CUT = 0.5
K1, B = 1.2, 0.5
FIELDS = {  # the keywords are the words people type, so they weigh most
    ("nl", "keywords"): 3.0, ("nl", "name"): 2.0, ("nl", "kern"): 1.5, ("nl", "description"): 0.7,
    ("nl", "method"): 0.7, ("en", "name"): 2.0, ("en", "kern"): 1.5, ("en", "description"): 0.7,
}

NEED_KINDS: Mapping[Need, tuple[Kind, ...]] = {
    Need.TALK: (Kind.TALK_NOW, Kind.CONTACT),
    Need.MEET: (Kind.MEETING,),
    Need.VISIT: (Kind.CONTACT,),  # and only at home
    Need.MEANINGFUL: (Kind.ROLE, Kind.ACTIVITIES),
    Need.LEARN: (Kind.SKILLS, Kind.EXPECTATIONS),
    Need.PRACTICAL: (Kind.PRACTICAL,),
}
SPECIFIC_GROUPS = frozenset(Group) - {Group.OLDER, Group.EVERYONE}

Term = tuple[Why, object, float]  # a scoring term: reason, value, weight


def need_fits(offer: Offer) -> dict[Need, float]:
    """How well each need fits an offer: fully when the offer's main kind is the need's own (praten → nu-praten),
    less when its main kind is another kind of the need (praten → contact), least for a further kind.
    """
    fits = {}
    for need, kinds in NEED_KINDS.items():
        if need is Need.VISIT and offer.setting not in (Setting.HOME, Setting.BOTH):
            continue
        if offer.kinds[:1] == kinds[:1]:
            fits[need] = OWN_KIND
        elif offer.kinds[:1] and offer.kinds[0] in kinds:
            fits[need] = RELATED_KIND
        elif set(offer.kinds) & set(kinds):
            fits[need] = FURTHER_KIND
    if Group.CARERS in offer.groups:
        fits[Need.CARER] = OWN_KIND
    return fits


class Traits(NamedTuple):
    """What the filters and the scoring need of an offer, worked out once."""

    min_age: int
    max_age: int
    free: bool
    outside_only: bool
    remote: bool  # by phone or online
    online_only: bool
    groups: frozenset[Group]
    only_specific_groups: bool  # meant only for groups such as rouw or mantelzorgers
    evidence: str

    @classmethod
    def of(cls, offer: Offer, method: Offer | None) -> Traits:
        groups = frozenset(offer.groups)
        return cls(
            offer.min_age or 0, 200 if offer.max_age is None else offer.max_age, offer.cost is Cost.FREE,
            offer.setting is Setting.OUTSIDE, bool({Form.PHONE, Form.ONLINE} & set(offer.forms)),
            set(offer.forms) == {Form.ONLINE}, groups, bool(groups) and groups <= SPECIFIC_GROUPS,
            offer.evidence or (method.evidence if method else ""),
        )


class Context(NamedTuple):
    """What the terms of one query need, worked out once per query."""

    query: Query
    understood: Understanding
    by_word: list[tuple[str, dict[int, float]]]  # per typed word, its score in each position
    groups: frozenset[Group]

    @classmethod
    def of(cls, query: Query, understood: Understanding, age: int | None,
           by_word: list[tuple[str, dict[int, float]]]) -> Context:
        """The groups the question points to: those in its words, carers for the carer chip, 65+ from 65 on."""
        groups = set(understood.groups)
        if Need.CARER in query.needs:
            groups.add(Group.CARERS)
        if age is not None and age >= 65:
            groups.add(Group.OLDER)
        return cls(query, understood, by_word, frozenset(groups))


def score_terms(offer: Traits, fits: Mapping[Need, float], position: int, nearby: bool,
                context: Context) -> list[Term]:
    """The scoring terms of one offer, at one position of the index, for one query. The score is their sum."""
    query, understood = context.query, context.understood
    terms: list[Term] = []
    hits = [(scores[position], word) for word, scores in context.by_word if position in scores]
    if hits:
        terms.append((Why.WORDS, hits, sum(score for score, _ in hits)))
    for need in query.needs | understood.needs:
        if need in fits:
            terms.append((Why.NEED, need, fits[need] * (CHIP if need in query.needs else READ_NEED)))
    fitting = offer.groups & context.groups
    if fitting:
        group = min(fitting - {Group.OLDER}, default=Group.OLDER)
        terms.append((Why.GROUP, group, OLDER_FIT if group is Group.OLDER else GROUP_FIT))
    elif offer.only_specific_groups:
        terms.append((Why.MISMATCH, "group", OTHER_GROUP))
    if understood.offline and offer.online_only:
        terms.append((Why.MISMATCH, "online", ONLINE_ONLY))
    if understood.free and not query.free_only and offer.free:
        terms.append((Why.FREE, None, FREE))
    if nearby:
        terms.append((Why.NEARBY, query.postcode_area, NEARBY))
    if offer.evidence:
        terms.append((Why.EVIDENCE, offer.evidence, EVIDENCE))
    return terms


def best_first(scored: list[tuple[float, int]]) -> tuple[tuple[float, int], ...]:
    """(score, offer number) from (minus the score, offer number): best first, ties by offer number; without
    the offers that score nothing or less than ``RELATIVE_CUT`` of the best one.
    """
    scored.sort()
    best = -scored[0][0] if scored else 0.0
    return tuple((-minus, number) for minus, number in scored if -minus > 0 and -minus >= RELATIVE_CUT * best)


def explain(offer: Offer, score: float, terms: list[Term], query: Query) -> Match:
    """A result with its reasons: the positive scoring terms, largest first, then the filters asked for."""
    order = list(Why)
    positive = sorted((t for t in terms if t[2] > 0), key=lambda t: (-t[2], order.index(t[0])))
    reasons = [Reason(code, _value(value), round(weight, 3)) for code, value, weight in positive]
    if query.free_only:
        reasons.append(Reason(Why.FREE))
    if query.going_out is GoingOut.REMOTE:
        reasons.append(Reason(Why.REMOTE))
    return Match(offer, round(score, 3), tuple(reasons))


def _value(value: object) -> str:
    """A reason's value as text: matched words best first, comma-separated."""
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(word for _, word in sorted(value, key=lambda hit: -hit[0]))
    return str(value)
