"""Which offers fit what a resident asks: hard filters first, then a ranking that explains itself.

Hard filters (an offer that fails one is never shown):
- only offers (not methods) for residents (not for professionals);
- the area covers the 4-digit postcode, or the offer is national; without a postcode, national offers only;
- the age lies within the offer's limits (an unknown age passes; an age in the sentence counts too);
- "liever thuis" drops offers that only happen outside the home; "telefoon of online" keeps offers by
  phone or online; "alleen gratis" keeps offers whose cost is known to be free.

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

Speed: offers are laid out national first, then by postcode region, so that a query reads only the
national part and the part of its own region from each posting list.
"""

from __future__ import annotations

import re
import unicodedata
from array import array
from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache
from math import log
from typing import NamedTuple

import Stemmer
from rapidfuzz import fuzz

from omzien.flows.offers import Area, Cost, Form, Group, Kind, Need, Offer, Setting


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


@dataclass(frozen=True)
class Understanding:
    """What a typed sentence says besides its words."""

    words: tuple[str, ...] = ()
    age: int | None = None
    groups: frozenset[Group] = frozenset()
    needs: frozenset[Need] = frozenset()
    free: bool = False
    offline: bool = False  # cannot use a computer or the internet
    for_someone_else: bool = False
    language: str = "nl"  # "en" when the sentence has more English than Dutch little words



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
REGION = 100  # postcode areas per region: 3044 lies in region 30

NEED_KINDS: Mapping[Need, tuple[Kind, ...]] = {
    Need.TALK: (Kind.TALK_NOW, Kind.CONTACT),
    Need.MEET: (Kind.MEETING,),
    Need.VISIT: (Kind.CONTACT,),  # and only at home
    Need.MEANINGFUL: (Kind.ROLE, Kind.ACTIVITIES),
    Need.LEARN: (Kind.SKILLS, Kind.EXPECTATIONS),
    Need.PRACTICAL: (Kind.PRACTICAL,),
}
SPECIFIC_GROUPS = frozenset(Group) - {Group.OLDER, Group.EVERYONE}

STOPWORDS = frozenset({
    "aan", "af", "al", "alle", "alles", "als", "altijd", "beetje", "begrijpt", "ben", "bij", "daar", "dan", "dat",
    "de", "deze", "dezelfde", "die", "dit", "doe", "doen", "doet", "door", "dus", "echt", "een", "eens", "eigenlijk",
    "elke", "en", "er", "erg", "ergens", "erover", "even", "ga", "gaan", "gaat", "geen", "goed", "graag", "had",
    "heb", "hebben", "heeft", "heel", "het", "hier", "hij", "hoe", "hun", "iemand", "iets", "ik", "in", "is", "ja",
    "jaar", "jaren", "je", "jij", "kan", "komen", "komt", "kort", "krijg", "krijgen", "kun", "kunnen", "kunt",
    "maar", "mag", "me", "mee", "meer", "men", "met", "mij", "mijn", "misschien", "moet", "moeten", "na", "naar",
    "niet", "niets", "nog", "nooit", "nu", "of", "om", "ons", "onze", "ook", "op", "over", "plus", "sinds", "te",
    "terecht", "toe", "toen", "tot", "uit", "uw", "van", "veel", "ver", "vind", "vinden", "voel", "voelen",
    "voelt", "voor", "vorig", "waar", "waren", "was", "wat", "we", "weer", "weet", "weg", "wel", "welke", "weten",
    "wie", "wij", "wil", "willen", "wilt", "wonen", "woont", "word", "worden", "wordt", "zal", "ze", "zeer", "zelf",
    "zich", "zij", "zijn", "zit", "zitten", "zo", "zoek", "zoeken", "zou",
    "about", "am", "an", "and", "any", "anyone", "anything", "are", "at", "be", "but", "can", "do", "don", "find",
    "for", "from", "have", "here", "if", "it", "just", "know", "like", "my", "need", "on", "or", "so", "some",
    "someone", "that", "the", "there", "this", "to", "want", "would", "you",
})
DUTCH_HINTS = frozenset({"ik", "de", "het", "een", "en", "van", "mijn", "met", "wil", "voor", "niet", "die", "ben"})
ENGLISH_HINTS = frozenset({"i", "the", "and", "to", "my", "with", "for", "a", "of", "at", "need", "want", "have", "am"})
# Words the Dutch stemmer would merge although they differ: "ouderen" (older people) and "ouders" (parents).
KEEP_APART = {"ouderen": "ouderen", "oudere": "ouderen", "ouders": "ouders"}

