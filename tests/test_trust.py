"""Attacks on who may see an address, played as Telegram would deliver them: each is refused and changes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from aiogram.methods import SendMessage
from aiogram.types import ChatMemberLeft, ChatMemberMember, ChatMemberUpdated, Message, Update, User
from sqlalchemy import select, update

from omzien.bot.app import StartupError, check_groups, run
from omzien.core.i18n import load_i18n
from omzien.core.settings import Settings
from omzien.flows.routing import parse_areas
from omzien.storage.db import only_runner
from omzien.storage.models import Event, Point, Signal
from omzien.storage.points import add_point, renew_link_code
from tests.conftest import Omzien, Person
from tests.telegram import BOT_USER
from tests.test_signal_chain import linked_group, report

ADDRESS = "3044 AB 287"
COORDINATOR = 777001


async def reported(app: Omzien) -> tuple[Person, object]:
    """Anna's group is linked, she has started the bot; Piet reported an address."""
    anna, piet = app.person("Anna"), app.person("Piet")
    group = await linked_group(app, anna)
    await anna.says("/start")
    await piet.says("/start")
    await piet.taps("Ik maak me zorgen om iemand")
    await piet.taps("Bezorging")
    await piet.taps("Postbode")
    await report(piet)
    return anna, group


async def status(app: Omzien) -> str:
    async with app.sessions() as session:
        return (await session.scalar(select(Signal))).status


async def test_someone_outside_the_points_group_cannot_claim(app: Omzien) -> None:
    _anna, group = await reported(app)
    eve = app.person("Eve")
    await eve.says("/start")
    app.telegram.outsiders.add((group.id, eve.user.id))
    await eve.taps("Ik pak dit op", in_=group)
    assert "Alleen wie in de groep" in (eve.last_answer() or "")
    assert await status(app) == "new"
    assert not any(ADDRESS in text for text in app.telegram.texts_to(eve.user.id))


async def test_a_forged_button_with_an_id_beyond_any_signal_is_a_stale_button(app: Omzien) -> None:
    anna, group = await reported(app)
    card = app.telegram.last(group.id)
    for forged in ("c1:9223372036854775808", "c1:-1", "k1:99999999999999999999:contact", "f1:0:c"):
        await anna.presses(forged, card, group if forged.startswith("c1") else None)
        assert "werkt niet meer" in (anna.last_answer() or ""), forged
    assert not any("ging bij mij iets mis" in text for text in app.telegram.texts_to(anna.user.id))
    assert await status(app) == "new"


async def test_the_address_cannot_be_forwarded_and_every_copy_goes_when_it_is_given_back(app: Omzien) -> None:
    anna, group = await reported(app)
    await anna.taps("Ik pak dit op", in_=group)
    first = anna.sees()
    [sent] = [m for m in app.telegram.sent(SendMessage, anna.user.id) if ADDRESS in m.text]
    assert sent.protect_content, "Telegram will not let the address be forwarded or saved"
    await anna.taps("Contact gemaakt", on=first)
    piet_again = app.person("Piet2")
    await piet_again.says("/start")
    await piet_again.taps("Ik maak me zorgen om iemand")
    await piet_again.taps("Buurt en familie")
    await piet_again.taps("Buur of bewoner")
    await report(piet_again)  # a second report: the case comes again, a second copy of the address
    copies = [m for m in app.telegram.shown(anna.user.id) if ADDRESS in m.text]
    assert len(copies) == 2
    await anna.taps("Teruggeven", on=copies[-1])
    assert not any(ADDRESS in m.text for m in app.telegram.shown(anna.user.id)), "no copy keeps the address"
    assert any("ingetrokken" in m.text for m in app.telegram.shown(anna.user.id))


