"""Plain Dutch (B1) for residents and signallers: every text they can see is measured, the worst are named.

The texts are read from the code the way ``pybabel extract`` reads them, from the modules that speak to
residents and signallers. Each is measured with textstat's Dutch readability (Flesch–Douma: 100 is very
easy, 60 and up is plain, below 30 is hard) and by its words per sentence; placeholders count as one word,
markup and emoji not at all. ``python -m pytest -s tests/test_plain_language.py`` prints the figures.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import textstat
from babel.messages.extract import extract_from_file

ROOT = Path(__file__).resolve().parent.parent / "omzien"
FOR_RESIDENTS_AND_SIGNALLERS = ["views/offers.py", "views/report.py", "views/crisis.py", "views/common.py",
                                "views/signallers.py", "views/poster.py",
                                "views/texts.py", "handlers/finding.py", "handlers/reporting.py",
                                "handlers/common.py", "handlers/fallback.py"]
LONGEST_SENTENCE = 22
"""Words; B1 guidance keeps sentences short, and a message read on a phone in the street more so."""
MEAN_WORDS_PER_SENTENCE = 10
HARDEST = 30
"""Flesch–Douma below this is hard for anyone; no text may be that hard."""


def texts(root: Path = ROOT) -> list[str]:
    found = []
    for name in FOR_RESIDENTS_AND_SIGNALLERS:
        if not (root / name).exists():
            continue
        for _line, message, _comments, _context in extract_from_file(
                "python", root / name, keywords={"_": None, "__": None, "lazy_gettext": None, "ngettext": (1, 2)}):
            text = message if isinstance(message, str) else (message[0] if message else "")
            if text and text not in found:
                found.append(text)
    return found


def plain(text: str) -> str:
    text = re.sub(r"<[^>]+>", "", text)
    text = re.sub(r"\{\w+\}", "X", text)
    return re.sub(r"[^\w\s.,;:!?€'„”“\"()/+-]", "", text).strip()


def sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?:])\s+|\n+", plain(text)) if re.search(r"\w", s)]


def measure(text: str) -> dict:
    textstat.set_lang("nl")
    parts = sentences(text)
    lengths = [len(re.findall(r"[\w'-]+", s)) for s in parts]
    return {"text": text, "ease": round(textstat.flesch_reading_ease(plain(text)), 1),
            "longest": max(lengths, default=0), "words": sum(lengths), "sentences": len(parts)}


SCORED_FROM = 8
"""Words: a readability formula says nothing about a three-word button label."""


def figures(root: Path = ROOT) -> dict:
    measured = [m for m in (measure(t) for t in texts(root)) if m["sentences"]]
    scored = [m for m in measured if m["words"] >= SCORED_FROM]
    words = sum(m["words"] for m in scored)
    count = sum(m["sentences"] for m in scored)
    return {"texts": len(measured), "scored": len(scored), "words_per_sentence": round(words / count, 1),
            "plain_share": round(sum(m["ease"] >= 60 for m in scored) / len(scored), 3),
            "mean_ease": round(sum(m["ease"] for m in scored) / len(scored), 1),
            "longest_sentence": max(m["longest"] for m in measured),
            "hardest": sorted(scored, key=lambda m: m["ease"])[:5],
            "longest": sorted(measured, key=lambda m: -m["longest"])[:5]}


def test_the_measure_tells_plain_from_hard() -> None:
    assert measure("Wilt u praten? Bel ons. Het is gratis.")["ease"] > 80
    assert measure("Indien de betreffende hulpverleningsinstantie onvoldoende capaciteit beschikbaar heeft, "
                   "wordt de aanvraag doorgeleid naar de regionale coördinatiefunctionaris.")["ease"] < HARDEST


def test_what_residents_and_signallers_read_is_plain_dutch() -> None:
    result = figures()
    print(json.dumps({k: v for k, v in result.items() if k not in ("hardest", "longest")}))
    for m in result["hardest"][:3] + result["longest"][:3]:
        print(f"  ease {m['ease']:5.1f}, longest sentence {m['longest']:2} words: {m['text'][:90]}")
    assert result["texts"] > 100, "the texts were found"
    too_long = [m["text"] for m in result["longest"] if m["longest"] > LONGEST_SENTENCE]
    assert not too_long, f"sentences over {LONGEST_SENTENCE} words: {too_long}"
    too_hard = [m["text"] for m in result["hardest"] if m["ease"] < HARDEST]
    assert not too_hard, f"hard to read (Flesch–Douma < {HARDEST}): {too_hard}"
    assert result["words_per_sentence"] <= MEAN_WORDS_PER_SENTENCE