SYNONYMS: Mapping[str, tuple[str, ...]] = {
    "weduwe": ("rouw", "verlies", "overleden"),
    "weduwnaar": ("rouw", "verlies", "overleden"),
    "overleden": ("rouw", "verlies"),
    "gestorven": ("rouw", "verlies", "overleden"),
    "maatje": ("buddy",),
    "buddy": ("maatje",),
    "alleen": ("eenzaam",),
    "eenzaam": ("alleen",),
    "mantelzorger": ("mantelzorg",),
    "koffie": ("inloop",),
    "senioren": ("ouderen",),
    "ouderen": ("senioren",),
    "bejaarden": ("ouderen", "senioren"),
    "vrienden": ("vriendschap",),
    "vriendschap": ("vrienden",),
    "kletsen": ("praten", "praatje"),
    "babbelen": ("praten", "praatje"),
    "bellen": ("telefoon", "gebeld"),
    "depressief": ("somber",),
    "rot": ("somber",),
    "psychiatrisch": ("psychisch", "psychiatrie"),
    "geloof": ("christelijk", "kerk"),
    "christelijk": ("geloof",),
    "website": ("online", "internet"),
    "homo": ("lhbti", "roze"),
    "lesbisch": ("lhbti", "roze"),
}
# Words and phrases (in lowercase words without accents) that point to a group or a need.
GROUP_HINTS: Mapping[Group, tuple[str, ...]] = {
    Group.BEREAVED: ("weduwe", "weduwnaar", "overleden", "gestorven", "rouw", "rouwverwerking", "widow", "widower"),
    Group.CARERS: ("mantelzorg", "mantelzorger", "mantelzorgers", "mantelzorgondersteuning", "carer", "caregiver"),
    Group.DISABILITY: ("autisme", "autist", "beperking", "psychisch", "psychische", "psychiatrisch", "psychiatrische",
                       "rolstoel", "autism", "disability"),
    Group.LGBTI: ("homo", "lesbisch", "lhbti", "lhbt", "biseksueel", "transgender", "queer", "gay", "lesbian"),
    Group.MIGRANTS: ("nieuwkomer", "migrant", "statushouder", "vluchteling", "inburgering", "refugee", "newcomer"),
    Group.YOUNG: ("student", "school", "jongeren", "tiener", "young", "students"),
    Group.PARENTS: ("baby", "peuter", "zwanger"),
    Group.OLDER: ("ouderen", "senioren", "oma", "opa", "pensioen", "bejaard", "bejaarden", "elderly"),
}
NEED_HINTS: Mapping[Need, tuple[str, ...]] = {
    Need.TALK: ("praten", "bellen", "luisteren", "verhaal", "talk", "call"),
    Need.MEET: ("ontmoeten", "vrienden", "vriendschap", "gezelschap", "meet", "friends"),
    Need.VISIT: ("bezoek", "langskomt", "visit", "deur niet uit", "deur niet meer uit"),
    Need.MEANINGFUL: ("vrijwilligerswerk", "nuttig", "nuttigs", "zinvol", "zinvols", "verveel", "activiteiten",
                      "volunteer"),
    Need.LEARN: ("leren", "cursus", "les", "training", "learn", "course"),
    Need.PRACTICAL: ("vervoer", "klusjes", "klus", "administratie", "boodschappen", "rekeningen"),
    Need.CARER: ("mantelzorg", "mantelzorger", "carer"),
}
OFFLINE_HINTS = ("niet met een computer", "geen computer", "geen internet", "niet online", "no computer")
FREE_HINTS = ("gratis", "kosteloos", "niks kosten", "niets kosten", "zonder kosten", "for free")
FREE_WORDS = frozenset({"gratis", "kosteloos", "kosten", "kost", "niks", "free"})
RELATIVES = ("vader|moeder|pa|ma|man|vrouw|partner|oma|opa|tante|oom|zoon|dochter|zus|broer|buurman|buurvrouw|"
             "vriend|vriendin|father|mother|dad|mum|mom|husband|wife|grandma|grandpa|son|daughter|sister|brother|"
             "neighbour|neighbor|aunt|uncle")