async def test_a_worker_who_leaves_the_group_loses_their_cases(app: Omzien) -> None:
    anna, group = await reported(app)
    async with app.sessions.begin() as session:
        await session.execute(update(Point).values(coordinators=[COORDINATOR]))
    await report(app.person("Piet"), "3045 CD 3")
    for _ in range(2):
        await anna.taps("Ik pak dit op", in_=group)
    assert any(ADDRESS in m.text for m in app.telegram.shown(anna.user.id))
    left = ChatMemberUpdated(chat=group, from_user=anna.user, date=app.clock(),
                             old_chat_member=ChatMemberMember(user=anna.user),
                             new_chat_member=ChatMemberLeft(user=anna.user))
    await app.feed(Update(update_id=next(app.update_ids), chat_member=left))
    async with app.sessions() as session:
        references = list(await session.scalars(select(Signal.reference).where(Signal.status == "new")))
    assert len(references) == 2, "both are back in the group"
    assert "Status: <b>nieuw</b>" in app.telegram.last(group.id).text or any(
        "Status: <b>nieuw</b>" in m.text for m in app.telegram.shown(group.id))
    assert not any(ADDRESS in m.text for m in app.telegram.shown(anna.user.id))
    [to_coordinator] = app.telegram.texts_to(COORDINATOR)
    assert "niet meer in de groep" in to_coordinator and ADDRESS not in to_coordinator, "one message per leave"
    assert all(reference in to_coordinator for reference in references)
    async with app.sessions() as session:
        assert set(await session.scalars(select(Event.detail).where(Event.kind == "released"))) == {"left_group"}
    await anna.taps("Ik pak dit op", in_=group)
    assert "Alleen wie in de groep" in (anna.last_answer() or ""), "Telegram's word is remembered"


async def test_link_codes_cannot_be_guessed_and_expire(app: Omzien) -> None:
    anna = app.person("Anna")
    group = app.group(-1005555)
    for guess in range(5):
        await anna.says(f"/koppel WRONG{guess}", in_=group)
        assert "ken ik niet" in app.telegram.last(group.id).text
    await anna.says("/koppel WRONG5", in_=group)
    assert "te vaak" in app.telegram.last(group.id).text
    async with app.sessions.begin() as session:
        point = await add_point(session, "Signaalpunt Oost", parse_areas("3070"))
        point.link_code_at = app.clock() - timedelta(days=8)
        code = point.link_code
    other = app.group(-1006666)
    await anna.says(f"/koppel {code}", in_=other)
    assert "verlopen" in app.telegram.last(other.id).text, "a code is good for a week"
    async with app.sessions() as session:
        assert (await session.scalar(select(Point).where(Point.name == "Signaalpunt Oost"))).group_chat_id is None


async def test_a_point_that_moves_to_a_new_group_takes_its_open_cards_along(app: Omzien) -> None:
    _anna, old = await reported(app)
    async with app.sessions.begin() as session:
        point = await session.scalar(select(Point))
        code = await renew_link_code(session, point)
    new = app.group(-1007777, "Signaalpunt Noord (nieuw)")
    bram = app.person("Bram")
    await bram.says(f"/koppel {code}", in_=new)
    assert "andere groep gekoppeld" in app.telegram.last(old.id).text
    assert any("postcode 3044" in m.text and m.buttons == ["🙋 Ik pak dit op"] for m in app.telegram.shown(new.id))
    migrated = Message(message_id=1, date=app.clock(), chat=new, from_user=bram.user, migrate_to_chat_id=-1008888)
    await app.feed(Update(update_id=next(app.update_ids), message=migrated))
    async with app.sessions() as session:
        assert (await session.scalar(select(Point))).group_chat_id == -1008888, "a supergroup keeps its point"


async def test_a_second_bot_on_the_same_sqlite_file_says_so_and_stops(tmp_path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path}/one.sqlite3"
    with load_i18n().context(), only_runner(url), pytest.raises(StartupError, match="draait al een Omzien"):
        await run(Settings(database_url=url), "123456789:AAE-not-used-here")


async def test_at_start_a_group_where_the_bot_is_no_administrator_is_named(app: Omzien, caplog) -> None:
    _anna, group = await reported(app)
    app.telegram.outsiders.add((group.id, BOT_USER.id))
    with app.i18n.context():
        await check_groups(app.bot, app.sessions)
    assert "Signaalpunt Noord" in caplog.text and "beheerder" in caplog.text


async def test_a_worker_who_claims_unusually_much_waits_for_a_coordinator(app: Omzien) -> None:
    anna, group = await reported(app)
    async with app.sessions.begin() as session:
        await session.execute(update(Point).values(coordinators=[COORDINATOR]))
    piet = app.person("Piet")
    for number in range(1, 7):
        await report(piet, f"3044 AB {number}")
    for _ in range(5):
        await anna.taps("Ik pak dit op", in_=group)
    await anna.taps("Ik pak dit op", in_=group)
    assert "coördinator kijkt even mee" in (anna.last_answer() or "")
    [held] = [m for m in app.telegram.shown(COORDINATOR) if "ongewoon" in m.text]
    assert "Anna" in held.text and held.buttons == ["Toestaan"]
    await anna.presses(held.data_of("Toestaan"), held)
    assert "Alleen een coördinator" in (anna.last_answer() or ""), "she cannot allow herself"
    coordinator = Person(app, User(id=COORDINATOR, is_bot=False, first_name="Carla"))
    await coordinator.taps("Toestaan")
    assert "Toegestaan" in app.telegram.last(COORDINATOR).text
    await anna.taps("Ik pak dit op", in_=group)
    assert "Je hebt" in (anna.last_answer() or "") and "coördinator" not in (anna.last_answer() or "")


