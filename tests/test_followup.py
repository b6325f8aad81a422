"""Follow-up that does not stop at "close": a warm handover to an offer, undo, coordinators who steer, a question
to the reporter, and the questions that come back weeks later."""

from __future__ import annotations

from aiogram.types import User
from sqlalchemy import select, update

from omzien.flows.routing import parse_areas
from omzien.services import sweep
from omzien.storage.models import Event, Point, Signal
from omzien.storage.offers import ensure_shipped
from omzien.storage.points import add_point
from tests.conftest import Omzien, Person
from tests.test_signal_chain import linked_group, report

COORDINATOR = 777002


async def signal(app: Omzien) -> Signal:
    async with app.sessions() as session:
        return (await session.scalars(select(Signal).order_by(Signal.id.desc()))).first()


async def sweep_later(app: Omzien, **delta: float) -> dict[str, int]:
    app.clock.advance(**delta)
    counts = await sweep.sweep(app.sessions, app.i18n, app.clock())
    await app.sender.drain()
    return counts


async def claimed_by_anna(app: Omzien) -> tuple[Person, Person, object]:
    """Piet, a postman who may be contacted, reported 3044 AB 12; Anna picked it up."""
    anna, piet = app.person("Anna"), app.person("Piet")
    group = await linked_group(app, anna)
    await anna.says("/start")
    await piet.says("/start")
    await piet.taps("Ik maak me zorgen om iemand")
    await piet.taps("Bezorging")
    await piet.taps("Postbode")
    await report(piet, "3044 AB 12", contact=True)
    await anna.taps("Ik pak dit op", in_=group)
    return anna, piet, group


async def a_call_back_from_mia(app: Omzien) -> tuple[Person, Person, object]:
    """Mevrouw Jansen's story: she looks for company and asks to be called; Anna's group has it."""
    async with app.sessions.begin() as session:
        await ensure_shipped(session, demo=True)
    anna, mia = app.person("Anna"), app.person("Mia")
    group = await linked_group(app, anna)
    await anna.says("/start")
    await mia.says("/start")
    await mia.says("Wat is er voor mij?")
    await mia.says("wandelen")
    await mia.says("3045")
    await mia.taps("Bel mij terug")
    await mia.taps("Ja, bel mij")
    await mia.says("0612398765")
    await mia.says("3045 CD 11")
    return anna, mia, group


async def test_a_worker_refers_a_call_back_to_a_demodorp_offer_and_the_resident_gets_it(app: Omzien) -> None:
    anna, mia, group = await a_call_back_from_mia(app)
    await anna.taps("Ik pak dit op", in_=group)
    await anna.taps("Doorverwezen naar aanbod")
    await anna.taps("Mensen ontmoeten")
    search = anna.sees()
    assert "postcode 3045" in search.text and "1. <b>" in search.text, "the same matching, the area preset"
    await anna.says("wandelen")
    first = next(label for label in anna.sees().buttons if label.startswith("☐ 1."))
    await anna.taps(first)
    await anna.taps("Afronden met deze keuze (1)")
    closed = anna.sees()
    assert "Doorverwezen naar aanbod" in closed.text and "Verwezen naar:" in closed.text
    assert "Ongedaan maken" in closed.buttons[0]
    referred = await signal(app)
    assert referred.status == "closed" and len(referred.referred_offers) == 1
    offer_name = first.removeprefix("☐ 1. ").rstrip("…")
    to_mia = [t for t in app.telegram.texts_to(mia.user.id) if "zocht dit voor u uit" in t]
    assert len(to_mia) == 1 and offer_name in to_mia[0], "she asked for contact: she gets what was found"
    async with app.sessions() as session:
        assert await session.scalar(select(Event.detail).where(Event.kind == "referred")) == \
            referred.referred_offers[0]

    assert "Heeft dat u geholpen?" not in mia.sees().text
    await sweep_later(app, days=14, minutes=1)
    assert "Heeft dat u geholpen?" in mia.sees().text
    await mia.taps("Bel mij nog eens")
    assert "belt u nog een keer" in mia.sees().text
    again = await signal(app)
    assert again.status == "new" and again.resident_answer == "call_again", "back in the group"
    assert "Status: <b>nieuw</b>" in app.telegram.last(group.id).text or any(
        "nieuw" in m.text for m in app.telegram.shown(group.id) if again.reference in m.text)


async def test_a_close_can_be_undone_within_ten_minutes_and_not_after(app: Omzien) -> None:
    anna, piet, group = await claimed_by_anna(app)
    await anna.taps("Wil geen hulp")
    assert "3044 AB 12" not in anna.sees().text
    await app.later(minutes=9)
    await anna.taps("Ongedaan maken")
    assert (await signal(app)).status == "claimed"
    assert "3044 AB 12" in anna.sees().text, "the address is back, with the buttons"
    assert "opgepakt</b> door Anna" in app.telegram.last(group.id).text
    await app.later(minutes=10)
    assert not any("is afgerond. Dank u wel" in t for t in app.telegram.texts_to(piet.user.id)), "never told"

    await anna.taps("Wil geen hulp")
    await app.later(minutes=11)
    await anna.taps("Ongedaan maken")
    assert "Dat kan niet meer" in (anna.last_answer() or "")
    assert (await signal(app)).status == "closed"
    assert any("is afgerond. Dank u wel" in t for t in app.telegram.texts_to(piet.user.id))


