"""Words that point to suicidal thoughts or acute danger: then 113 and 112 come before anything else.

The check errs on the side of showing the numbers: a false alarm costs a few lines, a missed
one can cost a life. It looks for phrases (after lower-casing and removing accents) and for
single words, allowing a typing error in longer words ("zelfmoort").
"""

from __future__ import annotations

import re
import unicodedata

from rapidfuzz import fuzz

PHRASES = (
    # Dutch
    "eind aan mijn leven", "einde aan mijn leven", "eind aan m'n leven", "er een eind aan maken",
    "er een einde aan maken", "er een eind aan wil", "uit het leven stappen", "niet meer leven",
    "niet meer willen leven", "wil niet meer leven", "wil dood", "dood willen", "wil er niet meer zijn",
    "er niet meer willen zijn", "mezelf iets aandoen", "mijzelf iets aandoen", "zichzelf iets aandoen",
    "mezelf van kant maken", "van kant maken", "het leven niet meer zitten", "leven niet meer zien zitten",
    "het niet meer zie zitten",
    "geen zin meer in het leven", "acuut gevaar", "in levensgevaar",
    # English
    "kill myself", "end my life", "want to die", "take my own life", "hurt myself", "no reason to live",
)
WORDS = ("zelfmoord", "suicide", "suicidaal", "zelfdoding", "levensmoe", "suicidal")
FUZZY_FROM = 7
"""Words of this length or longer may have one typing error and still count."""


def _normal(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"\s+", " ", re.sub(r"[^a-z0-9' ]", " ", plain)).strip()


def points_to_crisis(text: str) -> bool:
    """Whether ``text`` mentions suicidal thoughts or acute danger."""
    normal = _normal(text)
    if any(phrase in normal for phrase in PHRASES):
        return True
    for word in normal.split():
        for term in WORDS:
            if word.startswith(term) or (len(word) >= FUZZY_FROM and fuzz.ratio(word[:len(term) + 1], term) >= 85):
                return True
    return False
