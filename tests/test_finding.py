"""Stories of "Wat is er voor mij?": residents and their families find offers, or ask to be called."""

from __future__ import annotations

import re
import statistics
import time
from dataclasses import replace

import pytest
from sqlalchemy import insert, select

from omzien.flows.offers import Area, Text
from omzien.storage.catalogue import offer_columns, shipped
from omzien.storage.models import ConversationState, OfferRecord, OfferSearch, Signal
from omzien.storage.offers import IMPORTED, ensure_shipped
from tests.conftest import Omzien, Person
from tests.test_signal_chain import linked_group

WIDOW = "ik ben sinds kort weduwe en zit veel alleen"


@pytest.fixture
async def catalogue(app: Omzien) -> None:
    async with app.sessions.begin() as session:
        await ensure_shipped(session, demo=True)


async def resident(app: Omzien, name: str = "Mia", language: str = "nl") -> Person:
    person = app.person(name, language)
    await person.says("/start")
    return person


def offers_in(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("<b>") and ". " in line]


async def test_six_taps_lead_to_three_offers_that_fit_with_why_cost_and_contact(app: Omzien, catalogue) -> None:
    mia = await resident(app)
    await mia.says("Wat is er voor mij?")  # the menu button: one tap
    await mia.taps("Mensen ontmoeten")
    await mia.taps("Verder")
    await mia.taps("75 of ouder")
    await mia.taps("Buiten de deur")
    await mia.says("3044")
    answer = mia.sees()
    assert mia.taps_made + 1 <= 6, "at most six taps to the first answer (here the postcode was typed)"
    assert answer.text.startswith("Dit past het best bij wat u zocht")
    assert len(offers_in(answer.text)) == 3
    assert answer.text.count("Waarom: ") == 3 and "mensen ontmoeten" in answer.text.lower()
    assert "Kosten" in answer.text or "Gratis" in answer.text
    names = [line.split(". ", 1)[1].removesuffix("</b>") for line in offers_in(answer.text)]
    assert answer.buttons[:3] == [f"Meer over {name}"[:41] for name in names], "the buttons carry the names"
    assert {"Meer resultaten »", "📞 Bel mij terug", "🔄 Opnieuw zoeken"} <= set(answer.buttons)

    await mia.taps(answer.buttons[1], on=answer)
    detail = mia.sees()
    assert names[1] in detail.text and "Gegevens gecontroleerd op" in detail.text
    assert re.search(r"gecontroleerd op \d{1,2} [a-z]+ 20\d\d", detail.text), "a date as people write it"
    assert detail.buttons == ["« Terug naar de lijst", "📞 Bel mij terug"]
    await mia.taps("Terug naar de lijst", on=detail)
    assert mia.sees().text.startswith("Dit past het best"), "the same three again"
    await mia.taps("Meer resultaten", on=answer)
    assert mia.sees().text.startswith("Meer aanbod (4 tot 6 van")
    async with app.sessions() as session:
        search = await session.scalar(select(OfferSearch))
    assert (search.needs, search.area, search.age_group, search.going_out) == (["ontmoeten"], 3044, "75", "buiten")
    assert search.results >= 6 and len(search.opened) == 1 and not search.typed


async def test_skipping_the_postcode_gives_national_offers_only(app: Omzien, catalogue) -> None:
    mia = await resident(app)
    await mia.says("Wat is er voor mij?")
    await mia.taps("Iemand om mee te praten")
    await mia.taps("Verder")
    await mia.taps("Zeg ik liever niet")
    await mia.taps("Telefoon of internet")
    await mia.taps("Overslaan")
    assert mia.taps_made + 1 == 6
    answer = mia.sees()
    assert len(offers_in(answer.text)) == 3 and "Demodorp" not in answer.text


async def test_one_typed_sentence_is_enough_and_the_words_are_never_kept(app: Omzien, catalogue) -> None:
    mia = await resident(app)
    await mia.says("Wat is er voor mij?")
    await mia.says(WIDOW)
    assert "Wat is de postcode?" in mia.sees().text, "local offers could fit: the postcode first"
    await mia.taps("Overslaan")
    answer = mia.sees()
    assert 1 <= len(offers_in(answer.text)) <= 3, "the few offers that really fit, at most three at a time"
    assert "rouw" in answer.text.lower() or "verlies" in answer.text.lower()
    async with app.sessions() as session:
        search = await session.scalar(select(OfferSearch))
        assert search.typed and "weduwe" not in str(search.__dict__)


async def test_a_sentence_typed_without_asking_first_also_finds_offers(app: Omzien, catalogue) -> None:
    mia = await resident(app)
    await mia.says("wandelgroep")
    assert "Wat is de postcode?" in mia.sees().text
    await mia.says("3044")
    assert offers_in(mia.sees().text) and "dichtbij (3044)" in mia.sees().text
    piet = await resident(app, "Piet")
    await piet.says("hallo daar")
    assert "Dat begrijp ik niet" in piet.sees().text, "words that find nothing are not taken for a question"


async def test_when_nothing_fits_the_listening_line_and_a_call_back_are_offered(app: Omzien, catalogue) -> None:
    mia = await resident(app)
    await mia.says("Wat is er voor mij?")
    await mia.taps("Alleen gratis")
    await mia.says("xylofoonles op zondagnacht")
    await mia.says("3044")
    answer = mia.sees()
    assert "Ik vond niets dat precies past" in answer.text and "Luisterlijn" in answer.text
    assert "📞 Bel mij terug" in answer.buttons


