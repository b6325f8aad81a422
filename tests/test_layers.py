"""The floors of the code (README, "How it is built"): each package imports only from the floors below it."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "omzien"
FLOORS = ["core", "flows", "storage", "views", "services", "handlers", "bot", "cli"]
"""Lowest first. The sandbox stands apart: it imports nothing else of omzien, and only the cli imports it."""


def modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "migrations" not in p.parts)


def package_of(path: Path) -> str:
    relative = path.relative_to(PACKAGE).parts
    return relative[0] if len(relative) > 1 else ""


def imported(path: Path) -> set[str]:
    """The omzien packages a module imports (``omzien.storage.outbox`` → ``storage``), also inside functions."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names = [node.module or ""] if isinstance(node, ast.ImportFrom) else \
            [a.name for a in node.names] if isinstance(node, ast.Import) else []
        for name in names:
            parts = name.split(".")
            if parts[0] == "omzien" and len(parts) > 1:
                found.add(parts[1])
            if isinstance(node, ast.ImportFrom) and name == "omzien":
                found.update(a.name for a in node.names)
    return found


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_a_module_imports_only_from_its_floor_and_below(path: Path) -> None:
    home = package_of(path)
    uses = imported(path) - {home, "locales"}
    if home == "sandbox":
        assert not uses, f"the sandbox imports {uses}"
        return
    assert "sandbox" not in uses or home == "cli", f"{home} imports the sandbox"
    if home in FLOORS:
        above = {floor for floor in FLOORS[FLOORS.index(home) + 1:]}
        assert not uses & above, f"{path.name} ({home}) imports {uses & above}"


def test_only_storage_writes_signal_and_point_rows() -> None:
    raw = re.compile(r"\bupdate\((Signal|Point)\)")
    writers = {str(p.relative_to(PACKAGE)) for p in modules() if raw.search(p.read_text(encoding="utf-8"))}
    assert writers and all(w.startswith("storage/") for w in writers), writers


def test_handlers_and_the_command_line_leave_telling_people_to_publish() -> None:
    fan_out = re.compile(r"\b(put_card|refresh_overview|_tell_reporters|_send_case|publish)\(")
    for path in modules():
        if package_of(path) in ("handlers", "cli"):
            assert not fan_out.search(path.read_text(encoding="utf-8")), path.name


def test_no_module_is_over_400_lines() -> None:
    long = {str(p.relative_to(PACKAGE)): n for p in modules()
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > 400}
    assert not long, long
