"""The catalogue prepared for searching: build it once, search it many times.

Hard filters (an offer that fails one is never shown):
- only offers (not methods) for residents (not for professionals);
- the area covers the 4-digit postcode, or the offer is national; without a postcode, national offers only;
- the age lies within the offer's limits (an unknown age passes; an age in the sentence counts too);
- "liever thuis" drops offers that only happen outside the home; "telefoon of online" keeps offers by
  phone or online; "alleen gratis" keeps offers whose cost is known to be free.
The offers that pass are scored and explained by ``scoring``.

Words are matched as index terms: the Dutch and English stems of the catalogue's words (``words``). A typed
word also stands for its synonyms, for the known parts of a compound ("wandelgroep" → wandel, groep; the
catalogue's own compounds are indexed by their parts too) and, when the catalogue does not know it, for the
known words it is a typo of ("wandelgroeb" → wandelgroep).

Speed: offers are laid out national first, then by postcode region, so that a query reads only the
national part and the part of its own region from each posting list.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from math import log

from rapidfuzz import fuzz

from omzien.flows.matching.scoring import (
    FIELDS,
    K1,
    PART,
    SYNONYM,
    TYPO,
    B,
    Context,
    GoingOut,
    Match,
    Query,
    Term,
    Traits,
    best_first,
    explain,
    need_fits,
    score_terms,
)
from omzien.flows.matching.understanding import understand
from omzien.flows.matching.words import SYNONYM_STEMS, content_words, dutch_stems, english_stems, trigrams
from omzien.flows.offers import Area, Need, Offer

REGION = 100  # postcode areas per region: 3044 lies in region 30


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
        self._traits = [Traits.of(o, methods.get(o.method)) for o in self.offers]
        self._fits = [need_fits(o) for o in self.offers]
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

    def count_local(self, query: Query) -> int:
        """How many of those are local (not national): a search without any shows a gap in the local offer."""
        return sum(1 for _score, number in self._rank(query).scored if self._ranges[number] is not None)

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
                for gram in trigrams(word):
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
        context = Context.of(query, understood, age, by_word)
        passes = self._filters(query, age)
        terms, scored = {}, []
        for position in candidates:
            number = self._offer_at[position]
            if passes(number, position):
                terms[number] = found = self._terms(number, position, context)
                scored.append((-sum(term[2] for term in found), number))
        kept = best_first(scored)
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
        for synonym in SYNONYM_STEMS.get(dutch, ()):
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
        for gram in trigrams(word):
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

    def _terms(self, number: int, position: int, context: Context) -> list[Term]:
        """The scoring terms of one offer for one query (``scoring.score_terms``). The score is their sum."""
        return score_terms(self._traits[number], self._fits[number], position, position >= self._national_end,
                           context)

    def _match(self, ranking: _Ranking, score: float, number: int) -> Match:
        return explain(self.offers[number], score, ranking.terms[number], ranking.query)


def _texts(offer: Offer, method_words: list[str]) -> dict[tuple[str, str], list[str]]:
    """The searchable words of an offer per (language, field); the words of its method count for it too."""
    texts = {
        ("nl", "name"): offer.name.nl, ("nl", "keywords"): " ".join(offer.keywords), ("nl", "kern"): offer.kern.nl,
        ("nl", "description"): offer.description.nl,
        ("en", "name"): offer.name.en, ("en", "kern"): offer.kern.en, ("en", "description"): offer.description.en,
    }
    return {key: content_words(text) for key, text in texts.items()} | {("nl", "method"): method_words}
