"""The bot as a real process (``python -m omzien run``) against the Bot API stand-in."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

TOKEN = "123456789:AAHendToEndTestTokenForTheSandbox00"
"""The token of the bot the process tests run against the stand-in."""


class BotProcess:
    """Starts, kills and restarts ``omzien run``; its log goes to a file the test can show."""

    def __init__(self, sandbox_url: str, token: str, database_url: str, log: Path) -> None:
        self.env = {**os.environ, "OMZIEN_BOT_TOKEN": token, "OMZIEN_TELEGRAM_API_URL": sandbox_url,
                    "OMZIEN_DATABASE_URL": database_url}
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None

    def omzien(self, *args: str) -> str:
        done = subprocess.run([sys.executable, "-m", "omzien", *args], env=self.env, capture_output=True,
                              text=True, check=True)
        return done.stdout

    def start(self, *args: str) -> None:
        """``omzien run`` with ``args`` (e.g. ``--webhook-url``, ``--listen``)."""
        with self.log.open("ab") as log:
            self.process = subprocess.Popen([sys.executable, "-m", "omzien", "run", *args], env=self.env,
                                            stdout=log, stderr=subprocess.STDOUT)

    def kill(self) -> None:
        """SIGKILL: no clean-up, no last commit."""
        assert self.process is not None
        self.process.kill()
        self.process.wait(timeout=10)

    def stop(self) -> int:
        """Ctrl-C, as an operator would; the exit code."""
        assert self.process is not None
        self.process.send_signal(signal.SIGINT)
        try:
            return self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            raise

    def tail(self, lines: int = 40) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:]) if self.log.exists() else ""
