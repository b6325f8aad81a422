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

from omzien.cli import Commands, build_parser, commands, main
from omzien.core.i18n import Catalogues

HEAVY = ["aiogram", "omzien.flows.matching.index", "numpy", "omzien.sandbox.spec", "omzien.bot.app", "matplotlib"]
"""The bot, the offer matcher's index (with numpy), the Bot API spec of the stand-in and the charts: none is
needed to list points."""

BOT = {"run", "demo"}
"""The commands that start the bot: only they may load it."""

COMMANDS = {
    "points add": ["--name", "Signaalpunt Zuid", "--postcodes", "3050-3059"],
    "points list": [],
    "points code": ["1"],
    "points set-policy": ["1", "--claim", "2"],
    "points set-goals": ["1", "--claim-within", "90%"],
    "signals unrouted": [],
    "signals erase": ["--address", "3044 AB 12"],
    "partners add": ["--point", "1", "--name", "Depot Noord", "--bot-username", "omzien_bot"],
    "partners list": ["--bot-username", "omzien_bot"],
    "poster": ["--point", "1", "--bot-username", "omzien_bot", "--output", "poster.pdf"],
    "offers export": ["--output", "exported.csv"],
    "offers import": ["offers.csv"],
    "offers search": ["wandelen met anderen", "--postcode", "3044"],
    "sla sweep": [],
    "sla report": [],
    "stats": [],
    "privacy purge": [],
    "privacy rotate-key": [],
    "audit": ["S-AAAA"],
    "db upgrade": [],
}
"""Every command but the bot's, with what it needs on a database with point 1 and a catalogue file."""

NEEDED = {"offers search": ["omzien.flows.matching.index", "numpy"]}
FAILING = {"audit": 2}
"""There is no signal S-AAAA: the answer says so, after looking in the database."""

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


def typed(parser: argparse.ArgumentParser) -> set[str]:
    """Each command of ``parser`` as it is typed, down to its last word: "points add", "stats"."""
    choices = next((a.choices for a in parser._actions if isinstance(a, argparse._SubParsersAction)), None)
    if not choices:
        return {""}
    return {f"{name} {rest}".strip() for name, sub in choices.items() for rest in typed(sub)}


@pytest.fixture(scope="module")
def with_a_point(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with a database that holds point 1 (3040-3049) and the catalogue written out as offers.csv."""
    folder = tmp_path_factory.mktemp("cli")
    for argv in (["points", "add", "--name", "Signaalpunt Noord", "--postcodes", "3040-3049"],
                 ["offers", "export", "--output", "offers.csv"]):
        assert run_command(*argv, folder=folder)[0]["code"] == 0
    return folder


@pytest.mark.parametrize("command", COMMANDS)
def test_no_command_but_the_bots_loads_the_bot(command: str, with_a_point: Path) -> None:
    result, _printed = run_command(*command.split(), *COMMANDS[command], folder=with_a_point)
    assert result["code"] == FAILING.get(command, 0)
    assert "sqlalchemy" in result["modules"]
    assert not loaded_of(result["modules"], [name for name in HEAVY if name not in NEEDED.get(command, [])])


def test_every_command_is_checked_for_what_it_loads() -> None:
    with Catalogues().context():
        every = {command for name in commands() for command in typed(build_parser([name])) if command.startswith(name)}
    assert every - BOT == set(COMMANDS)


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
