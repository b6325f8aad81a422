"""Stories of the signal chain, driven the way Telegram drives the bot."""

from __future__ import annotations

from sqlalchemy import select

from omzien.flows.routing import parse_areas
from omzien.storage.models import Event, Signal
from omzien.storage.points import add_point
from tests.conftest import Omzien, Person

NOTE = "Hij zei dat hij al weken niemand had gesproken."


async def linked_group(app: Omzien, worker: Person, name: str = "Signaalpunt Noord",
                       postcodes: str = "3040-3059,3061", chat_id: int = -1001234):
    async with app.sessions.begin() as session:
        point = await add_point(session, name, parse_areas(postcodes))
        code = point.link_code
    group = app.group(chat_id)
    await worker.says(f"/koppel {code}", in_=group)
    return group


async def report(person: Person, address: str = "3044 AB 287-2", *, note: str | None = None,
                 contact: bool = True, observations: tuple[str, ...] = ("Overvolle brievenbus",)) -> None:
    """The shortest way through: type the address, tap what was seen, answer, send."""
    await person.says(address)
    for label in observations:
        await person.taps(label)
    await person.taps("Verder")
    await person.taps("Weet ik niet")
    if note is None:
        await person.taps("Overslaan")
    else:
        await person.says(note)
    await person.taps("Ja" if contact else "Nee")
    await person.taps("Versturen")


async def test_a_deliverer_reports_and_a_worker_follows_up(app: Omzien) -> None:
    anna = app.person("Anna")
    await anna.says("/start")
    group = await linked_group(app, anna)
    assert "Gekoppeld" in app.telegram.last(group.id).text

    piet = app.person("Piet")
    await piet.says("/start")
    assert "wie bent u?" in piet.sees().text
    await piet.taps("Postbode of pakketbezorger")
    await report(piet, "3044ab 287-2", note=NOTE)

    confirmation = piet.sees().text
    async with app.sessions() as session:
        signal = await session.scalar(select(Signal))
    assert signal.reference in confirmation
    assert "Signaalpunt Noord" in confirmation

    card = app.telegram.last(group.id)
    assert f"Signaal {signal.reference}" in card.text and "postcode 3044" in card.text
    assert "Overvolle brievenbus" in card.text and "nieuw" in card.text
    assert card.buttons == ["🙋 Ik pak dit op"]

    await anna.taps("Ik pak dit op", in_=group)
    assert "opgepakt</b> door Anna" in card.text and card.buttons == []
    case = anna.sees()
    assert "3044 AB 287-2" in case.text and NOTE in case.text
    assert "is opgepakt" in piet.sees().text

    await anna.taps("Contact gemaakt")
    assert "afgerond</b> door Anna: Contact gemaakt" in card.text
    assert "3044 AB" not in case.text and "afgerond" in case.text
    assert "is afgerond" in piet.sees().text
    assert signal.reference in piet.sees().text

    assert len(app.telegram.shown(group.id)) == 2, "the link confirmation and one card, edited in place"
    for text in app.telegram.texts_to(group.id):
        assert "287" not in text and "AB" not in text and NOTE not in text
    for text in app.telegram.texts_to(piet.user.id):
        assert "Contact gemaakt" not in text, "the reporter hears that it is done, not how"
    async with app.sessions() as session:
        kinds = (await session.scalars(select(Event.kind).order_by(Event.id))).all()
    assert kinds == ["reported", "claimed", "closed"]
