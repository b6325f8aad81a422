"""The offer index is built in a process of its own: a build that fails leaves the index in use, and a bot
that stops takes its build with it."""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import signal
from dataclasses import replace

import pytest

from omzien.storage.catalogue import offer_columns, shipped
from omzien.storage.models import OfferRecord
from omzien.storage.offer_index import BuildFailed
from omzien.storage.offers import IMPORTED
from tests.conftest import Omzien
from tests.test_finding import catalogue, import_knitting_clubs, offers_in, resident

pytestmark = pytest.mark.usefixtures(catalogue.__name__)

ADDRESS = "Dorpsstraat 12"


async def searched_once(app: Omzien) -> None:
    mia = await resident(app)
    await mia.says("Wat is er voor mij?")
    await mia.says("wandelgroep")  # the very first search waits for the index
    await mia.taps("Overslaan")
    assert offers_in(mia.sees().text)
    if (looking := app.dispatcher["catalogue"].refreshing) is not None:
        await looking  # the search's look at the stored catalogue: a change after it starts the next look


async def builder() -> multiprocessing.Process:
    """The process that builds the index, once it has started."""
    for _ in range(400):
        if children := multiprocessing.active_children():
            return children[0]
        await asyncio.sleep(0.025)
    raise AssertionError("no builder process started")


async def test_a_stored_offer_that_cannot_be_read_leaves_the_index_in_use_and_is_logged_without_its_text(
        app: Omzien, caplog: pytest.LogCaptureFixture) -> None:
    await searched_once(app)
    current = app.dispatcher["catalogue"]
    index, version = current.index, current.version
    template = next(offer for offer in shipped(demo=True) if offer.record_type == "offer")
    columns = {**offer_columns(replace(template, id="kapot")), "description_nl": ADDRESS, "cost": "een tientje"}
    async with app.sessions.begin() as session:
        session.add(OfferRecord(id="kapot", record_type="offer", columns=columns, origin=IMPORTED,
                                updated_at=app.clock()))

    await current.current()
    with caplog.at_level(logging.ERROR), pytest.raises(BuildFailed, match="ValueError"):
        await current.refreshing
    assert (current.index, current.version) == (index, version), "the index in use stays"
    assert "Offer index not built: " in caplog.text and ADDRESS not in caplog.text
    assert "een tientje" not in caplog.text
    mia = await resident(app, "Mia")
    await mia.says("Wat is er voor mij?")
    await mia.says("wandelgroep")
    await mia.taps("Overslaan")
    assert offers_in(mia.sees().text), "searches go on with the index in use"


async def test_a_builder_process_that_dies_leaves_the_index_in_use(
        app: Omzien, caplog: pytest.LogCaptureFixture) -> None:
    await searched_once(app)
    current = app.dispatcher["catalogue"]
    index = current.index
    await import_knitting_clubs(app, 5_000)
    await current.current()
    os.kill((await builder()).pid, signal.SIGKILL)  # as the kernel does when memory runs out
    with caplog.at_level(logging.ERROR), pytest.raises(BuildFailed, match=r"stopped before it was done .* -9"):
        await current.refreshing
    assert current.index is index and "Offer index not built: BuildFailed" in caplog.text


async def test_when_the_bot_stops_a_build_under_way_stops_with_its_process(app: Omzien) -> None:
    await searched_once(app)
    current = app.dispatcher["catalogue"]
    await import_knitting_clubs(app, 5_000)
    await current.current()
    child = await builder()
    await current.close()
    await asyncio.to_thread(child.join, 5)
    assert not child.is_alive() and current.refreshing is None
