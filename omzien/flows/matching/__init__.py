"""Which offers fit what a resident asks: hard filters first, then a ranking that explains itself.

- ``words``: text as the matching compares it — plain words, little words left out, stems, synonyms, trigrams;
- ``understanding``: what a typed sentence says besides its words (``understand`` → ``Understanding``);
- ``scoring``: the question (``Query``), the scoring terms and their weights, the reasons (``Why``, ``Reason``)
  and the results (``Match``);
- ``index``: the ``Index`` — the catalogue laid out for fast search, the hard filters, the ranking of a query;
- ``parts``: an ``Index`` in parts that unpickle in a few milliseconds each, to move it from the process that
  built it to the bot.

Each module imports only the ones above it in this list. ``Index`` is imported from ``index`` itself:
it brings numpy, and the steps of a search (``flows.find``, so every view with buttons) need only the rest.
"""

from omzien.flows.matching.scoring import RELATIVE_CUT, GoingOut, Match, Query, Reason, Why
from omzien.flows.matching.understanding import Understanding, understand
from omzien.flows.matching.words import content_words

__all__ = [
    "RELATIVE_CUT",
    "GoingOut",
    "Match",
    "Query",
    "Reason",
    "Understanding",
    "Why",
    "content_words",
    "understand",
]
