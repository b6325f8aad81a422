"""A thousand reports while Telegram fails a fifth of the bot's requests and the bot is killed once (SIGKILL).

100 reporters, 20 signal points with a group each, the bot as a real process against the stand-in
(``tests/faultrun.py``; ``tests/test_faults.py`` runs the same with 200 reports). Prints JSON: the
promises the run broke (none is the goal), the counts, and the reports per second.

    python bench/faults.py [--reports 1000]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.faultrun import POINTS, REPORTERS, fault_run


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reports", type=int, default=1_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        run = await fault_run(args.reports, Path(folder))
    print(json.dumps({
        "benchmark": "faults",
        "reports": run.reports,
        "reporters": REPORTERS,
        "points": POINTS,
        "seconds": round(run.seconds, 1),
        "reports_per_second": round(run.reports / run.seconds, 2),
        "killed_after_confirmations": run.killed_after,
        "broken_promises": run.broken(),
        "stored_reports": run.stored,
        "signals": run.signals[0],
        "cards_signals": len(run.cards),
        "cards_posted": sum(run.cards.values()),
        "confirmations": sum(run.confirmations.values()),
        "updates_handled": run.handled,
        "faults_injected": run.injected,
        "refusals": dict(run.refusals),
    }, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    asyncio.run(main())