SOMEONE_ELSE = re.compile(rf"\b(?:mijn|onze|my|our) (?:\w+ )?(?:{RELATIVES})\b")
CARING = re.compile(r"\bzorg(?:en)?\b.*\bvoor (?:mijn|onze)\b")
NOT_AN_AGE = r"(?! ?(?:plus|jaar geleden|weken|week|dagen|uur|minuten|euro|keer))"
AGE = re.compile(rf"\b(\d{{2,3}})\b{NOT_AN_AGE}")
OLDER_THAN = re.compile(r"\b([5-9]\d) ?plus\b")

_DUTCH, _ENGLISH = Stemmer.Stemmer("dutch"), Stemmer.Stemmer("english")
_WORD, _WORD_WITH_A_LETTER = re.compile(r"[a-z0-9]+"), re.compile(r"[a-z0-9]*[a-z][a-z0-9]*")


def _plain(text: str) -> str:
    return unicodedata.normalize("NFKD", text.casefold().replace("+", " plus ")).encode("ascii", "ignore").decode()


def words(text: str) -> list[str]:
    """Lowercase words without accents ("café" → "cafe"); "65+" becomes "65 plus"."""
    return _WORD.findall(_plain(text))


def content_words(text: str) -> list[str]:
    """The words that carry meaning: no little words, no numbers (ages are read by ``understand``)."""
    return [w for w in _WORD_WITH_A_LETTER.findall(_plain(text)) if len(w) > 1 and w not in STOPWORDS]


def dutch_stems(tokens: list[str]) -> list[str]:
    stems = _DUTCH.stemWords(tokens)
    if "ouder" in stems:
        return [KEEP_APART.get(token, stem) for token, stem in zip(tokens, stems, strict=True)]
    return stems


def english_stems(tokens: list[str]) -> list[str]:
    return ["en:" + stem for stem in _ENGLISH.stemWords(tokens)]


_SYNONYMS = {dutch_stems([word])[0]: tuple(dutch_stems(list(alike))) for word, alike in SYNONYMS.items()}


def understand(text: str) -> Understanding:
    """The age, groups and needs a sentence mentions, whether it asks for free offers, and for whom.

    A number from 10 to 110 is an age, unless it reads "65+" or is a number of weeks, euros and so on.
    "Mijn vader", "my mum" and the like make the question about someone else, except when the sentence
    is about grief or caring: then the resident asks support for themselves.
    """
    every = words(text)
    plain = f" {' '.join(every)} ".replace(" leren kennen ", " kennen ")
    groups = {group for group, hints in GROUP_HINTS.items() if _mentions(plain, hints)}
    if CARING.search(plain):
        groups.add(Group.CARERS)
    if OLDER_THAN.search(plain):
        groups.add(Group.OLDER)
    ages = [int(n) for n in AGE.findall(plain) if 10 <= int(n) <= 110]
    free = _mentions(plain, FREE_HINTS)
    english = sum(w in ENGLISH_HINTS for w in every) > sum(w in DUTCH_HINTS for w in every)
    return Understanding(
        words=tuple(dict.fromkeys(w for w in content_words(plain) if not (free and w in FREE_WORDS))),
        age=ages[0] if ages else None, groups=frozenset(groups),
        needs=frozenset(need for need, hints in NEED_HINTS.items() if _mentions(plain, hints)), free=free,
        offline=_mentions(plain, OFFLINE_HINTS),
        for_someone_else=bool(SOMEONE_ELSE.search(plain)) and not groups & {Group.BEREAVED, Group.CARERS},
        language="en" if english else "nl",
    )


