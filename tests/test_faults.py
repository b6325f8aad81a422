"""Two hundred reports while Telegram fails a fifth of the bot's requests and the bot is killed once.

Afterwards every report is stored exactly once, every signal's card was posted once, every
reporter got exactly one confirmation per report, and nothing a person did was lost or done twice.
The thousand-report run is a bench: ``python bench/faults.py``.
"""

from __future__ import annotations

from tests.faultrun import fault_run

REPORTS = 200


async def test_two_hundred_reports_survive_failures_and_a_crash(tmp_path) -> None:
    run = await fault_run(REPORTS, tmp_path)
    print("\n" + run.summary())
    assert run.injected["cuts"] and run.injected["errors"] and run.injected["floods"], "the faults did happen"
    assert run.killed_after < REPORTS, "the bot was killed in the middle of the run"
    assert run.broken() == []
