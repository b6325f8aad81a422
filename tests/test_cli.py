"""The omzien command, as a coordinator uses it on the municipality's machine."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from datetime import timedelta

import pytest
from sqlalchemy import select

from omzien.cli import main
from omzien.flows.address import Address
from omzien.flows.report import ReportDraft
from omzien.flows.signal import Consent, Observation
from omzien.storage.db import create_engine, session_factory, upgrade
from omzien.storage.models import Account, OutboxMessage, utcnow
from omzien.storage.signals import file_report
from tests.conftest import KEYS


@pytest.fixture
def database(tmp_path, monkeypatch) -> str:
    url = f"sqlite+aiosqlite:///{tmp_path}/cli.sqlite3"
    monkeypatch.setenv("OMZIEN_DATABASE_URL", url)
    monkeypatch.delenv("OMZIEN_BOT_TOKEN", raising=False)
    monkeypatch.chdir(tmp_path)
    return url


def test_a_coordinator_sets_up_two_points_and_lists_them(database, capsys) -> None:
    assert main(["points", "add", "--name", "Signaalpunt Noord", "--postcodes", "3040-3059,3061"]) == 0
    out = capsys.readouterr().out
    assert "Signaalpunt 1 aangemaakt" in out and "Koppelcode (eenmalig):" in out and "/koppel " in out
    assert main(["points", "add", "--name", "Signaalpunt Zuid", "--postcodes", "3060,3062-3069",
                 "--group-chat-id", "-100777"]) == 0
    assert "Koppelcode" not in capsys.readouterr().out
    assert main(["points", "list"]) == 0
    listing = capsys.readouterr().out
    assert "Signaalpunt Noord" in listing and "3040-3059,3061" in listing and "geen groep gekoppeld" in listing
    assert "Signaalpunt Zuid" in listing and "groep gekoppeld (-100777)" in listing
    assert main(["points", "code", "1"]) == 0
    assert "Nieuwe koppelcode voor Signaalpunt Noord" in capsys.readouterr().out


def test_overlapping_postcodes_are_refused_and_the_overlap_named(database, capsys) -> None:
    assert main(["points", "add", "--name", "Noord", "--postcodes", "3040-3059,3061"]) == 0
    assert main(["points", "add", "--name", "Zuid", "--postcodes", "3055-3070"]) == 2
    err = capsys.readouterr().err
    assert "3055-3059 (Noord)" in err and "3061 (Noord)" in err


@pytest.mark.parametrize("postcodes", ["30x0", "3059-3040", "123", ""])
def test_postcodes_that_are_not_areas_are_refused(database, capsys, postcodes: str) -> None:
    assert main(["points", "add", "--name", "Noord", "--postcodes", postcodes]) == 2
    assert "begrijp ik niet" in capsys.readouterr().err


def test_the_same_name_twice_is_refused(database, capsys) -> None:
    assert main(["points", "add", "--name", "Noord", "--postcodes", "3040"]) == 0
    assert main(["points", "add", "--name", "Noord", "--postcodes", "3041"]) == 2
    assert "al een signaalpunt met de naam" in capsys.readouterr().err


def test_db_upgrade_and_an_empty_unrouted_list(database, capsys) -> None:
    assert main(["db", "upgrade"]) == 0
    assert main(["signals", "unrouted"]) == 0
    assert "geen signalen zonder signaalpunt" in capsys.readouterr().out


@pytest.mark.parametrize(("token", "says"), [("", "ontbreekt"), ("not-a-token", "geen geldig Telegram-token")])
def test_run_without_a_good_token_says_so_in_one_sentence(database, monkeypatch, capsys, token, says) -> None:
    monkeypatch.setenv("OMZIEN_BOT_TOKEN", token)
    assert main(["run"]) == 2
    err = capsys.readouterr().err.strip()
    assert says in err and "\n" not in err and "Traceback" not in err


def test_the_installed_command_describes_every_option(database) -> None:
    env = {**os.environ, "OMZIEN_LANGUAGE": "nl"}
    helps = {args: subprocess.run([sys.executable, "-m", "omzien", *args, "--help"], capture_output=True,
                                  text=True, env=env, check=True).stdout
             for args in [("run",), ("points",), ("points", "add")]}
    for option in ["--database-url", "--telegram-api-url", "--verbose", "OMZIEN_BOT_TOKEN", "OMZIEN_TELEGRAM_API_URL"]:
        assert option in helps[("run",)]
    for command in ["add", "list", "code"]:
        assert command in helps[("points",)]
    for option in ["--name", "--postcodes", "--group-chat-id"]:
        assert option in helps[("points", "add")]


def test_the_command_speaks_english_when_asked(database, monkeypatch, capsys) -> None:
    monkeypatch.setenv("OMZIEN_LANGUAGE", "en")
    assert main(["signals", "unrouted"]) == 0
    assert "no signals without a signal point" in capsys.readouterr().out.lower()


def test_a_point_added_with_its_group_gets_the_cards_of_signals_that_waited(database, capsys) -> None:
    async def an_unrouted_report() -> None:
        engine = create_engine(database, KEYS)
        await upgrade(engine)
        async with session_factory(engine).begin() as session:
            session.add(Account(id=7, first_name="Piet"))
            draft = ReportDraft(observations=[Observation.STAYS_INSIDE], consent=Consent.NO, may_contact=False)
            draft.set_address(Address("9999ZZ", 1))
            await file_report(session, draft, 7, utcnow(), timedelta(days=30))
        await engine.dispose()

    async def queued_for(chat_id: int) -> list[str]:
        engine = create_engine(database, KEYS)
        async with session_factory(engine)() as session:
            rows = (await session.scalars(select(OutboxMessage).where(OutboxMessage.chat_id == chat_id))).all()
        await engine.dispose()
        return [row.payload["text"] for row in rows]

    asyncio.run(an_unrouted_report())
    assert main(["points", "add", "--name", "Oost", "--postcodes", "9999", "--group-chat-id", "-100888"]) == 0
    assert "1 eerder gemeld signaal" in capsys.readouterr().out
    [card] = asyncio.run(queued_for(-100888))
    assert "postcode 9999" in card and "ZZ" not in card
