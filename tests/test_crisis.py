"""The crisis check on sentences it was and was not written for, and on ways of writing that hide words."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from omzien.flows.crisis import Concern, concern, plain

DATA = Path(__file__).resolve().parent / "data"
EXPECTED = {"crisis": Concern.CRISIS, "acute": Concern.DANGER}


def labelled(name: str) -> list[tuple[str, str]]:
    return [tuple(line.split("\t", 1)) for line in (DATA / name).read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")]  # type: ignore[misc]


@pytest.mark.parametrize("name", ["crisis_sentences.tsv", "crisis_heldout.tsv", "crisis_unseen.tsv"])
def test_every_crisis_and_acute_sentence_gets_the_numbers_and_few_neutral_ones_do(name: str) -> None:
    rows = labelled(name)
    missed = [text for label, text in rows if label in EXPECTED and concern(text) is Concern.NONE]
    alarms = [text for label, text in rows if label == "neutral" and concern(text) is not Concern.NONE]
    neutral = sum(label == "neutral" for label, _ in rows)
    assert len(rows) >= 150
    assert not missed, missed
    assert len(alarms) <= 0.03 * neutral, alarms


def test_on_sentences_the_rules_were_never_tuned_on_most_get_the_numbers() -> None:
    """``crisis_final.tsv`` was written by someone who had not seen the rules and is only measured, never tuned
    on (bench/crisis.py prints its figures); this is a floor under them, so that a change cannot lose ground."""
    rows = labelled("crisis_final.tsv")
    for label, floor in (("crisis", 0.73), ("acute", 0.81)):
        texts = [text for lab, text in rows if lab == label]
        assert sum(concern(t) is not Concern.NONE for t in texts) / len(texts) >= floor, label
    neutral = [text for lab, text in rows if lab == "neutral"]
    assert sum(concern(t) is not Concern.NONE for t in neutral) / len(neutral) <= 0.03


def test_acute_danger_gets_112_first() -> None:
    wrong = [text for label, text in labelled("crisis_sentences.tsv")
             if label == "acute" and concern(text) is not Concern.DANGER]
    assert not wrong, wrong


CRISIS_WORDS = ["zelfmoord", "zelfdoding", "suicide", "levensmoe", "dood"]
HIDING = st.sampled_from(["\u200b", "\u00ad", "\u200c", "\u2060", "\ufeff", " "])


@given(st.sampled_from(CRISIS_WORDS), st.data())
def test_characters_inside_a_crisis_word_never_hide_it(word: str, data: st.DataObject) -> None:
    at = data.draw(st.integers(1, len(word) - 1))
    hidden = word[:at] + data.draw(HIDING) + word[at:]
    sentence = "ik wil " + hidden if word == "dood" else "ik denk aan " + hidden
    assert concern(sentence) is not Concern.NONE, repr(sentence)


@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=300))
def test_any_text_is_read_without_error(text: str) -> None:
    assert concern(text) in set(Concern)
    assert "  " not in plain(text)


def test_look_alike_letters_and_digits_read_as_the_letters_they_stand_for() -> None:
    assert plain("1k w1l dоod") == "ik wil dood"  # the first o of dood is Cyrillic
    assert plain("Z E L F M O O R D") == "zelfmoord"
    assert plain("mijn vader is 84") == "mijn vader is 84", "a number alone stays a number"
