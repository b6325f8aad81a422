"""Address, note and phone are sealed at rest: a copied database file or backup shows none of them, a new key
can be rotated in, and a bot without the right key stops with one sentence instead of sending nonsense."""

from __future__ import annotations

import asyncio
import json
import stat
from pathlib import Path

import pytest
from cryptography.exceptions import InvalidTag
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Text, select, type_coerce

from omzien.bot.app import StartupError, run
from omzien.cli import main
from omzien.core.i18n import load_i18n
from omzien.core.settings import Settings
from omzien.storage.models import Report, Signal
from omzien.storage.sealing import KeyMissing, Keyring, load_keyring
from tests.conftest import KEYS, Omzien
from tests.test_signal_chain import linked_group, report

NOTE = "Mevrouw Klaproos (06 12345678) komt niet meer buiten."


@given(st.text(min_size=1, max_size=600))
def test_what_is_sealed_opens_again_and_shows_nothing_of_itself(plain: str) -> None:
    sealed = KEYS.seal(plain, "reports.note")
    assert sealed.startswith(f"s1.{KEYS.current}.") and KEYS.open(sealed, "reports.note") == plain
    assert plain not in sealed or len(plain) < 8, "a short text can turn up in base64 by chance; a longer one not"
    assert KEYS.seal(plain, "reports.note") != sealed, "a fresh nonce every time"


def test_a_sealed_value_opens_only_for_its_own_column_and_with_its_own_key() -> None:
    sealed = KEYS.seal("3044AB", "signals.postcode")
    with pytest.raises(InvalidTag):
        KEYS.open(sealed, "signals.house")
    with pytest.raises(KeyMissing):
        Keyring.generate().open(sealed, "signals.postcode")
    assert KEYS.seal("", "signals.house") == "", "an emptied field holds nothing to hide"


def test_the_address_hash_finds_the_same_address_and_nothing_else() -> None:
    assert KEYS.address_hash("3044AB 12") == KEYS.address_hash("3044AB 12") != KEYS.address_hash("3044AB 14")
    assert Keyring.generate().address_hash("3044AB 12") != KEYS.address_hash("3044AB 12"), "keyed, not guessable"


def test_without_a_secret_key_a_key_file_is_made_once_readable_by_its_owner_only(tmp_path: Path) -> None:
    settings = Settings(secret_key="", key_file=tmp_path / "keys" / "omzien.key")
    first = load_keyring(settings)
    assert stat.S_IMODE(settings.key_file.stat().st_mode) == 0o600
    assert load_keyring(settings).current == first.current, "the same key on the next start"


async def raw_values(app: Omzien) -> list[str]:
    async with app.sessions() as session:
        signals = (await session.execute(select(type_coerce(Signal.postcode, Text), type_coerce(Signal.house, Text),
                                                Signal.address_key))).all()
        notes = (await session.scalars(select(type_coerce(Report.note, Text)))).all()
    return [value for row in signals for value in row] + list(notes)


@pytest.mark.parametrize("engine", ["sqlite"], indirect=True)
async def test_a_new_key_is_rotated_in_and_the_old_one_opens_nothing_any_more(app: Omzien, tmp_path: Path,
                                                                               monkeypatch, capsys) -> None:
    anna, piet = app.person("Anna"), app.person("Piet")
    await linked_group(app, anna)
    await piet.says("/start")
    await piet.taps("Ik maak me zorgen om iemand")
    await piet.taps("Bezorging")
    await piet.taps("Postbode")
    await report(piet, "3044 AB 287-2", note=NOTE)
    before = await raw_values(app)
    key_file = tmp_path / "omzien.key"
    key_file.write_text(KEYS.as_text())
    monkeypatch.delenv("OMZIEN_SECRET_KEY")
    monkeypatch.setenv("OMZIEN_KEY_FILE", str(key_file))
    monkeypatch.setenv("OMZIEN_DATABASE_URL", str(app.sessions.kw["bind"].url))

    assert await asyncio.to_thread(main, ["privacy", "rotate-key"]) == 0
    printed = json.loads(capsys.readouterr().out)
    new = Keyring.from_text(key_file.read_text())
    assert len(new.keys) == 1 and new.current == printed["key"] != KEYS.current
    assert printed["rows_sealed_anew"]["signals"] == 1 and printed["rows_sealed_anew"]["reports"] == 1
    after = await raw_values(app)
    assert not set(before) & set(after), "every sealed value and the address hash are new"
    assert all(value.startswith(f"s1.{new.current}.") for value in (after[0], after[1], after[3]))
    with pytest.raises(KeyMissing):
        KEYS.open(after[3], "reports.note")
    assert new.open(after[3], "reports.note") == NOTE and new.address_hash("3044AB 287-2") == after[2]


@pytest.mark.parametrize("engine", ["sqlite"], indirect=True)
async def test_a_bot_without_the_key_of_what_is_stored_stops_with_one_sentence(app: Omzien) -> None:
    anna, piet = app.person("Anna"), app.person("Piet")
    await linked_group(app, anna)
    await piet.says("/start")
    await piet.taps("Ik maak me zorgen om iemand")
    await piet.taps("Bezorging")
    await piet.taps("Postbode")
    await report(piet, "3044 AB 287-2", note=NOTE)
    other = Keyring.generate()
    settings = Settings(database_url=str(app.sessions.kw["bind"].url), secret_key=other.as_text())
    missing = f"sleutel die Omzien nu niet heeft \\({KEYS.current}"
    with load_i18n().context(), pytest.raises(StartupError, match=missing):
        await run(settings, "123456789:AAE-not-used-here")


def test_a_key_that_is_no_key_gets_one_sentence(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("OMZIEN_SECRET_KEY", "not-a-key")
    monkeypatch.setenv("OMZIEN_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path}/x.sqlite3")
    assert main(["signals", "unrouted"]) == 2
    assert "geen sleutel van Omzien" in capsys.readouterr().err
