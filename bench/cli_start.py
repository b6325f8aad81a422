"""How long the omzien command takes to answer, against a bare ``python -c pass`` in the same run.

Each command runs in a fresh Python, as a coordinator runs it: ``omzien --help``; ``omzien points list``
on a fresh SQLite database (the first run creates and migrates it), then every other command of
``omzien.cli.commands()`` on that database, in the order of ``COMMANDS``: a point, a partner, a poster,
the catalogue written out and read in again, a search, a sweep, the figures, a purge, a new key. Only
``run`` and ``demo`` are left out: they start the bot (it waits for Telegram or for a browser).
Figures are medians over ``--runs`` runs of wall time and of CPU time (user + system; steadier than wall
time when the machine is busy); the ratios to ``python -c pass`` say what a command costs beyond
starting Python on this machine. A second baseline only imports the libraries any database command
needs (SQLAlchemy with aiosqlite, Alembic, pydantic-settings): the floor of ``omzien points list``.

``--before DIR`` also runs the omzien found in DIR (an older commit unpacked with ``git archive``),
interleaved with the installed one, so before and after are measured in the same run:

    git archive a1e9eab omzien | tar -x -C /tmp/omzien-before
    python bench/cli_start.py [--runs 5] [--before /tmp/omzien-before]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

LIBRARIES = "import sqlalchemy.orm, sqlalchemy.ext.asyncio, aiosqlite, alembic.command, pydantic_settings"
KEY = "YmVuY2gtb2Ytb216aWVuLWNsaS1zdGFydC0zMmJ5dGU="  # 32 bytes: the bench's own fresh databases only


def timed(argv: list[str], environment: dict[str, str], folder: str, code: int = 0) -> tuple[float, float]:
    """Wall and CPU seconds (user + system) of one run of ``argv``, which must end with exit ``code``."""
    cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(argv, env=environment, cwd=folder, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != code:
        raise SystemExit(f"{' '.join(argv)} failed: {done.stderr}")
    return elapsed, cpu_after.ru_utime + cpu_after.ru_stime - cpu_before.ru_utime - cpu_before.ru_stime


COMMANDS = {
    "omzien --help": ["--help"],
    "omzien points list (fresh database)": ["points", "list"],
    "omzien points list": ["points", "list"],
    "omzien points add": ["points", "add", "--name", "Signaalpunt Noord", "--postcodes", "3040-3049"],
    "omzien points code": ["points", "code", "1"],
    "omzien points set-policy": ["points", "set-policy", "1", "--claim", "2"],
    "omzien points set-goals": ["points", "set-goals", "1", "--claim-within", "90%"],
    "omzien signals unrouted": ["signals", "unrouted"],
    "omzien signals erase": ["signals", "erase", "--address", "3044 AB 12"],
    "omzien partners add": ["partners", "add", "--point", "1", "--name", "Depot Noord", "--bot-username", "omzien_bot"],
    "omzien partners list": ["partners", "list", "--bot-username", "omzien_bot"],
    "omzien poster": ["poster", "--point", "1", "--bot-username", "omzien_bot", "--output", "poster.pdf"],
    "omzien offers export": ["offers", "export", "--output", "offers.csv"],
    "omzien offers import": ["offers", "import", "offers.csv"],
    "omzien offers search": ["offers", "search", "wandelen met anderen", "--postcode", "3044"],
    "omzien sla sweep": ["sla", "sweep"],
    "omzien sla report": ["sla", "report"],
    "omzien stats": ["stats"],
    "omzien privacy purge": ["privacy", "purge"],
    "omzien privacy rotate-key": ["privacy", "rotate-key"],
    "omzien audit": ["audit", "S-AAAA"],
    "omzien db upgrade": ["db", "upgrade"],
}
"""In this order, on one database per run: the first listing creates it, ``points add`` makes point 1."""

FAILING = {"omzien audit"}
"""Commands that answer with exit code 2 here: there is no signal S-AAAA to show (it is looked up all the same)."""


def measure(runs: int, sources: dict[str, str | None]) -> dict[str, dict[str, tuple[float, float]]]:
    """Median wall and CPU seconds of ``python -c pass`` and of each command of each source, interleaved."""
    environment = {name: value for name, value in os.environ.items() if not name.startswith("OMZIEN_")}
    environment["OMZIEN_SECRET_KEY"] = KEY
    times: dict[str, dict[str, list[tuple[float, float]]]] = {"baseline": {"python -c pass": [], "libraries": []}}
    times.update({source: {command: [] for command in COMMANDS} for source in sources})
    for run in range(runs):
        times["baseline"]["python -c pass"].append(timed([sys.executable, "-c", "pass"], environment, "."))
        times["baseline"]["libraries"].append(timed([sys.executable, "-c", LIBRARIES], environment, "."))
        for source, folder in sources.items():
            with tempfile.TemporaryDirectory(prefix="omzien-cli-") as work:
                here = dict(environment, OMZIEN_DATABASE_URL=f"sqlite+aiosqlite:///{work}/omzien-{run}.sqlite3")
                if folder:
                    here["PYTHONPATH"] = str(Path(folder).resolve())
                for command, argv in COMMANDS.items():
                    times[source][command].append(timed([sys.executable, "-m", "omzien", *argv], here, work,
                                                        2 if command in FAILING else 0))
    return {source: {name: (statistics.median(w for w, _ in values), statistics.median(c for _, c in values))
                     for name, values in figures.items()} for source, figures in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--before", metavar="DIR", help="a folder holding an older omzien package, measured alongside")
    args = parser.parse_args()
    sources = {"after": None, "before": args.before} if args.before else {"installed": None}
    medians = measure(args.runs, sources)
    wall, cpu = medians["baseline"]["python -c pass"]
    floor_wall, floor_cpu = medians["baseline"]["libraries"]
    print(json.dumps({
        "runs": args.runs,
        "python -c pass": {"wall_seconds": round(wall, 3), "cpu_seconds": round(cpu, 3)},
        "only the database libraries": {"wall_seconds": round(floor_wall, 3), "wall_ratio": round(floor_wall / wall, 1),
                                        "cpu_seconds": round(floor_cpu, 3), "cpu_ratio": round(floor_cpu / cpu, 1)},
        **{source: {command: {"wall_seconds": round(w, 3), "wall_ratio": round(w / wall, 1),
                              "cpu_seconds": round(c, 3), "cpu_ratio": round(c / cpu, 1)}
                    for command, (w, c) in medians[source].items()} for source in sources},
        "load_average": round(os.getloadavg()[0], 1),
    }, indent=2))


if __name__ == "__main__":
    main()