async def test_bel_mij_terug_becomes_a_signal_for_the_local_point(app: Omzien, catalogue) -> None:
    anna = app.person("Anna")
    group = await linked_group(app, anna, postcodes="3040-3049")
    await anna.says("/start")
    mia = await resident(app)
    await mia.says("Wat is er voor mij?")
    await mia.says(WIDOW)
    await mia.taps("Overslaan")
    await mia.taps("Bel mij terug")
    consent = mia.sees()
    assert "telefoonnummer en het adres" in consent.text
    await mia.taps("Ja, bel mij", on=consent)
    await mia.says("mijn nummer is geheim")
    assert "lijkt geen telefoonnummer" in mia.sees().text
    await mia.says("06 12345678")
    await mia.says("3044 AB 12")
    assert "Doorgegeven" in mia.sees().text and "Kenmerk" in mia.sees().text

    card = app.telegram.last(group.id)
    assert "Vraagt zelf om een belletje" in card.text and "postcode 3044" in card.text
    assert all("12345678" not in text and "AB 12" not in text and "weduwe" not in text
               for text in app.telegram.texts_to(group.id)), "phone and address only for the claimer"
    await anna.taps("Ik pak dit op", in_=group)
    case = anna.sees()
    assert "3044 AB 12" in case.text and "06 12345678" in case.text and "weduwe" not in case.text
    assert "Een medewerker uit uw buurt heeft uw vraag gelezen en belt u" in mia.sees().text
    assert "signaalpunt" not in mia.sees().text.lower()
    async with app.sessions() as session:
        assert (await session.scalar(select(Signal))).status == "claimed"
        states = (await session.scalars(select(ConversationState))).all()
        assert all("weduwe" not in str(s.data) for s in states), "the conversation forgets the words when done"


async def test_no_call_without_consent_and_stale_buttons_are_refused(app: Omzien, catalogue) -> None:
    mia = await resident(app)
    await mia.says("Wat is er voor mij?")
    question = mia.sees()
    earlier = question.data_of("Mensen ontmoeten")
    await mia.taps("Verder")
    await mia.presses(earlier, question)
    assert "eerdere vraag" in (mia.last_answer() or "")
    await mia.taps("Zeg ik liever niet")
    await mia.taps("Bij mij thuis")
    await mia.taps("Overslaan")
    await mia.taps("Bel mij terug")
    await mia.taps("Nee, liever niet")
    assert "bel ik niemand" in mia.sees().text
    async with app.sessions() as session:
        assert await session.scalar(select(Signal)) is None


async def test_english_speakers_get_english(app: Omzien, catalogue) -> None:
    sam = await resident(app, "Sam", "en")
    await sam.says("What is there for me?")
    assert "What would help?" in sam.sees().text
    await sam.says("I feel lonely since my wife died")
    await sam.taps("Skip")
    assert offers_in(sam.sees().text) and "Why: " in sam.sees().text


GOAL = 0.150
"""Seconds within which 95 of 100 answers come (issue 14)."""


async def import_knitting_clubs(app: Omzien, count: int) -> None:
    """A municipality's large import: ``count`` national knitting clubs, each found by "breiclub"."""
    templates = [offer for offer in shipped(demo=True) if offer.record_type == "offer"]
    async with app.sessions.begin() as session:
        await session.execute(insert(OfferRecord), [
            {"id": f"extra-{n}", "record_type": "offer", "origin": IMPORTED, "updated_at": app.clock(),
             "columns": offer_columns(replace(templates[n % len(templates)], id=f"extra-{n}",
                                              name=Text(f"Breiclub {n}"), area=Area(national=True)))}
            for n in range(count)])


def p95(times: list[float]) -> float:
    return statistics.quantiles(times, n=20)[-1]


async def timed(person: Person, text: str) -> float:
    started = time.perf_counter()
    await person.says(text)
    return time.perf_counter() - started


async def test_while_a_new_catalogue_of_20000_offers_loads_searches_and_other_answers_do_not_wait(
        app: Omzien, catalogue) -> None:
    mia, piet = await resident(app), await resident(app, "Piet")
    await mia.says("Wat is er voor mij?")
    await mia.says("wandelgroep")  # the very first search waits for the index
    await mia.taps("Overslaan")
    assert offers_in(mia.sees().text)

    async def answers() -> list[float]:
        """30 answer times: enough for a 95th percentile, and far less time than a build of 20,000 offers."""
        times = []
        for _ in range(15):
            times.append(await timed(mia, "breiclub"))
            times.append(await timed(piet, "Wat is er voor mij?"))
            assert "Iemand om mee te praten" in piet.sees().buttons
        return times

    without_build = await answers()
    allowed = max(GOAL, 1.5 * p95(without_build))
    await import_knitting_clubs(app, 20_000)
    during_build = [await answers()]  # the first search starts the new index
    building = app.dispatcher["catalogue"].refreshing
    assert building is not None and not building.done(), "all answers came while the new index was being built"
    assert "Ik vond niets dat precies past" in mia.sees().text, "the previous index answered meanwhile"
    # The goal (issue 14): 150 ms at p95 for an answer during a build, also on a busy machine (one so busy that
    # answers take over 100 ms at p95 without any build gets half as much again). The index is built in a
    # process of its own; on a 2-core machine with other work going on, a window of 30 answers during a build
    # had a p95 of 30-120 ms on SQLite and PostgreSQL, like the windows without a build, but now and then a
    # hiccup of the machine spoiled a window, with or without a build. So up to three windows are measured; a
    # build that holds answers up (as one in a thread of the bot did: a p95 of 170-370 ms) spoils them all.
    while p95(during_build[-1]) >= allowed and len(during_build) < 3:
        window = await answers()
        if building.done():  # it ended meanwhile: the window does not count
            break
        during_build.append(window)
    assert min(map(p95, during_build)) < allowed, (sorted(without_build), during_build)

    await building
    await mia.says("breiclub")
    assert "Breiclub" in mia.sees().text, "the new offers are found once their index is ready"