async def test_one_persons_flood_is_left_unhandled_and_answered_once(sessions, clock) -> None:
    app = Omzien(sessions, clock, flood_limit=5, flood_seconds=60)
    flooder, neighbour = app.person("Flo"), app.person("Nel")
    for number in range(30):
        await flooder.says(f"hallo {number}")
    calm = [t for t in app.telegram.texts_to(flooder.user.id) if "veel berichten kort na elkaar" in t]
    answered = [t for t in app.telegram.texts_to(flooder.user.id) if "Dat begrijp ik niet" in t]
    assert len(calm) == 1 and len(answered) == 5
    await neighbour.says("/start")
    assert "Wat brengt u hier?" in neighbour.sees().text, "everyone else is answered as usual"


async def cards_in(app: Omzien, group) -> list[str]:
    return [m.text for m in app.telegram.shown(group.id) if "🙋 Ik pak dit op" in m.buttons]


async def test_past_ten_reports_in_an_hour_new_signals_wait_until_a_coordinator_lets_them_through(app: Omzien) -> None:
    anna, group = await reported(app)
    async with app.sessions.begin() as session:
        await session.execute(update(Point).values(coordinators=[COORDINATOR]))
    piet = app.person("Piet")
    for number in range(1, 11):
        await report(piet, f"3044 AB {number}")
    assert len(await cards_in(app, group)) == 11 and "Verstuurd" in piet.sees().text
    await report(piet, "3044 AB 11")
    assert "kijkt een coördinator van Signaalpunt Noord eerst mee" in piet.sees().text
    await report(piet, "3044 AB 12")
    assert len(await cards_in(app, group)) == 11, "the group sees nothing of the signals on hold"
    [held] = [m for m in app.telegram.shown(COORDINATOR) if "binnen een uur" in m.text]
    assert "Piet" in held.text and held.buttons == ["Doorlaten", "Apart zetten"], "one message, not one per report"
    await anna.presses(held.data_of("Doorlaten"), held)
    assert "Alleen een coördinator" in (anna.last_answer() or ""), "a worker cannot let them through"
    assert len(await cards_in(app, group)) == 11

    coordinator = Person(app, User(id=COORDINATOR, is_bot=False, first_name="Carla"))
    await coordinator.taps("Doorlaten")
    assert "Doorgelaten: 2 signalen" in app.telegram.last(COORDINATOR).text
    assert len(await cards_in(app, group)) == 13
    await report(piet, "3044 AB 13")
    assert "Verstuurd" in piet.sees().text and len(await cards_in(app, group)) == 14, "counted again from then"
    async with app.sessions() as session:
        kinds = list(await session.scalars(select(Event.kind).where(Event.actor_id == COORDINATOR)))
    assert kinds == ["let_through", "let_through"]


async def test_signals_on_hold_that_a_coordinator_sets_aside_never_reach_the_group(app: Omzien) -> None:
    _anna, group = await reported(app)
    async with app.sessions.begin() as session:
        await session.execute(update(Point).values(coordinators=[COORDINATOR]))
    piet = app.person("Piet")
    app.clock.advance(hours=2)
    for number in range(1, 12):
        await report(piet, f"3045 AB {number}")
    coordinator = Person(app, User(id=COORDINATOR, is_bot=False, first_name="Carla"))
    await coordinator.taps("Apart zetten")
    assert "Apart gezet: 1 signaal is afgesloten" in app.telegram.last(COORDINATOR).text
    assert len(await cards_in(app, group)) == 11
    async with app.sessions() as session:
        aside = (await session.scalars(select(Signal).where(Signal.outcome == "set_aside"))).all()
    assert [s.status for s in aside] == ["closed"]
    await report(piet, "3045 AB 12")
    assert "eerst mee" in piet.sees().text, "after setting aside, the reporter's new signals still wait"
