"""Words as the matching compares them, in the question and in the catalogue alike.

- Text becomes plain lowercase words without accents ("café" → "cafe"), so that a resident need not type
  accents; "65+" becomes "65 plus", so that ``understand`` can tell a group (65+) from an age.
- Little words (``STOPWORDS``) and numbers carry no meaning for the search and are left out of the content
  words; ages are read from the plain words by ``understand``.
- Dutch words are compared by their Snowball stem ("wandelen", "wandeling" → wandel), English words by their
  English stem with "en:" in front, so that the two languages never share a term. Where the Dutch stemmer
  would merge words that differ, they are kept apart ("ouderen", older people, and "ouders", parents).
- Synonyms are the words residents type for what the catalogue says otherwise ("weduwe" → rouw); they are
  stemmed once here, as the index stems its terms.
- The character trigrams of a word (with ^ and $ at its ends) find the known words a misspelt one is close to.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence

import Stemmer

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


FIELD_BREAK = "\x1f"
_WORD_OR_BREAK = re.compile(r"[a-z0-9]+|\x1f")


def field_words(texts: Sequence[str]) -> list[str]:
    """The words of several texts in one go, with ``FIELD_BREAK`` between the texts: ``content_words`` with the
    little words, single letters and numbers still in (for the index, which reads a whole catalogue).
    """
    return _WORD_OR_BREAK.findall(_plain(FIELD_BREAK.join(texts)))


def dutch_stems(tokens: list[str]) -> list[str]:
    stems = _DUTCH.stemWords(tokens)
    if "ouder" in stems:
        return [KEEP_APART.get(token, stem) for token, stem in zip(tokens, stems, strict=True)]
    return stems


def english_stems(tokens: list[str]) -> list[str]:
    return ["en:" + stem for stem in _ENGLISH.stemWords(tokens)]


# The synonyms by Dutch stem, as the index looks them up.
SYNONYM_STEMS = {dutch_stems([word])[0]: tuple(dutch_stems(list(alike))) for word, alike in SYNONYMS.items()}


def trigrams(word: str) -> set[str]:
    padded = f"^{word}$"
    return {padded[i:i + 3] for i in range(len(padded) - 2)}
