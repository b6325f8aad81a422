"""Stories of the signal chain, driven the way Telegram drives the bot."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from omzien import services
from omzien.cli import main
from omzien.flows.address import Address
from omzien.flows.report import ReportDraft
from omzien.flows.routing import parse_areas
from omzien.flows.signal import Consent, Observation
from omzien.storage.models import Event, Point, Report, Signal
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


async def report(person: Person, address: str = "3044 AB 287-2", *, note: str | None = None, contact: bool = True,
                 observations: tuple[str, ...] = ("Overvolle brievenbus",), send: bool = True) -> None:
    """The shortest way through: type the address, tap what was seen, answer, send (or stop at the summary)."""
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
    if send:
        await person.taps("Versturen")


async def test_a_deliverer_reports_and_a_worker_follows_up(app: Omzien) -> None:
    anna = app.person("Anna")
    await anna.says("/start")
    group = await linked_group(app, anna)
    assert "Gekoppeld" in app.telegram.last(group.id).text

    piet = app.person("Piet")
    await piet.says("/start")
    assert "Wat brengt u hier?" in piet.sees().text
    await piet.taps("Ik maak me zorgen om iemand")
    assert "wie bent u?" in piet.sees().text, "only a reporter is asked who they are"
    await piet.taps("Bezorging")
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
    assert "contact gemaakt bij" in (anna.last_answer() or "")
    assert "opgepakt</b> door Anna · contact gemaakt" in card.text
    assert "afronden vóór" in card.text, "after contact, the deadline that matters is closing it"
    await anna.taps("Afgerond na gesprek")
    assert "afgerond</b> door Anna: Afgerond na gesprek" in card.text
    assert "3044 AB" not in case.text and "afgerond" in case.text
    assert "is afgerond" not in piet.sees().text, "not while the close can be undone"
    await app.later(minutes=10)
    assert "is afgerond" in piet.sees().text
    assert signal.reference in piet.sees().text

    assert len(app.telegram.shown(group.id)) == 2, "the link confirmation and one card, edited in place"
    for text in app.telegram.texts_to(group.id):
        assert "287" not in text and "AB" not in text and NOTE not in text
    for text in app.telegram.texts_to(piet.user.id):
        assert "gesprek" not in text, "the reporter hears that it is done, not how"
    async with app.sessions() as session:
        kinds = (await session.scalars(select(Event.kind).order_by(Event.id))).all()
    assert kinds == ["reported", "claimed", "contacted", "closed"]


async def test_a_minimal_report_takes_six_taps_plus_typing_the_address(app: Omzien) -> None:
    anna = app.person("Anna")
    await linked_group(app, anna)
    piet = app.person("Piet")
    await piet.says("/start")
    await piet.taps("Ik maak me zorgen om iemand")
    await piet.taps("Bezorging")
    await piet.taps("Postbode")
    piet.taps_made = 0
    await report(piet)
    assert "Verstuurd" in piet.sees().text
    print(f"minimal report: {piet.taps_made} taps plus the typed address")
    assert piet.taps_made == 6


async def test_the_menu_button_starts_a_report_and_a_wrong_address_gets_an_example(app: Omzien) -> None:
    piet = app.person("Piet")
    await piet.says("/start")
    await piet.taps("Ik maak me zorgen om iemand")
    await piet.taps("Winkel of dienst")
    await piet.taps("Kapper")
    await piet.says("Ik maak me zorgen om iemand")
    assert "postcode en het huisnummer" in piet.sees().text
    await piet.says("bij de kerk")
    assert "Dat herken ik niet als adres" in piet.sees().text and "3044 AB 12" in piet.sees().text
    await piet.says("3044AB 12 bis")
    assert "Wat viel u op bij 3044 AB 12-BIS?" in piet.sees().text


async def test_a_note_that_is_too_long_is_refused_with_the_limit_and_nothing_is_lost(app: Omzien) -> None:
    piet = app.person("Piet")
    await piet.says("3044 AB 12")
    await piet.taps("Zegt zich alleen te voelen")
    await piet.taps("Verder")
    await piet.taps("Ja")  # the resident knows
    await piet.taps("Ja")  # and may be contacted
    await piet.says("x" * 5000)
    assert "5000 tekens" in piet.sees().text and "500" in piet.sees().text
    await piet.says("Korte toelichting")
    await piet.taps("Nee")
    summary = piet.sees().text
    assert "3044 AB 12" in summary and "Zegt zich alleen te voelen" in summary and "Korte toelichting" in summary


async def test_back_goes_one_step_back_and_stop_sends_nothing(app: Omzien) -> None:
    piet = app.person("Piet")
    await piet.says("3044 AB 12")
    await piet.taps("Komt niet meer buiten")
    await piet.taps("Verder")
    await piet.taps("Terug")
    assert "✅ Komt niet meer buiten" in piet.sees().buttons, "the choice is kept"
    await piet.taps("Stoppen")
    assert "Er is niets verstuurd" in piet.sees().text
    async with app.sessions() as session:
        assert await session.scalar(select(Signal)) is None


async def test_acute_danger_says_call_112_and_files_nothing(app: Omzien) -> None:
    piet = app.person("Piet")
    await piet.says("/melden")
    await piet.taps("acuut gevaar")
    assert "112" in piet.sees().text
    await piet.says("3044 AB 12")
    await piet.taps("acuut gevaar")
    assert "Bel nu 112" in piet.sees().text
    async with app.sessions() as session:
        assert await session.scalar(select(Signal)) is None


async def test_cancel_works_in_the_middle_of_a_report(app: Omzien) -> None:
    piet = app.person("Piet")
    await piet.says("3044 AB 12")
    await piet.says("/cancel")
    assert "Gestopt" in piet.sees().text
    await piet.says("/cancel")
    assert "niets om te stoppen" in piet.sees().text


async def test_a_button_of_an_earlier_step_is_refused_politely(app: Omzien) -> None:
    piet = app.person("Piet")
    await piet.says("3044 AB 12")
    old_next = piet.sees().data_of("Verder")
    await piet.taps("Overvolle brievenbus")
    await piet.taps("Verder")
    await piet.presses(old_next, piet.sees())
    assert "eerdere stap" in (piet.last_answer() or "")


async def test_a_postcode_without_signal_point_is_kept_and_the_national_number_given(app: Omzien) -> None:
    piet = app.person("Piet")
    await report(piet, "9999 ZZ 1")
    text = piet.sees().text
    assert "0800-1205" in text and "9999" in text
    async with app.sessions() as session:
        signal = await session.scalar(select(Signal))
    assert signal.status == "unrouted" and signal.reference in text


async def test_a_second_report_for_the_same_address_joins_the_open_signal(app: Omzien) -> None:
    anna = app.person("Anna")
    group = await linked_group(app, anna)
    piet, kapper = app.person("Piet"), app.person("Karin")
    await report(piet, "3044 AB 12")
    await report(kapper, "3044ab12", observations=("Gordijnen dag en nacht dicht",))
    cards = [m for m in app.telegram.shown(group.id) if "Signaal S-" in m.text]
    assert len(cards) == 1
    assert "Nogmaals gemeld (2×)" in cards[0].text
    assert "Overvolle brievenbus, Gordijnen dag en nacht dicht" in cards[0].text
    async with app.sessions() as session:
        assert len((await session.scalars(select(Report))).all()) == 2
    app.clock.advance(days=31)
    await report(piet, "3044 AB 12")
    cards = [m for m in app.telegram.shown(group.id) if "Signaal S-" in m.text]
    assert len(cards) == 2, "after the window a new worry is a new signal"


async def test_a_worker_who_never_started_the_bot_gets_a_link_and_then_the_address(app: Omzien) -> None:
    anna = app.person("Anna")
    group = await linked_group(app, anna)
    await report(app.person("Piet"), "3044 AB 287")
    await anna.taps("Ik pak dit op", in_=group)
    link = app.telegram.last(group.id)
    assert "https://t.me/omzien_test_bot?start=adres" in link.text and "287" not in link.text
    assert app.telegram.sent(type(None)) == []
    await anna.says("/start adres")
    assert any("3044 AB 287" in m.text for m in app.telegram.shown(anna.user.id))


async def test_two_workers_tapping_at_once_one_wins_every_time(app: Omzien) -> None:
    anna, bert = app.person("Anna"), app.person("Bert")
    await anna.says("/start")
    await bert.says("/start")
    group = await linked_group(app, anna)
    reporters = [app.person(f"Melder {n}") for n in range(10)]  # ten each: none reported unusually much
    for reporter in reporters:
        await reporter.says("/start")
    async with app.sessions.begin() as session:
        await session.execute(update(Point).values(claim_limit=1000))  # 50 claims each is the point here
        for number in range(1, 101):
            draft = ReportDraft(observations=[Observation.SAYS_LONELY], consent=Consent.UNKNOWN, may_contact=False)
            draft.set_address(Address("3044AB", number))
            await services.signals.report(session, app.i18n, draft, reporters[number % 10].user.id, app.clock(),
                                          timedelta(days=30))
    await app.sender.drain()
    cards = [m for m in app.telegram.shown(group.id) if m.buttons]
    assert len(cards) == 100
    for card in cards:
        await app.feed_together(anna.tap_update("Ik pak dit op", group, card),
                                bert.tap_update("Ik pak dit op", group, card))
    async with app.sessions() as session:
        claimed = (await session.scalars(select(Event).where(Event.kind == "claimed"))).all()
        signals = (await session.scalars(select(Signal))).all()
    assert len(signals) == 100 and len(claimed) == 100
    assert all(s.status == "claimed" for s in signals)
    losers = [a.text for a in app.telegram.answers if a.text and "heeft dit signaal al opgepakt" in a.text]
    assert len(losers) == 100
    assert all(card.buttons == [] for card in cards)


async def test_buttons_from_elsewhere_are_refused_politely(app: Omzien) -> None:
    anna = app.person("Anna")
    await anna.says("/start")
    group = await linked_group(app, anna)
    await report(app.person("Piet"), "3044 AB 12")
    card = app.telegram.last(group.id)
    other_group = app.group(-100999, "Een andere groep")
    await anna.presses(card.data_of("Ik pak dit op"), card, in_=other_group)
    assert "hoort niet bij deze groep" in (anna.last_answer() or "")
    await anna.presses("c1:999999", card, in_=group)
    assert "hoort niet bij deze groep" in (anna.last_answer() or "")
    await anna.presses("garbage-from-a-forger", card, in_=group)
    assert "werkt niet meer" in (anna.last_answer() or "")

    await anna.taps("Ik pak dit op", in_=group)
    case = anna.sees()
    bert = app.person("Bert")
    await bert.says("/start")
    await bert.presses(case.data_of("Contact gemaakt"), case)
    assert "niet (meer) van jou" in (bert.last_answer() or "")
    async with app.sessions() as session:
        assert (await session.scalar(select(Signal))).status == "claimed"


async def test_giving_a_signal_back_reopens_it_and_removes_the_address(app: Omzien) -> None:
    anna = app.person("Anna")
    await anna.says("/start")
    group = await linked_group(app, anna)
    await report(app.person("Piet"), "3044 AB 287")
    await anna.taps("Ik pak dit op", in_=group)
    case = anna.sees()
    await anna.taps("Teruggeven")
    assert "287" not in case.text and "teruggegeven" in case.text
    card = app.telegram.last(group.id)
    assert "nieuw" in card.text and card.buttons == ["🙋 Ik pak dit op"]


async def test_linking_a_group_with_a_wrong_or_used_code(app: Omzien) -> None:
    anna = app.person("Anna")
    group = app.group()
    await anna.says("/koppel NOPE1234", in_=group)
    assert "ken ik niet" in app.telegram.last(group.id).text
    await linked_group(app, anna)
    await anna.says("/koppel NOPE1234", in_=group)
    assert "al gekoppeld aan Signaalpunt Noord" in app.telegram.last(group.id).text


async def test_a_reporter_who_wants_no_contact_hears_nothing_afterwards(app: Omzien) -> None:
    anna = app.person("Anna")
    await anna.says("/start")
    group = await linked_group(app, anna)
    piet = app.person("Piet")
    await report(piet, "3044 AB 12", contact=False)
    heard = len(app.telegram.texts_to(piet.user.id))
    await anna.taps("Ik pak dit op", in_=group)
    await anna.taps("Niet bereikt")
    assert len(app.telegram.texts_to(piet.user.id)) == heard


async def test_an_update_telegram_sends_twice_is_handled_once(app: Omzien) -> None:
    piet = app.person("Piet")
    await report(piet, "9999 ZZ 1")
    await report(piet, "9999 ZZ 2", contact=False, send=False)
    send = piet.tap_update("Versturen", piet.private)
    await app.feed(send)
    await app.feed(send)
    async with app.sessions() as session:
        assert len((await session.scalars(select(Report))).all()) == 2
    confirmations = [t for t in app.telegram.texts_to(piet.user.id) if "Kenmerk" in t]
    assert len(confirmations) == 2


@pytest.mark.parametrize("text", ["hallo", "x" * 5000, "🙂"])
async def test_anything_else_gets_a_friendly_way_forward(app: Omzien, text: str) -> None:
    piet = app.person("Piet")
    await piet.says(text)
    assert "Dat begrijp ik niet" in piet.sees().text


async def test_an_unrouted_signal_reaches_a_point_that_is_added_later(app: Omzien, engine, monkeypatch,
                                                                       capsys) -> None:
    piet = app.person("Piet")
    await report(piet, "9999 ZZ 287")
    monkeypatch.setenv("OMZIEN_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    assert await asyncio.to_thread(main, ["signals", "unrouted"]) == 0
    listing = capsys.readouterr().out
    assert "postcode 9999" in listing and "ZZ" not in listing and "287" not in listing
    add = ["points", "add", "--name", "Signaalpunt Oost", "--postcodes", "9990-9999"]
    assert await asyncio.to_thread(main, add) == 0
    out = capsys.readouterr().out
    assert "1 eerder gemeld signaal" in out
    code = out.split("Koppelcode (eenmalig): ")[1].split()[0]
    anna = app.person("Anna")
    group = app.group(-100555)
    await anna.says(f"/koppel {code}", in_=group)
    card = app.telegram.last(group.id)
    assert "postcode 9999" in card.text and card.buttons == ["🙋 Ik pak dit op"]


async def test_the_claimer_hears_of_a_new_report_and_the_message_stays_within_telegrams_limit(app: Omzien) -> None:
    anna = app.person("Anna")
    await anna.says("/start")
    group = await linked_group(app, anna)
    await report(app.person("Piet"), "3044 AB 12", note="a" * 500)
    await anna.taps("Ik pak dit op", in_=group)
    for name in ("Karin", "Henk", "Fatima"):
        await report(app.person(name), "3044 AB 12", note="b" * 500)
    latest = anna.sees().text
    assert "Er zijn 4 meldingen; hieronder de laatste 3." in latest
    assert len(latest) <= 4096 and "3044 AB 12" in latest