async def test_the_follow_up_check_comes_after_four_working_weeks_and_reopens(app: Omzien) -> None:
    anna, _piet, group = await claimed_by_anna(app)
    await anna.taps("Afgerond na gesprek")
    await sweep_later(app, days=27)
    assert not any("Hoe gaat het nu" in t for t in app.telegram.texts_to(anna.user.id)), "not before four weeks"
    await sweep_later(app, days=2)
    assert "Hoe gaat het nu met" in anna.sees().text
    await anna.taps("Opnieuw oppakken")
    reopened = await signal(app)
    assert reopened.status == "new" and reopened.follow_up_answer == "reopen" and reopened.claimed_by is None
    assert any(reopened.reference in m.text and "🙋 Ik pak dit op" in m.buttons for m in app.telegram.shown(group.id))
    assert (await sweep_later(app, days=40)).get("follow_up_questions") is None, "asked once"


async def test_a_question_to_the_reporter_and_the_answer_back_with_no_names_either_way(app: Omzien) -> None:
    anna, piet, _group = await claimed_by_anna(app)
    await anna.taps("Vraag aan de melder")
    await anna.says("Weet u wanneer zij meestal thuis is?")
    question = piet.sees()
    assert "Weet u wanneer zij meestal thuis is?" in question.text and "Anna" not in question.text
    await piet.taps("Antwoorden")
    await piet.says("Meestal in de ochtend.")
    assert "doorgegeven" in piet.sees().text
    answer = [t for t in app.telegram.texts_to(anna.user.id) if "Antwoord van de melder" in t][-1]
    assert "Meestal in de ochtend." in answer and "Piet" not in answer
    await piet.taps("Antwoorden")
    assert "al beantwoord" in (piet.last_answer() or ""), "one question, one answer"
    assert not any("Vraag aan de melder" in b for m in app.telegram.shown(anna.user.id) for b in m.buttons
                   if "3044 AB 12" in m.text and m.edits), "once asked, the button is gone"


async def test_notes_and_attempts_stay_with_the_case_and_a_forward_to_veilig_thuis_shows_its_number(
        app: Omzien) -> None:
    anna, _piet, group = await claimed_by_anna(app)
    await anna.taps("Poging")
    await anna.taps("Brief in de bus")
    await anna.taps("Notitie")
    await anna.says("Buurvrouw op 14 kent haar goed. Ze zei dat ze niet meer wil leven.")
    case = [m for m in app.telegram.shown(anna.user.id) if "3044 AB 12" in m.text][-1]
    assert "Brief in de bus" in case.text and "Buurvrouw op 14 kent haar goed." in case.text, \
        "a worker's note is a record about someone else: kept as typed, not answered with 113"
    assert not any("Buurvrouw" in m.text for m in app.telegram.shown(group.id)), "never to the group"
    await anna.taps("Contact gemaakt")
    await anna.taps("Doorgezet naar")
    await anna.taps("Veilig Thuis")
    [closed] = [m for m in app.telegram.shown(anna.user.id) if m.message_id == case.message_id]
    assert "Veilig Thuis · 0800-2000" in closed.text and "3044 AB 12" not in closed.text
    assert (await signal(app)).forwarded_to == "veiligthuis"


async def test_a_coordinator_reassigns_and_moves_a_signal(app: Omzien) -> None:
    anna, bram, piet = app.person("Anna"), app.person("Bram"), app.person("Piet")
    group = await linked_group(app, anna)
    async with app.sessions.begin() as session:
        await session.execute(update(Point).values(coordinators=[COORDINATOR]))
        south = await add_point(session, "Signaalpunt Zuid", parse_areas("3070-3079"), group_chat_id=-1005555)
        south.coordinators = [COORDINATOR]
    south_group = app.group(-1005555, "Signaalpunt Zuid medewerkers")
    for person in (anna, bram, piet):
        await person.says("/start")
    await piet.taps("Ik maak me zorgen om iemand")
    await piet.taps("Bezorging")
    await piet.taps("Postbode")
    await report(piet, "3044 AB 12")
    await report(piet, "3044 AB 14")
    await bram.taps("Ik pak dit op", in_=group)  # Bram is known as a worker of the point
    await anna.taps("Ik pak dit op", in_=group)
    carla = Person(app, User(id=COORDINATOR, is_bot=False, first_name="Carla"))
    await carla.says("/open")
    overview = carla.sees()
    assert "Anna" in overview.text and "Bram" in overview.text and "3044 AB" not in overview.text
    held_by_anna = [m for m in app.telegram.shown(anna.user.id) if "Adres:" in m.text][-1]
    reference = held_by_anna.text.split("<b>Signaal ")[1].split("</b>")[0]
    await carla.taps(reference)
    await carla.taps("Geven aan")
    await carla.taps("Bram")
    assert f"{reference} is nu van Bram" in carla.sees().text
    assert any("ingetrokken" in m.text and reference in m.text for m in app.telegram.shown(anna.user.id))
    assert not any("Adres:" in m.text and reference in m.text for m in app.telegram.shown(anna.user.id))
    assert any("Adres:" in m.text and reference in m.text for m in app.telegram.shown(bram.user.id))

    await carla.says("/open")
    await carla.taps(reference)
    await carla.taps("Verplaatsen")
    await carla.taps("Signaalpunt Zuid")
    assert "verplaatst naar Signaalpunt Zuid" in carla.sees().text
    assert any(reference in m.text and "🙋 Ik pak dit op" in m.buttons for m in app.telegram.shown(south_group.id))
    assert any(reference in m.text and "Verplaatst naar Signaalpunt Zuid" in m.text
               for m in app.telegram.shown(group.id)), "the old card says where it went"
    assert not any("Adres:" in m.text and reference in m.text for m in app.telegram.shown(bram.user.id))
    assert not any("verplaatst" in t.lower() for t in app.telegram.texts_to(piet.user.id)), "the reporter is not told"
