"""What a typed sentence says besides its words: an age, the groups and needs it points to, whether it asks
for something free, whether the resident cannot go online, whether it is about someone else, its language.

A resident writes one sentence ("ik ben sinds kort weduwe en zit veel alleen"), not a form: what the chips
and the questions would ask is read from it with plain phrases (lowercase words without accents), so that
every rule can be read here and tested. The search uses the age as a filter and the groups, needs, "free"
and "offline" as scoring terms; the language picks the texts the words are matched against first.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from omzien.flows.matching.words import content_words, words
from omzien.flows.offers import Group, Need


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


DUTCH_HINTS = frozenset({"ik", "de", "het", "een", "en", "van", "mijn", "met", "wil", "voor", "niet", "die", "ben"})
ENGLISH_HINTS = frozenset({"i", "the", "and", "to", "my", "with", "for", "a", "of", "at", "need", "want", "have", "am"})
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
RELATIVES = ("vader|moeder|ouders|pa|ma|man|vrouw|partner|oma|opa|tante|oom|zoon|dochter|zus|broer|buurman|buurvrouw|"
             "vriend|vriendin|father|mother|parents|dad|mum|mom|husband|wife|grandma|grandpa|son|daughter|sister|"
             "brother|neighbour|neighbor|aunt|uncle")
# "mijn moeder", "mijn oude moeder", "mijn 84-jarige schoonmoeder", "my 84-year-old grandmother".
SOMEONE_ELSE = re.compile(rf"\b(?:mijn|onze|my|our) (?:\d+ (?:jarige|year old|years old) )?(?:\w+ )?"
                          rf"(?:schoon|groot|stief|klein|grand|step)?(?:{RELATIVES})\b")
CARING = re.compile(r"\bzorg(?:en)?\b.*\bvoor (?:mijn|onze)\b")
# Grief or caring that points to no group but still says the resident asks for themselves.
ONESELF = re.compile(r"\b(?:died|passed away|verzorg(?:en)? (?:mijn|onze)|(?:care|caring) for (?:my|our)"
                     r"|(?:look|looking) after (?:my|our)|(?:take|taking) care of (?:my|our))\b")
NOT_AN_AGE = r"(?! ?(?:plus|jaar geleden|weken|week|dagen|uur|minuten|euro|keer))"
AGE = re.compile(rf"\b(\d{{2,3}})\b{NOT_AN_AGE}")
OLDER_THAN = re.compile(r"\b([5-9]\d) ?plus\b")


def understand(text: str) -> Understanding:
    """The age, groups and needs a sentence mentions, whether it asks for free offers, and for whom.

    A number from 10 to 110 is an age, unless it reads "65+" or is a number of weeks, euros and so on.
    "Mijn vader", "my mum" and the like ("mijn 84-jarige moeder", "mijn schoonvader", "my grandmother") make
    the question about someone else, except when the sentence is about grief or caring ("mijn man is overleden",
    "my husband died", "ik zorg voor mijn moeder", "I look after my mum"): then the resident asks support for
    themselves.
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
    about_oneself = bool(groups & {Group.BEREAVED, Group.CARERS}) or bool(ONESELF.search(plain))
    return Understanding(
        words=tuple(dict.fromkeys(w for w in content_words(plain) if not (free and w in FREE_WORDS))),
        age=ages[0] if ages else None, groups=frozenset(groups),
        needs=frozenset(need for need, hints in NEED_HINTS.items() if _mentions(plain, hints)), free=free,
        offline=_mentions(plain, OFFLINE_HINTS),
        for_someone_else=bool(SOMEONE_ELSE.search(plain)) and not about_oneself,
        language="en" if english else "nl",
    )


def _mentions(plain: str, hints: Iterable[str]) -> bool:
    return any(f" {hint} " in plain for hint in hints)
