"""The omzien command answers at once and speaks Dutch, argparse's own words included."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from importlib import import_module
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po

from omzien.cli import Commands, commands, main
from omzien.core.i18n import Catalogues

HEAVY = ["aiogram", "omzien.flows.matching", "omzien.sandbox.spec", "omzien.bot.app", "matplotlib"]
"""The bot, the offer matcher, the Bot API spec of the stand-in and the charts: none is needed to list points."""

LOADED = """
import json, sys
from omzien.cli import Commands, commands, main
from omzien.core.i18n import Catalogues
try:
    code = main(sys.argv[1:])
except SystemExit as exit_:
    code = exit_.code
print(json.dumps({"code": code, "modules": sorted(sys.modules)}))
"""


def run_command(*argv: str, folder: Path) -> tuple[dict, str]:
    """``omzien argv`` in a fresh Python, on a fresh SQLite database: its exit code and every module it loaded."""
    environment = {name: value for name, value in os.environ.items() if name != "OMZIEN_LANGUAGE"}
    environment["OMZIEN_DATABASE_URL"] = f"sqlite+aiosqlite:///{folder}/omzien.sqlite3"
    done = subprocess.run([sys.executable, "-c", LOADED, *argv], capture_output=True, text=True, cwd=folder,
                          env=environment, timeout=120)
    assert done.returncode == 0, done.stderr
    *printed, loaded = done.stdout.splitlines()
    return json.loads(loaded), "\n".join(printed)


def loaded_of(modules: list[str], names: list[str]) -> list[str]:
    return [m for m in modules if any(m == name or m.startswith(name + ".") for name in names)]


def test_listing_the_points_loads_neither_the_bot_nor_the_matcher_nor_the_spec(tmp_path: Path) -> None:
    result, printed = run_command("points", "list", folder=tmp_path)
    assert result["code"] == 0 and printed == ""  # a fresh database: no points yet
    assert "sqlalchemy" in result["modules"]  # it did read the database
    assert not loaded_of(result["modules"], HEAVY)


def test_a_point_added_and_listed_in_a_fresh_process(tmp_path: Path) -> None:
    result, printed = run_command("points", "add", "--name", "Signaalpunt Noord", "--postcodes", "3040-3049",
                                  folder=tmp_path)
    assert result["code"] == 0 and "Signaalpunt 1 aangemaakt" in printed
    result, printed = run_command("points", "list", folder=tmp_path)
    assert "Signaalpunt Noord" in printed and "3040-3049" in printed
    assert not loaded_of(result["modules"], HEAVY)


def test_the_list_of_commands_loads_no_database_either(tmp_path: Path) -> None:
    result, printed = run_command("--help", folder=tmp_path)
    assert result["code"] == 0 and printed.startswith("gebruik: omzien [-h] opdracht ...")
    assert "points    signaalpunten instellen en bekijken" in printed
    assert not loaded_of(result["modules"], [*HEAVY, "sqlalchemy", "alembic"])


def test_every_command_a_module_registers_is_in_the_list_of_commands() -> None:
    """A command missing from ``commands()`` would be neither listed nor found: ``omzien`` loads modules by it."""
    with Catalogues().context():
        table = commands()
        for module in {module for module, _line in table.values()}:
            subparsers = argparse.ArgumentParser().add_subparsers()
            import_module(f"omzien.cli.{module}").register(Commands(subparsers, {name: line for name, (_m, line)
                                                                                 in table.items()}))
            assert set(subparsers.choices) == {name for name, (home, _line) in table.items() if home == module}


def test_a_mistyped_command_is_answered_in_dutch(capsys: pytest.CaptureFixture[str], monkeypatch) -> None:
    monkeypatch.delenv("OMZIEN_LANGUAGE", raising=False)
    with pytest.raises(SystemExit) as exit_:
        main(["pointsx"])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("gebruik: omzien [-h] opdracht ...")
    assert "omzien: fout: argument opdracht: ongeldige keuze: 'pointsx' (kies uit 'run', 'db'," in err


def test_help_and_missing_arguments_in_dutch(capsys: pytest.CaptureFixture[str], monkeypatch) -> None:
    monkeypatch.delenv("OMZIEN_LANGUAGE", raising=False)
    with pytest.raises(SystemExit):
        main(["points", "--help"])
    out = capsys.readouterr().out
    assert out.startswith("gebruik: omzien points [-h] opdracht ...")
    assert "argumenten:" in out and "opties:" in out and "-h, --help  deze hulp tonen en stoppen" in out
    with pytest.raises(SystemExit):
        main(["points", "add", "--name", "Noord"])
    assert "omzien points add: fout: dit ontbreekt nog: --postcodes" in capsys.readouterr().err


def test_in_english_when_the_language_is_english(capsys: pytest.CaptureFixture[str], monkeypatch) -> None:
    monkeypatch.setenv("OMZIEN_LANGUAGE", "en")
    with pytest.raises(SystemExit):
        main(["points", "set-policy", "x"])
    err = capsys.readouterr().err
    assert err.startswith("usage: omzien points set-policy") and "error: argument" in err
    assert "invalid int value: 'x'" in err
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    assert out.startswith("usage: omzien [-h]") and "    run       start the bot\n" in out


def test_argparse_speaks_its_own_language_again_after_the_command(capsys) -> None:
    with pytest.raises(SystemExit):
        main(["pointsx"])
    parser = argparse.ArgumentParser(prog="other")
    assert "usage: other" in parser.format_usage() and "show this help message" in parser.format_help()


@pytest.mark.parametrize("locale", ["nl", "en"])
def test_every_word_of_this_pythons_argparse_is_translated(locale: str) -> None:
    words = {message if isinstance(message, str) else message[0] for _line, message, _comments, _context in
             extract_from_file("python", argparse.__file__, keywords={"_": None, "ngettext": (1, 2)})}
    catalogue = Path(__file__).parent.parent / "omzien" / "locales" / locale / "LC_MESSAGES" / "argparse.po"
    with catalogue.open("rb") as source:
        translated = {m.id if isinstance(m.id, str) else m.id[0]: m.string for m in read_po(source) if m.id}
    assert words <= set(translated), sorted(words - set(translated))
    assert all(translated[word] for word in words)
