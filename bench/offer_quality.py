"""How well the matching finds the offers a person would want, on the labelled questions.

For every question in ``tests/data/offer_questions.json`` the shipped catalogue with Demodorp is searched
with the question's text, postcode, age, chips and "free only". Measures, averaged over questions:

- precision@3: the share of the shown results (at most 3) that is graded relevant (1 or 2);
  a question without results counts as 0;
- precision@3 of 3 slots: relevant results in the top 3 over min(3, number of graded offers), so
  that leaving results out does not help;
- recall@5: the share of the very relevant offers (grade 2) that are in the top 5;
- nDCG@5 with the grades as gains;
- zero-result rate: the share of questions without any result.

The baseline in the same run is a naive ranker with the same hard filters: the number of typed words
(lowercased, not stemmed) that occur in the offer's name, kern, description or keywords.

    python bench/offer_quality.py [--show]
"""

from __future__ import annotations

import argparse
import json
import math
from collections.abc import Callable
from pathlib import Path

from omzien.flows.matching import Match, Query, content_words
from omzien.flows.matching.index import Index
from omzien.flows.offers import Need, Offer
from omzien.storage.catalogue import shipped

QUESTIONS = Path(__file__).resolve().parent.parent / "tests" / "data" / "offer_questions.json"

Ranker = Callable[[Query], list[Offer]]


def query_of(question: dict) -> Query:
    postcode = question["postcode"]
    return Query(text=question["question"], needs=frozenset(Need(n) for n in question["needs"]), age=question["age"],
                 postcode_area=int(postcode) if postcode else None, free_only=question["free_only"])


def naive_ranker(index: Index) -> Ranker:
    """Typed words found in the offer's texts, counted; offers that pass the same hard filters only."""
    def rank(query: Query) -> list[Offer]:
        typed = set(content_words(query.text))
        everything = index.search(Query(age=query.age, postcode_area=query.postcode_area,
                                        free_only=query.free_only), limit=len(index.offers))
        counted = []
        for match in everything:
            offer = match.offer
            text = " ".join((offer.name.nl, offer.kern.nl, offer.description.nl, " ".join(offer.keywords))).casefold()
            found = sum(word in text.split() or word in offer.keywords for word in typed)
            if found:
                counted.append((-found, offer.id, offer))
        return [offer for *_, offer in sorted(counted)]
    return rank


def measure(rank: Ranker, questions: list[dict]) -> dict[str, float]:
    precision = slots = recall = ndcg = empty = 0.0
    for question in questions:
        grades: dict[str, int] = question["relevant"]
        found = [offer.id for offer in rank(query_of(question))]
        top3 = found[:3]
        hits = sum(grades.get(i, 0) >= 1 for i in top3)
        precision += hits / len(top3) if top3 else 0.0
        slots += hits / min(3, len(grades))
        very = [i for i, g in grades.items() if g == 2]
        recall += sum(i in found[:5] for i in very) / len(very) if very else 1.0
        gains = sorted(grades.values(), reverse=True)[:5]
        ideal = sum(g / math.log2(k + 2) for k, g in enumerate(gains))
        ndcg += sum(grades.get(i, 0) / math.log2(k + 2) for k, i in enumerate(found[:5])) / ideal
        empty += not found
    n = len(questions)
    return {"precision@3": round(precision / n, 3), "precision@3_of_3_slots": round(slots / n, 3),
            "recall@5": round(recall / n, 3), "ndcg@5": round(ndcg / n, 3), "zero_result_rate": round(empty / n, 3)}


def show(index: Index, questions: list[dict]) -> None:
    """Every question with its top 3, marked by grade, and the reason line of each result."""
    for question in questions:
        grades = question["relevant"]
        matches: list[Match] = index.search(query_of(question), limit=3)
        print(f"\n{question['question']!r} pc={question['postcode']} age={question['age']} "
              f"needs={question['needs']} total={index.count(query_of(question))}")
        for match in matches:
            grade = grades.get(match.offer.id, "-")
            reasons = ", ".join(f"{r.code}:{r.value}" for r in match.reasons)
            print(f"  [{grade}] {match.score:6.2f} {match.offer.id}: {reasons}")
        missing = [i for i, g in grades.items() if g == 2 and i not in [m.offer.id for m in matches]]
        if missing:
            print(f"  missing: {missing}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--show", action="store_true", help="print every question with its results")
    args = parser.parse_args()
    questions = json.loads(QUESTIONS.read_text(encoding="utf-8"))
    index = Index(shipped(demo=True))
    if args.show:
        show(index, questions)
    print(json.dumps({
        "questions": len(questions),
        "matching": measure(lambda q: [m.offer for m in index.search(q, limit=5)], questions),
        "baseline_keyword_overlap": measure(naive_ranker(index), questions),
    }, indent=2))


if __name__ == "__main__":
    main()
