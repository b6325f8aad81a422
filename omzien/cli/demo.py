"""``omzien demo``: the whole signal chain on one computer, without Telegram.

Starts the Bot API stand-in, seeds a fictional signal point ("Signaalpunt Demodorp") whose group
holds two welfare workers, runs the real bot against the stand-in, and serves the chat page where
a visitor can be the deliverer, a resident or either worker.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from omzien.bot.app import run
from omzien.core.i18n import gettext as _
from omzien.core.i18n import load_i18n
from omzien.core.logs import configure_logging
from omzien.core.settings import Settings
from omzien.flows.routing import parse_areas
from omzien.sandbox.client import SandboxClient
from omzien.sandbox.server import Sandbox
from omzien.storage import offers, points
from omzien.storage.db import create_engine, prepare, session_factory
from omzien.storage.sealing import Keyring


def register(commands: Any) -> None:
    demo = commands.add_parser("demo", description=_(
        "Start een nagebootste Telegram op deze computer, de echte bot daarop, een fictief signaalpunt met twee "
        "medewerkers, en een chatpagina waarop u de pakketbezorger, een bewoner of een medewerker bent. "
        "Geen token nodig. Stoppen met Ctrl-C."))
    demo.add_argument("--host", default="127.0.0.1", help=_("adres van de chatpagina (standaard 127.0.0.1)"))
    demo.add_argument("--port", type=int, default=8080, help=_("poort van de chatpagina (standaard 8080)"))
    demo.add_argument("--database-url", help=_("database voor de demo (standaard een tijdelijk SQLite-bestand, "
                                               "dat bij het stoppen verdwijnt)"))

    demo.set_defaults(execute=run_demo)


def run_demo(settings: Settings, args: argparse.Namespace) -> int:
    configure_logging(verbose=False, quiet=True)
    with suppress(KeyboardInterrupt):
        asyncio.run(serve(args.host, args.port, args.database_url))
    return 0


DEMO_TOKEN = "123456789:AAHdemoSandboxTokenNotForTelegram00"
DEMO_POINT = "Signaalpunt Demodorp"
DEMO_POSTCODES = "3040-3049"


@dataclass
class Demo:
    url: str
    personas: list[dict]
    group_id: int


async def _seed_point(database_url: str, keys: Keyring, group_id: int) -> None:
    engine = create_engine(database_url, keys)
    try:
        await prepare(engine)
        async with session_factory(engine).begin() as session:
            if await points.point_of_group(session, group_id) is None:
                await points.add_point(session, DEMO_POINT, parse_areas(DEMO_POSTCODES), group_chat_id=group_id)
            await offers.ensure_shipped(session, demo=True)  # and the fictional offers of Demodorp
    finally:
        await engine.dispose()


@asynccontextmanager
async def _demo_running(host: str = "127.0.0.1", port: int = 8080, database_url: str | None = None,
                        sandbox: Sandbox | None = None) -> AsyncIterator[Demo]:
    with tempfile.TemporaryDirectory(prefix="omzien-demo-") as folder:
        database_url = database_url or f"sqlite+aiosqlite:///{Path(folder) / 'demo.sqlite3'}"
        sandbox = sandbox or Sandbox(DEMO_TOKEN, bot_username="omzien_demo_bot", bot_name="Omzien")
        await sandbox.start(host=host, port=port)
        client = SandboxClient(sandbox.url)
        bot_task: asyncio.Task[None] | None = None
        try:
            people = {
                "piet": (await client.user("Piet"), _("pakketbezorger")),
                "jansen": (await client.user("Mevrouw Jansen"), _("bewoner, 82 jaar")),
                "anna": (await client.user("Anna"), _("medewerker signaalpunt")),
                "bram": (await client.user("Bram"), _("medewerker signaalpunt")),
            }
            group = await client.group(DEMO_POINT + " " + _("(medewerkers)"),
                                       members=[people["anna"][0], people["bram"][0]])
            keys = Keyring.generate()  # the demo's data lives as long as the demo: so does its key
            await _seed_point(database_url, keys, group.id)
            personas = [{"user_id": user.id, "name": user.first_name, "description": description,
                         "chat_ids": [user.id, group.id] if key in ("anna", "bram") else [user.id]}
                        for key, (user, description) in people.items()]
            await client.set_personas(personas)

            settings = Settings(database_url=database_url, telegram_api_url=sandbox.url,
                                secret_key=keys.as_text())
            bot_task = asyncio.create_task(run(settings, DEMO_TOKEN, handle_signals=False))
            for worker in ("anna", "bram"):  # as the link in the group does: now the bot may write to them
                await people[worker][0].send("/start adres")
            yield Demo(url=sandbox.url, personas=personas, group_id=group.id)
        finally:
            if bot_task is not None:
                bot_task.cancel()
                with suppress(asyncio.CancelledError):
                    await bot_task
            await client.close()
            await sandbox.stop()


@asynccontextmanager
async def demo_running(host: str = "127.0.0.1", port: int = 8080, database_url: str | None = None,
                       sandbox: Sandbox | None = None) -> AsyncIterator[Demo]:
    """The stand-in, the seeded people and point, and the bot polling — until the block ends."""
    with load_i18n().context():
        async with _demo_running(host, port, database_url, sandbox) as demo:
            yield demo


async def serve(host: str, port: int, database_url: str | None) -> None:
    """Run the demo until Ctrl-C."""
    async with demo_running(host, port, database_url) as demo:
        print(_("De Omzien-demo draait. Open {url} in uw browser. Stoppen met Ctrl-C.").format(url=demo.url))
        await asyncio.Event().wait()
