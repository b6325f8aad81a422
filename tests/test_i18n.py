"""Every text people read is in both catalogues: Dutch (the source, complete) and English (complete)."""

from __future__ import annotations

import re
from importlib.resources import files
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from omzien.core.i18n import load_i18n
from tests.conftest import Omzien

ROOT = Path(__file__).parent.parent
KEYWORDS = {"_": None, "__": None, "gettext": None, "lazy_gettext": None, "ngettext": (1, 2)}
PLACEHOLDER = re.compile(r"\{\w*\}")


def texts_in_code() -> set[str]:
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
            ROOT / "omzien", method_map=[("**.py", "python")], keywords=KEYWORDS):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found


@pytest.mark.parametrize("locale", ["nl", "en"])
def test_every_text_in_the_code_is_translated(locale: str) -> None:
    path = files("omzien") / "locales" / locale / "LC_MESSAGES" / "omzien.po"
    with path.open("rb") as source:
        catalog = read_po(source, locale=locale)
    translated = {}
    for message in catalog:
        if not message.id:
            continue
        key = message.id[0] if isinstance(message.id, tuple) else message.id
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        assert all(strings) and "fuzzy" not in message.flags, f"{locale}: not translated: {key!r}"
        for string in strings:
            assert set(PLACEHOLDER.findall(string)) == set(PLACEHOLDER.findall(key)), f"{locale}: {key!r}"
        translated[key] = strings
    missing = texts_in_code() - set(translated)
    assert not missing, f"{locale}: add to the catalogue (see README, Translating): {sorted(missing)}"


def test_translations_work_straight_from_the_installed_package() -> None:
    i18n = load_i18n()
    assert set(i18n.available_locales) == {"nl", "en"}
    assert i18n.gettext("Ik maak me zorgen om iemand", locale="en") == "I am worried about someone"


async def test_someone_whose_telegram_is_english_is_answered_in_english(app: Omzien) -> None:
    jane = app.person("Jane", language="en")
    await jane.says("/start")
    assert "Welcome" in jane.sees().text
    await jane.taps("I am worried about someone")
    await jane.taps("Shop or service")
    await jane.taps("Hairdresser")
    await jane.says("I am worried about someone")
    assert "postcode" in jane.sees().text and "house number" in jane.sees().text


async def test_taal_switches_the_language(app: Omzien) -> None:
    piet = app.person("Piet")
    await piet.says("/taal")
    await piet.taps("English")
    assert any(m.text == "The language is now English." for m in app.telegram.shown(piet.user.id))
    assert "Are you worried about someone?" in piet.sees().text
    await piet.says("3044 AB 12")
    assert piet.sees().text.startswith("What did you notice at 3044 AB 12?")
    await piet.says("/taal")
    await piet.taps("Nederlands")
    await piet.says("/cancel")
    assert "Gestopt" in piet.sees().text
