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
national part and the part of its own region from each posting list. The build reads each offer once and
does the rest on whole arrays (numpy); a query works out the terms that do not depend on the words once per
profile of alike offers, and the reasons only for the offers shown.
"""

from __future__ import annotations

from array import array
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import count
from math import log

import numpy
from rapidfuzz import fuzz

from omzien.flows.matching.scoring import (
    FIELDS,
    K1,
    NEARBY,
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
from omzien.flows.matching.words import (
    FIELD_BREAK,
    STOPWORDS,
    SYNONYM_STEMS,
    dutch_stems,
    english_stems,
    field_words,
    trigrams,
)
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


@dataclass(frozen=True)
class _Ranking:
    """One query's results, best first, and what it takes to explain them."""

    query: Query
    scored: tuple[tuple[float, int], ...]  # (score, offer number)
    position: Mapping[int, int]  # offer number → the position it was found at
    context: Context


class Index:
    """The catalogue prepared for searching: build it once, search it many times."""

    def __init__(self, offers: Iterable[Offer],
                 municipalities: Mapping[str, Sequence[tuple[int, int]]] | None = None) -> None:
        everything = list(offers)
        methods = {o.id: o for o in everything if o.record_type == "method"}
        self.offers = [o for o in everything if o.record_type == "offer" and o.audience == "inwoners"]
        known = {name.casefold(): ranges for name, ranges in (municipalities or {}).items()}
        self._ranges = [_postcode_ranges(o.area, known) for o in self.offers]
        alike: dict[Traits, Traits] = {}
        self._traits = [alike.setdefault(traits, traits) for traits in (Traits.of(o, methods.get(o.method))
                                                                         for o in self.offers)]
        # Offers alike in what the score uses of them share a profile: (traits, need fits).
        numbers: dict[tuple, int] = {}
        self._profiles: list[tuple[Traits, dict[Need, float]]] = []
        self._profile = array("I")
        for traits, offer in zip(self._traits, self.offers, strict=True):
            fits = need_fits(offer)
            key = (traits.free, traits.online_only, traits.groups, traits.evidence, *fits.items())
            if key not in numbers:
                numbers[key] = len(self._profiles)
                self._profiles.append((traits, fits))
            self._profile.append(numbers[key])
        self._layout()
        self._index_texts({method.id: f"{method.name.nl} {method.kern.nl} {' '.join(method.keywords)}"
                           for method in methods.values()})
        self._ranked: dict[Query, _Ranking] = {}  # the last few rankings (not an lru_cache: no cycle to self)

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

    def _rank(self, query: Query) -> _Ranking:
        if query not in self._ranked:
            self._ranked = {**dict(list(self._ranked.items())[-63:]), query: self._ranking(query)}
        return self._ranked[query]

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

    def _index_texts(self, method_texts: Mapping[str, str]) -> None:
        """BM25F impacts per position (a word weighs more in a short field and in the name); idf per term.

        Each offer is read once into a flat array of word numbers (fields separated by a break); the rest is
        done on whole arrays: field lengths, the terms of each word (its stem, the parts of a compound), each
        term's impact in each offer (once per offer), and the postings, sorted by term and position: term t's
        are ``_starts[t]:_starts[t + 1]``. A need is a term too, weighted by how well it fits.
        """
        word_number: dict[str, int] = defaultdict(count(1).__next__, {FIELD_BREAK: 0})
        numbers, sizes = array("I"), array("I")
        for offer in self.offers:
            found = field_words(_texts(offer, method_texts.get(offer.method, "")))
            numbers.extend(map(word_number.__getitem__, found))
            sizes.append(len(found))
        vocabulary = list(word_number)
        offers, fields = len(self.offers), len(FIELD_KEYS)
        ids = numpy.frombuffer(numbers, dtype=numpy.uint32)
        sizes = numpy.frombuffer(sizes, dtype=numpy.uint32)
        offer = numpy.repeat(numpy.arange(offers, dtype=numpy.int64), sizes)
        kept = numpy.array([w == FIELD_BREAK or (len(w) > 1 and w not in STOPWORDS and not w.isdigit())
                            for w in vocabulary])[ids]
        ids, offer = ids[kept], offer[kept]
        breaks = numpy.cumsum(ids == 0, dtype=numpy.int32)
        field = numpy.minimum(breaks - breaks[_firsts(numpy.bincount(offer, minlength=offers))][offer], fields - 1)
        ids, offer, field = ids[ids > 0], offer[ids > 0], field[ids > 0]
        english = numpy.array([key[0] == "en" for key in FIELD_KEYS])[field]
        self._learn_vocabulary({"nl": {vocabulary[i] for i in numpy.unique(ids[~english]).tolist()},
                                "en": {vocabulary[i] for i in numpy.unique(ids[english]).tolist()}})
        lengths = numpy.bincount(offer * fields + field, minlength=offers * fields).reshape(offers, fields)
        average = numpy.maximum(lengths.sum(axis=0) / max(offers, 1), 1.0)
        norm = numpy.array([FIELDS[key] for key in FIELD_KEYS]) / (1 - B + B * lengths / average)
        # The terms a word stands for, in Dutch (row 2w) and in English (row 2w + 1), with their weights; then
        # the needs, each with its own row.
        term_number: dict[object, int] = defaultdict(count().__next__)
        rows = []
        for word, dutch, english_stem in zip(vocabulary, dutch_stems(vocabulary), english_stems(vocabulary),
                                             strict=True):
            rows.append([(term_number[dutch], 1.0), *((term_number[part], PART) for part in self._parts.get(word, ()))])
            rows.append([(term_number[english_stem], 1.0)])
        words = len(term_number)
        rows.extend([(term_number["need", need], 1.0)] for need in Need)
        row_sizes = numpy.array([len(row) for row in rows])
        row_terms = numpy.array([term for row in rows for term, _ in row], dtype=numpy.int64)
        row_weights = numpy.array([weight for row in rows for _, weight in row])
        row = ids.astype(numpy.int64) * 2 + english
        weight = norm[offer, field]
        fits = [(number, 2 * len(vocabulary) + list(Need).index(need), fit)
                for number, profile in enumerate(self._profile) for need, fit in self._profiles[profile][1].items()]
        if fits:
            need_offer, need_row, fit = zip(*fits, strict=True)
            offer, row, weight = (numpy.concatenate((offer, need_offer)), numpy.concatenate((row, need_row)),
                                  numpy.concatenate((weight, fit)))
        at = _gather(_firsts(row_sizes)[row], row_sizes[row])
        terms = len(term_number)
        pairs, which = numpy.unique(numpy.repeat(offer, row_sizes[row]) * terms + row_terms[at], return_inverse=True)
        frequency = numpy.bincount(which, weights=numpy.repeat(weight, row_sizes[row]) * row_weights[at])
        pair_offer, pair_term = pairs // terms, pairs % terms
        impact = numpy.where(pair_term < words, frequency * (K1 + 1) / (frequency + K1), frequency)
        documents = numpy.bincount(pair_term, minlength=terms).tolist()
        self._idf = {name: log(1 + (offers - df + 0.5) / (df + 0.5))
                     for name, df in zip(list(term_number)[:words], documents, strict=False) if df}
        # The (offer, term) pairs, sorted by offer, at each position in turn; then sorted by term.
        offer_at = numpy.frombuffer(self._offer_at, dtype=numpy.uint32)
        pair_counts = numpy.bincount(pair_offer, minlength=offers)
        at = _gather(_firsts(pair_counts)[offer_at], pair_counts[offer_at])
        order = numpy.argsort(pair_term[at].astype(numpy.uint32), kind="stable")
        self._term_id = dict(term_number)
        self._positions = numpy.repeat(numpy.arange(len(offer_at), dtype=numpy.uint32), pair_counts[offer_at])[order]
        self._weights = impact[at][order].astype(numpy.float32)
        self._starts = numpy.concatenate(([0], numpy.cumsum(numpy.bincount(pair_term[at], minlength=terms))))

    def _within(self, term: object, spans: Iterable[tuple[int, int]]) -> Iterator[tuple[int, float]]:
        """(position, weight) of a term, for the positions within the spans."""
        if (number := self._term_id.get(term)) is None:
            return
        start, end = int(self._starts[number]), int(self._starts[number + 1])
        positions = self._positions[start:end]
        for first, last in spans:
            [a, b] = numpy.searchsorted(positions, (first, last)).tolist()
            yield from zip(positions[a:b].tolist(), self._weights[start + a:start + b].tolist(), strict=True)

    def _learn_vocabulary(self, vocabulary: Mapping[str, set[str]]) -> None:
        """The catalogue's words: their stems, to split compounds and to correct typos."""
        dutch = sorted(vocabulary["nl"])
        self._dutch_stems = frozenset(dutch_stems(dutch))
        self._parts = {word: parts for word in dutch if (parts := self._split(word))}
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
        nothing was typed or chosen), the hard filters, the score, and the cut below the best.

        An offer's score is the sum of its scoring terms (``score_terms``): what its words add, what the rest
        adds — the same for all offers with the same profile, so worked out once per profile — and "nearby".
        The terms themselves are listed only for the offers shown.
        """
        understood = understand(query.text)
        age = query.age if query.age is not None else understood.age
        spans = [(0, self._national_end)]
        if query.postcode_area is not None and query.postcode_area // REGION in self._region_span:
            spans.append(self._region_span[query.postcode_area // REGION])
        by_word = self._word_scores(understood.words, understood.language, spans)
        chosen = {position for need in query.needs for position, _ in self._within(("need", need), spans)}
        candidates: Iterable[int] = chosen.union(*(scores for _, scores in by_word))
        if not understood.words and not query.needs:
            candidates = (position for start, end in spans for position in range(start, end))
        context = Context.of(query, understood, age, by_word)
        passes = self._filters(query, age)
        rest: dict[int, float] = {}  # per profile: what all terms but the words and "nearby" add
        word_scores = [scores for _, scores in by_word]
        offer_at, traits, profile_of = self._offer_at, self._traits, self._profile
        ranges, national_end, postcode = self._ranges, self._national_end, query.postcode_area
        scored, found_at = [], {}
        for position in candidates:
            number = offer_at[position]
            if not passes(traits[number]):
                continue
            score = rest.get(profile := profile_of[number])
            if score is None:
                score = rest[profile] = sum(term[2] for term in score_terms(*self._profiles[profile], -1, False,
                                                                            context))
            if position >= national_end:
                if not any(a <= postcode <= b for a, b in ranges[number]):  # type: ignore[union-attr]
                    continue
                score += NEARBY
            for scores in word_scores:
                score += scores.get(position, 0.0)
            scored.append((-score, number))
            found_at[number] = position
        kept = best_first(scored)
        return _Ranking(query, kept, {number: found_at[number] for _, number in kept}, context)

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
                for position, impact in self._within(term, spans):
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

    @staticmethod
    def _filters(query: Query, age: int | None) -> Callable[[Traits], bool]:
        """The hard filters of one query on an offer's traits (the postcode is checked by position)."""
        free_only, home = query.free_only, query.going_out is GoingOut.HOME
        remote = query.going_out is GoingOut.REMOTE

        def passes(offer: Traits) -> bool:
            return ((age is None or offer.min_age <= age <= offer.max_age) and (offer.free or not free_only)
                    and not (home and offer.outside_only) and (offer.remote or not remote))
        return passes

    def _terms(self, number: int, position: int, context: Context) -> list[Term]:
        """The scoring terms of one offer for one query (``scoring.score_terms``). The score is their sum."""
        return score_terms(self._traits[number], self._profiles[self._profile[number]][1], position,
                           position >= self._national_end, context)

    def _match(self, ranking: _Ranking, score: float, number: int) -> Match:
        return explain(self.offers[number], score, self._terms(number, ranking.position[number], ranking.context),
                       ranking.query)


FIELD_KEYS = (("nl", "name"), ("nl", "keywords"), ("nl", "kern"), ("nl", "description"), ("nl", "method"),
              ("en", "name"), ("en", "kern"), ("en", "description"))


def _texts(offer: Offer, method_text: str) -> tuple[str, ...]:
    """The searchable texts of an offer, as ``FIELD_KEYS``; the words of its method count for it too."""
    return (offer.name.nl, " ".join(offer.keywords), offer.kern.nl, offer.description.nl, method_text,
            offer.name.en, offer.kern.en, offer.description.en)


def _firsts(sizes: Sequence[int] | numpy.ndarray) -> numpy.ndarray:
    """Where each of consecutive runs of these sizes starts."""
    sizes = numpy.asarray(sizes, dtype=numpy.int64)
    return numpy.cumsum(sizes) - sizes


def _gather(starts: numpy.ndarray, sizes: numpy.ndarray) -> numpy.ndarray:
    """The indexes of the runs [start, start + size), one after another."""
    return numpy.repeat(starts - _firsts(sizes), sizes) + numpy.arange(int(sizes.sum()))