def _mentions(plain: str, hints: Iterable[str]) -> bool:
    return any(f" {hint} " in plain for hint in hints)


def _need_fits(offer: Offer) -> dict[Need, float]:
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


def _postcode_ranges(area: Area, municipalities: Mapping[str, Sequence[tuple[int, int]]]) -> tuple | None:
    """The postcode ranges of a local area, or None for a national one. A municipality's ranges come with the
    area (the catalogue knows them) or from ``municipalities`` (keyed by the casefolded name); without, none.
    """
    if area.national:
        return None
    if area.municipality is not None and not area.ranges:
        return tuple(municipalities.get(area.municipality.casefold(), ()))
    return area.ranges


def _regions(ranges: Sequence[tuple[int, int]]) -> set[int]:
    return {region for first, last in ranges for region in range(first // REGION, last // REGION + 1)}


def _trigrams(word: str) -> set[str]:
    padded = f"^{word}$"
    return {padded[i:i + 3] for i in range(len(padded) - 2)}


@dataclass
class _Postings:
    """Positions (ascending) where a term occurs, with its weight there."""

    positions: array = field(default_factory=lambda: array("I"))
    weights: array = field(default_factory=lambda: array("f"))

    def within(self, spans: Iterable[tuple[int, int]]) -> Iterator[tuple[int, float]]:
        for start, end in spans:
            first = bisect_left(self.positions, start)
            last = bisect_left(self.positions, end, first)
            yield from zip(self.positions[first:last], self.weights[first:last], strict=True)


Term = tuple[Why, object, float]  # a scoring term: reason, value, weight


class _Traits(NamedTuple):
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
    def of(cls, offer: Offer, method: Offer | None) -> _Traits:
        groups = frozenset(offer.groups)
        return cls(
            offer.min_age or 0, 200 if offer.max_age is None else offer.max_age, offer.cost is Cost.FREE,
            offer.setting is Setting.OUTSIDE, bool({Form.PHONE, Form.ONLINE} & set(offer.forms)),
            set(offer.forms) == {Form.ONLINE}, groups, bool(groups) and groups <= SPECIFIC_GROUPS,
            offer.evidence or (method.evidence if method else ""),
        )


class _Context(NamedTuple):
    query: Query
    understood: Understanding
    by_word: list[tuple[str, dict[int, float]]]
    groups: frozenset[Group]


@dataclass(frozen=True)
class _Ranking:
    """One query's results, best first, with their scoring terms."""

    query: Query
    scored: tuple[tuple[float, int], ...]  # (score, offer number)
    terms: Mapping[int, list[Term]]


class Index:
    """The catalogue prepared for searching: build it once, search it many times."""

    def __init__(self, offers: Iterable[Offer],
                 municipalities: Mapping[str, Sequence[tuple[int, int]]] | None = None) -> None:
        everything = list(offers)
        methods = {o.id: o for o in everything if o.record_type == "method"}
        self.offers = [o for o in everything if o.record_type == "offer" and o.audience == "inwoners"]
        known = {name.casefold(): ranges for name, ranges in (municipalities or {}).items()}
        self._ranges = [_postcode_ranges(o.area, known) for o in self.offers]
        self._traits = [_Traits.of(o, methods.get(o.method)) for o in self.offers]
        self._fits = [_need_fits(o) for o in self.offers]
        self._layout()
        method_words = {method.id: content_words(f"{method.name.nl} {method.kern.nl} {' '.join(method.keywords)}")
                        for method in methods.values()}
        self._index_texts(lambda offer: _texts(offer, method_words.get(offer.method, [])))
        self._rank = lru_cache(maxsize=64)(self._ranking)

    def search(self, query: Query, limit: int = 3, offset: int = 0) -> list[Match]:
        """The offers that fit best, ``limit`` of them from ``offset`` (for "more results")."""
        ranking = self._rank(query)
        return [self._match(ranking, score, number) for score, number in ranking.scored[offset:offset + limit]]

    def count(self, query: Query) -> int:
        """How many offers fit in all, to know whether there are more to show."""
        return len(self._rank(query).scored)

    # Building

    def _layout(self) -> None:
        """Positions: national offers first, then local offers by postcode region (an offer once per region)."""
        national = [n for n, ranges in enumerate(self._ranges) if ranges is None]
        by_region: dict[int, list[int]] = defaultdict(list)
        for number, ranges in enumerate(self._ranges):
            for region in _regions(ranges or ()):
                by_region[region].append(number)
        self._offer_at = array("I", national)
        self._national_end = len(national)
        self._region_span = {}
        for region in sorted(by_region):
            start = len(self._offer_at)
            self._offer_at.extend(by_region[region])
            self._region_span[region] = (start, len(self._offer_at))

    def _index_texts(self, texts: Callable[[Offer], dict[tuple[str, str], list[str]]]) -> None:
        """BM25F impacts per position (a word weighs more in a short field and in the name); idf per term.

        The words are first gathered for the vocabulary and the field lengths, kept as one string per field.
        """
        lengths: Counter[tuple[str, str]] = Counter()
        vocabulary: dict[str, set[str]] = {"nl": set(), "en": set()}
        kept = []
        for offer in self.offers:
            fields = texts(offer)
            for (language, name), tokens in fields.items():
                lengths[language, name] += len(tokens)
                vocabulary[language].update(tokens)
            kept.append(tuple(" ".join(tokens) for tokens in fields.values()))
        keys = list(fields) if self.offers else []
        average = {key: max(total / max(len(self.offers), 1), 1.0) for key, total in lengths.items()}
        self._learn_vocabulary(vocabulary)
        self._postings: dict[str, _Postings] = defaultdict(_Postings)
        self._need_postings: dict[Need, _Postings] = defaultdict(_Postings)
        frequency: Counter[str] = Counter()
        counted: set[int] = set()
        for position, number in enumerate(self._offer_at):
            impacts = self._impacts(dict(zip(keys, (text.split() for text in kept[number]), strict=True)), average)
            for term, impact in impacts.items():
                postings = self._postings[term]
                postings.positions.append(position)
                postings.weights.append(impact)
            for need, fit in self._fits[number].items():
                self._need_postings[need].positions.append(position)
                self._need_postings[need].weights.append(fit)
            if number not in counted:
                counted.add(number)
                frequency.update(impacts.keys())
        self._postings, self._need_postings = dict(self._postings), dict(self._need_postings)
        total = len(self.offers)
        self._idf = {term: log(1 + (total - df + 0.5) / (df + 0.5)) for term, df in frequency.items()}

    def _impacts(self, fields: dict[tuple[str, str], list[str]],
                 average: Mapping[tuple[str, str], float]) -> dict[str, float]:
        frequency: dict[str, float] = defaultdict(float)
        for (language, name), tokens in fields.items():
            if not tokens:
                continue
            norm = FIELDS[language, name] / (1 - B + B * len(tokens) / average[language, name])
            for term, n in Counter(english_stems(tokens) if language == "en" else dutch_stems(tokens)).items():
                frequency[term] += n * norm
            if language == "nl":
                for compound in self._parts.keys() & set(tokens):
                    for part in self._parts[compound]:
                        frequency[part] += PART * tokens.count(compound) * norm
        return {term: tf * (K1 + 1) / (tf + K1) for term, tf in frequency.items()}

    def _learn_vocabulary(self, vocabulary: Mapping[str, set[str]]) -> None:
        """The catalogue's words: to split compounds and to correct typos."""
        self._dutch_stems = frozenset(dutch_stems(list(vocabulary["nl"])))
        self._parts = {word: parts for word in vocabulary["nl"] if (parts := self._split(word))}
        self._trigrams: dict[str, list[str]] = defaultdict(list)
        for word in vocabulary["nl"] | vocabulary["en"]:
            if len(word) >= 4:
                for gram in _trigrams(word):
                    self._trigrams[gram].append(word)

    def _split(self, word: str) -> tuple[str, ...]:
        """The known parts of a compound: two known words of 4 letters or more ("wandelgroep" → wandel, groep),
        else its longest known head of 6 letters or more ("mantelzorgondersteuning" → mantelzorg).
        A linking s is allowed ("vrijwilligerswerk").
        """
        pairs, heads = [], []
        for cut in range(4, len(word) - 3):
            head, tail = word[:cut], word[cut:]
            left = head[:-1] if head.endswith("s") and cut > 4 else head
            [left_stem, tail_stem] = dutch_stems([left, tail])
            if left_stem not in self._dutch_stems:
                continue
            if tail_stem in self._dutch_stems:
                pairs.append((min(cut, len(tail)), (left_stem, tail_stem)))
            elif len(left) >= 6:
                heads.append((cut, (left_stem,)))
        return max(pairs or heads or [(0, ())])[1]

    # Searching

    def _ranking(self, query: Query) -> _Ranking:
        """Candidates from the posting lists of the typed words and the chips (every offer in reach when
        nothing was typed or chosen), the hard filters, the scoring terms, and the cut below the best.
        """
        understood = understand(query.text)
        age = query.age if query.age is not None else understood.age
        spans = [(0, self._national_end)]
        if query.postcode_area is not None and query.postcode_area // REGION in self._region_span:
            spans.append(self._region_span[query.postcode_area // REGION])
        by_word = self._word_scores(understood.words, understood.language, spans)
        chosen = {position for need in query.needs
                  for position, _ in self._need_postings.get(need, _Postings()).within(spans)}
        candidates: Iterable[int] = chosen.union(*(scores for _, scores in by_word))
        if not understood.words and not query.needs:
            candidates = (position for start, end in spans for position in range(start, end))
        groups = set(understood.groups)
        if Need.CARER in query.needs:
            groups.add(Group.CARERS)
        if age is not None and age >= 65:
            groups.add(Group.OLDER)
        context = _Context(query, understood, by_word, frozenset(groups))
        passes = self._filters(query, age)
        terms, scored = {}, []
        for position in candidates:
            number = self._offer_at[position]
            if passes(number, position):
                terms[number] = found = self._terms(number, position, context)
                scored.append((-sum(term[2] for term in found), number))
        scored.sort()
        best = -scored[0][0] if scored else 0.0
        kept = tuple((-minus, number) for minus, number in scored if -minus > 0 and -minus >= RELATIVE_CUT * best)
        return _Ranking(query, kept, {number: terms[number] for _, number in kept})

    def _word_scores(self, typed: Sequence[str], language: str,
                     spans: Sequence[tuple[int, int]]) -> list[tuple[str, dict[int, float]]]:
        """Per typed word, its score in each position: a word counts once, by its best-matching form.
        A misspelt word is shown as the word it was corrected to.
        """
        result = []
        for typed_word in typed:
            word, forms = self._forms(typed_word, language)
            best: dict[int, float] = {}
            for term, weight in forms.items():
                factor = weight * self._idf[term]
                for position, impact in self._postings[term].within(spans):
                    score = impact * factor
                    if score > best.get(position, 0.0):
                        best[position] = score
            if best:
                result.append((word, best))
        return result

    def _forms(self, word: str, language: str) -> tuple[str, dict[str, float]]:
        """The index terms a typed word stands for, with how much each counts.

        A word is looked up in the question's language first, in the other language only when it is
        unknown there. Synonyms, compound parts and typo corrections count for less.
        """
        [dutch], [english] = dutch_stems([word]), english_stems([word])
        own = [term for term in ((english, dutch) if language == "en" else (dutch, english)) if term in self._idf]
        forms = {own[0]: 1.0} if own else {}
        for synonym in _SYNONYMS.get(dutch, ()):
            forms.setdefault(synonym, SYNONYM)
        for part in self._parts.get(word) or self._split(word):
            forms.setdefault(part, PART)
        corrections = self._corrections(word) if not own and len(word) >= 5 else []
        for close, similarity in corrections:
            for term in (*dutch_stems([close]), *english_stems([close])):
                forms.setdefault(term, TYPO * similarity)
        shown = corrections[0][0] if corrections else word
        return shown, {term: weight for term, weight in forms.items() if term in self._idf}

    def _corrections(self, word: str) -> list[tuple[str, float]]:
        """Known words close to an unknown one: they share character trigrams and differ in a letter or two."""
        shared: Counter[str] = Counter()
        for gram in _trigrams(word):
            shared.update(self._trigrams.get(gram, ()))
        enough = len(word) // 2
        close = [(other, fuzz.ratio(word, other)) for other, n in shared.items() if n >= enough]
        return [(other, ratio / 100) for other, ratio in sorted(close, key=lambda c: -c[1])[:2] if ratio >= 80]

    def _filters(self, query: Query, age: int | None) -> Callable[[int, int], bool]:
        """The hard filters of one query, as a test of (offer number, position); a national position needs
        no postcode check.
        """
        traits, ranges, national_end, postcode = self._traits, self._ranges, self._national_end, query.postcode_area
        free_only, home = query.free_only, query.going_out is GoingOut.HOME
        remote = query.going_out is GoingOut.REMOTE

        def passes(number: int, position: int) -> bool:
            offer = traits[number]
            if position >= national_end and not any(a <= postcode <= b for a, b in ranges[number]):  # type: ignore
                return False
            return ((age is None or offer.min_age <= age <= offer.max_age) and (offer.free or not free_only)
                    and not (home and offer.outside_only) and (offer.remote or not remote))
        return passes

    def _terms(self, number: int, position: int, context: _Context) -> list[Term]:
        """The scoring terms of one offer for one query. The score is their sum."""
        query, understood = context.query, context.understood
        offer = self._traits[number]
        terms: list[Term] = []
        hits = [(scores[position], word) for word, scores in context.by_word if position in scores]
        if hits:
            terms.append((Why.WORDS, hits, sum(score for score, _ in hits)))
        fits = self._fits[number]
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
        if position >= self._national_end:
            terms.append((Why.NEARBY, query.postcode_area, NEARBY))
        if offer.evidence:
            terms.append((Why.EVIDENCE, offer.evidence, EVIDENCE))
        return terms

    def _match(self, ranking: _Ranking, score: float, number: int) -> Match:
        """A result with its reasons: the positive scoring terms, largest first, then the filters asked for."""
        order = list(Why)
        positive = sorted((t for t in ranking.terms[number] if t[2] > 0), key=lambda t: (-t[2], order.index(t[0])))
        reasons = [Reason(code, _value(value), round(weight, 3)) for code, value, weight in positive]
        if ranking.query.free_only:
            reasons.append(Reason(Why.FREE))
        if ranking.query.going_out is GoingOut.REMOTE:
            reasons.append(Reason(Why.REMOTE))
        return Match(self.offers[number], round(score, 3), tuple(reasons))


def _texts(offer: Offer, method_words: list[str]) -> dict[tuple[str, str], list[str]]:
    """The searchable words of an offer per (language, field); the words of its method count for it too."""
    texts = {
        ("nl", "name"): offer.name.nl, ("nl", "keywords"): " ".join(offer.keywords), ("nl", "kern"): offer.kern.nl,
        ("nl", "description"): offer.description.nl,
        ("en", "name"): offer.name.en, ("en", "kern"): offer.kern.en, ("en", "description"): offer.description.en,
    }
    return {key: content_words(text) for key, text in texts.items()} | {("nl", "method"): method_words}


def _value(value: object) -> str:
    """A reason's value as text: matched words best first, comma-separated."""
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(word for _, word in sorted(value, key=lambda hit: -hit[0]))
    return str(value)
