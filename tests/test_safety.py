"""Stories of words that point to suicide or to a life in danger: 113 or 112 at once, alone, from every text."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from omzien.storage.models import Event, Point, Signal
from omzien.storage.offers import ensure_shipped
from tests.conftest import Omzien, Person
from tests.test_signal_chain import linked_group, report

COORDINATOR = 777001


@pytest.fixture
async def catalogue(app: Omzien) -> None:
    async with app.sessions.begin() as session:
        await ensure_shipped(session, demo=True)


async def person(app: Omzien, name: str = "Jansen") -> Person:
    someone = app.person(name)
    await someone.says("/start")
    return someone


def new_since(app: Omzien, someone: Person, before: int) -> list:
    return app.telegram.shown(someone.user.id)[before:]


async def test_mevrouw_jansen_who_does_not_want_to_live_gets_the_numbers_and_nothing_else(app: Omzien,
                                                                                            catalogue) -> None:
    jansen = await person(app)
    await jansen.taps("Ik zoek iets voor mezelf of mijn naaste")
    assert "Wat zou helpen?" in jansen.sees().text
    before = len(app.telegram.shown(jansen.user.id))
    await jansen.says("ik wil niet meer leven")
    [answer] = new_since(app, jansen, before)
    first_line = answer.text.splitlines()[0]
    assert "zelfdoding" in first_line
    assert "0800-0113" in answer.text and "112" in answer.text and "088 0767 000" in answer.text
    assert "Waarom" not in answer.text and "€" not in answer.text, "no offers in the crisis answer"
    assert answer.buttons == ["Ik wil nu met iemand praten", "📞 Bel mij terug", "Verder zoeken"]
    await jansen.taps("Ik wil nu met iemand praten")
    numbers = jansen.sees()
    assert "0800-0113" in numbers.text and "088 0767 000" in numbers.text and not numbers.buttons


@pytest.mark.parametrize("sentence", ["ik zie het niet meer zitten", "het hoeft voor mij niet meer",
                                      "mijn leven heeft geen zin meer", "iedereen is beter af zonder mij"])
async def test_a_resident_who_came_for_offers_gets_the_numbers_alone_and_may_search_on(app: Omzien, catalogue,
                                                                                       sentence: str) -> None:
    mia = await person(app, "Mia")
    await mia.says("Wat is er voor mij?")
    before = len(app.telegram.shown(mia.user.id))
    await mia.says(sentence)
    [answer] = new_since(app, mia, before)
    assert "0800-0113" in answer.text and "Verder zoeken" in answer.buttons
    await mia.taps("Verder zoeken")
    assert "Wat zou helpen?" in mia.sees().text


async def test_someone_fallen_gets_112_first(app: Omzien, catalogue) -> None:
    jansen = await person(app)
    await jansen.says("ik ben gevallen en kan niet opstaan")
    answer = jansen.sees()
    assert "112" in answer.text.splitlines()[0] and "Eenzaam" not in answer.text


async def test_every_question_that_takes_text_hears_it_and_what_was_typed_before_waits(app: Omzien,
                                                                                      catalogue) -> None:
    piet = await person(app, "Piet")
    await piet.says("ik wil dood")  # before the question who they are was answered
    assert "0800-0113" in piet.sees().text
    await piet.taps("Ik maak me zorgen om iemand")
    await piet.taps("Bezorging")
    await piet.taps("Postbode")
    await piet.says("Ik maak me zorgen om iemand")
    await piet.says("hij ligt op de grond en reageert niet")  # where the address is asked
    assert "112" in piet.sees().text.splitlines()[0]
    await piet.says("3044 AB 12")
    assert "Wat viel u op" in piet.sees().text, "the report goes on where it was"

    mia = await person(app, "Mia")
    await mia.says("Wat is er voor mij?")
    await mia.says("wandelen")
    await mia.says("3044")
    await mia.taps("Bel mij terug")
    await mia.taps("Ja, bel mij")
    await mia.says("ik wil er niet meer zijn")  # where the phone number is asked
    assert "0800-0113" in mia.sees().text
    await mia.says("06 12345678")
    await mia.says("zelf moord")  # where the address is asked, written apart
    assert "0800-0113" in mia.sees().text
    async with app.sessions() as session:
        assert await session.scalar(select(Signal)) is None, "no signal was filed from a crisis sentence"
    await mia.says("3044 AB 12")
    async with app.sessions() as session:
        assert (await session.scalar(select(Signal))).urgent, "the call-back she went on to ask for is urgent"


async def test_a_signallers_note_about_suicide_makes_the_signal_urgent(app: Omzien) -> None:
    anna, piet = app.person("Anna"), await person(app, "Piet")
    group = await linked_group(app, anna)
    async with app.sessions.begin() as session:
        await session.execute(update(Point).values(coordinators=[COORDINATOR]))
    await piet.taps("Ik maak me zorgen om iemand")
    await piet.taps("Bezorging")
    await piet.taps("Postbode")
    await report(piet, note="Hij zei dat hij niet meer wil leven.", send=False)
    texts = [m.text for m in app.telegram.shown(piet.user.id)]
    assert any("0800-0113" in t and "dringend" in t for t in texts), "the reporter hears what to do now"
    await piet.taps("Versturen")
    card = app.telegram.last(group.id)
    assert "Dringend" in card.text and "niet meer wil leven" not in card.text
    assert "oppakken vóór ma 23 nov 12:30" in card.text, "a quarter of a working day from Monday 10:30"
    [to_coordinator] = app.telegram.texts_to(COORDINATOR)
    assert "dringend" in to_coordinator and "leven" not in to_coordinator and "3044 AB" not in to_coordinator
    async with app.sessions() as session:
        assert await session.scalar(select(Event.kind).where(Event.kind == "urgent")) == "urgent"


async def test_a_call_back_asked_from_the_crisis_answer_is_urgent(app: Omzien, catalogue) -> None:
    anna = app.person("Anna")
    group = await linked_group(app, anna)
    jansen = await person(app)
    await jansen.says("ik wil niet meer leven")
    await jansen.taps("Bel mij terug")
    await jansen.taps("Ja, bel mij")
    await jansen.says("06 12345678")
    await jansen.says("3044 AB 12")
    card = app.telegram.last(group.id)
    assert "Dringend" in card.text and "Vraagt zelf om een belletje" in card.text
    assert "12345678" not in card.text


async def test_the_walk_of_mevrouw_jansen(app: Omzien, catalogue) -> None:
    """The tester's walk in the demo: a crisis sentence, then a need in her own words, then a call-back."""
    anna = app.person("Anna")
    await linked_group(app, anna, postcodes="3040-3049")
    jansen = await person(app)
    await jansen.taps("Ik zoek iets voor mezelf of mijn naaste")
    before = len(app.telegram.shown(jansen.user.id))
    await jansen.says("ik wil niet meer leven")
    assert len(new_since(app, jansen, before)) == 1, "the crisis answer and nothing else"
    assert jansen.sees().text.splitlines()[0].startswith("<b>Denkt u aan zelfdoding?")

    await jansen.taps("Verder zoeken")
    await jansen.says("ik zit veel alleen sinds mijn man is overleden")
    assert "Wat is de postcode?" in jansen.sees().text, "asked before the first answer: there are local offers"
    await jansen.says("3044")
    answer = jansen.sees()
    assert answer.text.startswith("Dit past het best")
    details = [label for label in answer.buttons if label.startswith("Meer over ")]
    assert details and all(not label[-1].isdigit() for label in details), "buttons carry the offers' names"
    assert "Waarom: U zocht:" not in answer.text

    await jansen.taps("Bel mij terug", on=answer)
    await jansen.taps("Ja, bel mij")
    await jansen.says("06 12345678")
    await jansen.says("3044 AB 12")
    confirmation = jansen.sees().text
    assert "Een medewerker uit uw buurt belt u" in confirmation and "signaalpunt" not in confirmation.lower()
