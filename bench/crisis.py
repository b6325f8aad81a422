"""How well the crisis check (omzien/flows/crisis.py) hears suicidal thoughts and acute danger.

On each labelled set in ``tests/data/``: ``crisis_sentences.tsv``, written alongside the rules;
``crisis_heldout.tsv`` and ``crisis_unseen.tsv``, each written by someone who had seen neither the rules
nor the other sets, measured first and then used to widen the rules; ``crisis_final.tsv``, written the
same way and only measured, never tuned on — its figures are the honest estimate for new text:

- recall: the share of crisis and of acute sentences that get the numbers (113 or 112) at all;
- first number right: the share that gets the right number first (113 for crisis, 112 for acute);
- false alarms: the share of neutral sentences (many with words like "dood", "einde", "gevallen") that
  get the numbers anyway.

The baseline in the same run is the check as it was before (fixed phrases and a few words, no
normalising beyond accents), so the figures say what the patterns add.

    python bench/crisis.py [--show]
"""

from __future__ import annotations

import argparse
import json
import re
import time
import unicodedata
from collections.abc import Callable
from pathlib import Path

from omzien.flows.crisis import Concern, concern

DATA = Path(__file__).resolve().parent.parent / "tests" / "data"
SETS = ("crisis_sentences.tsv", "crisis_heldout.tsv", "crisis_unseen.tsv", "crisis_final.tsv")
EXPECTED = {"crisis": Concern.CRISIS, "acute": Concern.DANGER}

OLD_PHRASES = (
    "eind aan mijn leven", "einde aan mijn leven", "eind aan m'n leven", "er een eind aan maken",
    "er een einde aan maken", "er een eind aan wil", "uit het leven stappen", "niet meer leven",
    "niet meer willen leven", "wil niet meer leven", "wil dood", "dood willen", "wil er niet meer zijn",
    "er niet meer willen zijn", "mezelf iets aandoen", "mijzelf iets aandoen", "zichzelf iets aandoen",
    "mezelf van kant maken", "van kant maken", "het leven niet meer zitten", "leven niet meer zien zitten",
    "het niet meer zie zitten", "geen zin meer in het leven", "acuut gevaar", "in levensgevaar",
    "kill myself", "end my life", "want to die", "take my own life", "hurt myself", "no reason to live")
OLD_WORDS = ("zelfmoord", "suicide", "suicidaal", "zelfdoding", "levensmoe", "suicidal")


def old_check(text: str) -> Concern:
    plain = "".join(c for c in unicodedata.normalize("NFKD", text.casefold()) if not unicodedata.combining(c))
    plain = re.sub(r"\s+", " ", re.sub(r"[^a-z0-9' ]", " ", plain)).strip()
    found = any(p in plain for p in OLD_PHRASES) or any(w.startswith(t) for w in plain.split() for t in OLD_WORDS)
    return Concern.CRISIS if found else Concern.NONE


def load(name: str) -> list[tuple[str, str]]:
    path = DATA / name
    if not path.exists():
        return []
    return [tuple(line.rstrip("\n").split("\t", 1)) for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")]  # type: ignore[misc]


def figures(rows: list[tuple[str, str]], check: Callable[[str], Concern], show: bool) -> dict:
    result: dict = {"sentences": len(rows)}
    for label in ("crisis", "acute"):
        mine = [text for lab, text in rows if lab == label]
        got = [check(text) for text in mine]
        result[f"{label}_recall"] = round(sum(g is not Concern.NONE for g in got) / len(mine), 4) if mine else None
        result[f"{label}_first_number_right"] = round(sum(g is EXPECTED[label] for g in got) / len(mine), 4) \
            if mine else None
        if show:
            for text, g in zip(mine, got, strict=True):
                if g is not EXPECTED[label]:
                    print(f"  {label} -> {g}: {text}")
    neutral = [text for lab, text in rows if lab == "neutral"]
    alarms = [text for text in neutral if check(text) is not Concern.NONE]
    result["false_alarms"] = round(len(alarms) / len(neutral), 4) if neutral else None
    if show:
        for text in alarms:
            print(f"  neutral -> alarm: {text}")
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--show", action="store_true", help="print every sentence the check gets wrong")
    args = parser.parse_args()
    report = {}
    for name in SETS:
        rows = load(name)
        if not rows:
            continue
        started = time.perf_counter()
        for _label, text in rows:
            concern(text)
        report[name] = {"check": figures(rows, concern, args.show),
                        "baseline": figures(rows, old_check, False),
                        "ms_per_sentence": round((time.perf_counter() - started) * 1000 / len(rows), 3)}
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
