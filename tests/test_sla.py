"""Stories of the SLA clock: the time moves, sweeps run, and people hear what they must, once."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from aiogram.exceptions import TelegramServerError
from aiogram.methods import EditMessageText, SendMessage
from aiogram.types import Chat
from sqlalchemy import func, select, update

from omzien.cli import main
from omzien.flows.address import parse_address
from omzien.flows.report import ReportDraft
from omzien.flows.signal import Consent, Observation
from omzien.services import sweep
from omzien.storage.models import Event, Point, Signal
from omzien.storage.signals import file_report
from tests.conftest import Omzien, Person
from tests.test_signal_chain import linked_group, report

AMS = ZoneInfo("Europe/Amsterdam")
COORDINATOR, FALLBACK = 777001, 777002


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=AMS).astimezone(UTC)


async def sweep_at(app: Omzien, moment: datetime) -> dict[str, int]:
    app.clock.now = moment
    counts = await sweep.sweep(app.sessions, app.i18n, moment)
    await app.sender.drain()
    return counts


async def set_policy(app: Omzien, **values: object) -> None:
    async with app.sessions.begin() as session:
        await session.execute(update(Point).values(**values))


async def signal_reference(app: Omzien) -> str:
    async with app.sessions() as session:
        return (await session.scalars(select(Signal.reference).order_by(Signal.id.desc()))).first()


async def without_morning_summaries(app: Omzien) -> None:
    """For stories about something else: the summary (tested on its own) would be one more message."""
    await set_policy(app, summary_at=datetime(2100, 1, 1, tzinfo=UTC))


async def file_many(app: Omzien, count: int) -> None:
    """``count`` signals at once, as reports from the chat would leave them (without their cards)."""
    reporter = app.person("Piet")
    await reporter.says("/start")
    await reporter.taps("Ik maak me zorgen om iemand")
    await reporter.taps("Bezorging")
    await reporter.taps("Postbode")
    async with app.sessions.begin() as session:
        for number in range(count):
            draft = ReportDraft(observations=[Observation.MAILBOX_FULL], consent=Consent.UNKNOWN, may_contact=False)
            draft.set_address(parse_address(f"3044 AB {number + 1}"))
            await file_report(session, draft, reporter.user.id, app.clock(), timedelta(days=30))


async def reports_as_postman(piet: Person) -> None:
    """Piet starts, says he is a postman, and reports an address in Noord's postcodes."""
    await piet.says("/start")
    await piet.taps("Ik maak me zorgen om iemand")
    await piet.taps("Bezorging")
    await piet.taps("Postbode")
    await report(piet)


async def claimed_by_anna(app: Omzien) -> tuple[Person, Chat]:
    """Piet reports on Monday 10:30 (no morning summaries in the way), Anna claims it at once."""
    anna, piet = app.person("Anna"), app.person("Piet")
    group = await linked_group(app, anna)
    await without_morning_summaries(app)
    await anna.says("/start")
    await reports_as_postman(piet)
    await anna.taps("Ik pak dit op", in_=group)
    return anna, group


def new_messages(app: Omzien, chat_id: int) -> int:
    return len(app.telegram.sent(SendMessage, chat_id))


async def test_a_signal_from_friday_1655_before_christmas_is_reminded_and_escalated_on_time(app: Omzien) -> None:
    anna, piet = app.person("Anna"), app.person("Piet")
    group = await linked_group(app, anna)
    await set_policy(app, coordinators=[COORDINATOR], fallback_chat_id=FALLBACK)
    await piet.says("/start")
    await piet.taps("Ik maak me zorgen om iemand")
    await piet.taps("Bezorging")
    await piet.taps("Postbode")
    app.clock.now = local(2026, 12, 18, 16, 55)
    await report(piet)
    reference = await signal_reference(app)
    card = app.telegram.last(group.id)
    assert "oppakken vóór ma 21 dec 16:55" in card.text, "one working day: five minutes on Friday, the rest Monday"
    in_group = new_messages(app, group.id)

    for moment in (local(2026, 12, 18, 17, 30), local(2026, 12, 19, 10, 0), local(2026, 12, 20, 23, 0)):
        assert await sweep_at(app, moment) == {"summaries": 0}, "nothing happens at the weekend"
    assert new_messages(app, group.id) == in_group

    assert await sweep_at(app, local(2026, 12, 21, 9, 0)) == {"summaries": 1}
    summary = app.telegram.last(group.id)
    assert "Goedemorgen" in summary.text
    assert "Nieuw sinds het vorige overzicht: 1 · open: 1 · over tijd: 0" in summary.text

    assert (await sweep_at(app, local(2026, 12, 21, 12, 54))).get("claim_half") is None
    counts = await sweep_at(app, local(2026, 12, 21, 12, 55))
    assert counts["claim_half"] == 1 and counts["overviews"] == 1
    overview = app.telegram.last(group.id)
    assert "Wachten op iemand die ze oppakt: 1, waarvan over tijd: 0" in overview.text
    assert overview.buttons == [f"🙋 {reference}"]
    assert app.telegram.texts_to(COORDINATOR) == []

    assert await sweep_at(app, local(2026, 12, 21, 12, 56)) == {"summaries": 0}, "a sweep again sends nothing"
    in_group = new_messages(app, group.id)
    counts = await sweep_at(app, local(2026, 12, 21, 16, 55))
    assert counts == {"claim_due": 1, "to_coordinators": 1, "summaries": 0}
    assert new_messages(app, group.id) == in_group, "the current overview is edited, not posted again"
    assert "waarvan over tijd: 1" in overview.text and f"⚠️ {reference}" in overview.text
    assert "over tijd sinds ma 21 dec 16:55" in overview.text
    [to_coordinator] = app.telegram.texts_to(COORDINATOR)
    assert reference in to_coordinator and "niet op tijd opgepakt" in to_coordinator
    assert "287" not in to_coordinator, "no address outside the claimer's chat"
    assert app.telegram.texts_to(FALLBACK) == []

    # Three times the allowance: Wednesday 23 December 16:55 (Christmas is after that).
    assert (await sweep_at(app, local(2026, 12, 23, 16, 54))).get("claim_late") is None
    counts = await sweep_at(app, local(2026, 12, 23, 16, 55))
    assert counts["to_fallback"] == 1 and counts["overviews"] == 1
    [to_fallback] = app.telegram.texts_to(FALLBACK)
    assert reference in to_fallback and "drie keer zo lang" in to_fallback
    assert "verouderd" in overview.text and overview.buttons == [], "Monday's overview points to the new one"
    overview = app.telegram.last(group.id)
    assert "waarvan over tijd: 1" in overview.text

    summaries = [t for t in app.telegram.texts_to(group.id) if "Goedemorgen" in t]
    for moment in (local(2026, 12, 25, 9, 30), local(2026, 12, 26, 9, 30), local(2026, 12, 27, 9, 30)):
        await sweep_at(app, moment)
    assert [t for t in app.telegram.texts_to(group.id) if "Goedemorgen" in t] == summaries, "no summary at Christmas"

    await anna.taps(reference, in_=group, on=overview)
    assert "Alle signalen zijn opgepakt" in overview.text and overview.buttons == []
    assert "opgepakt</b> door Anna" in card.text


async def test_a_claimed_signal_without_contact_reminds_only_its_claimer_first(app: Omzien) -> None:
    anna, group = await claimed_by_anna(app)  # reported Monday 23 November 10:30
    reference = await signal_reference(app)
    card = app.telegram.last(group.id)
    assert "contact vóór do 26 nov 10:30" in card.text
    in_group = new_messages(app, group.id)

    counts = await sweep_at(app, local(2026, 11, 26, 10, 30))
    assert counts["contact_due"] == 1 and counts["to_claimers"] == 1
    reminder = anna.sees()
    assert "Herinnering" in reminder.text and reference in reminder.text
    assert reminder.buttons == [f"📞 {reference}", "⏸ Pauzeren", "↩️ Teruggeven"]
    assert new_messages(app, group.id) == in_group, "the group does not hear of it yet"

    counts = await sweep_at(app, local(2026, 11, 27, 10, 30))
    assert counts["contact_late"] == 1 and counts["overviews"] == 1
    overview = app.telegram.last(group.id)
    assert "nog geen contact vastgelegd" in overview.text and reference in overview.text and "Anna" in overview.text

    await anna.taps(f"📞 {reference}", on=reminder)
    assert "contact gemaakt bij" in (anna.last_answer() or "")
    assert "Alle signalen zijn opgepakt" in overview.text
    assert "contact gemaakt" in card.text and "afronden vóór ma 7 dec 10:30" in card.text
    await anna.taps(f"📞 {reference}", on=reminder)
    assert "al vastgelegd" in (anna.last_answer() or "")


async def test_a_pause_holds_the_reminders_for_a_working_week(app: Omzien) -> None:
    anna, group = await claimed_by_anna(app)
    app.clock.now = local(2026, 11, 24, 11, 0)
    await anna.taps("Pauzeren")
    question = anna.sees()
    assert "Waarom pauzeer je" in question.text
    await anna.taps("Is een tijd weg", on=question)
    assert "gepauzeerd tot di 1 dec 11:00" in question.text
    assert "gepauzeerd tot di 1 dec 11:00" in app.telegram.last(group.id).text
    async with app.sessions() as session:
        assert (await session.scalar(select(Event.detail).where(Event.kind == "paused"))) == "away"

    assert (await sweep_at(app, local(2026, 11, 26, 10, 30))).get("contact_due") is None
    assert (await sweep_at(app, local(2026, 12, 1, 11, 0)))["contact_due"] == 1
    assert "Herinnering" in anna.sees().text


async def test_giving_back_starts_a_new_claim_window(app: Omzien) -> None:
    anna, group = await claimed_by_anna(app)
    app.clock.now = local(2026, 11, 25, 14, 0)
    await anna.taps("Teruggeven")
    card = app.telegram.last(group.id)
    assert "oppakken vóór do 26 nov 14:00" in card.text
    counts = await sweep_at(app, local(2026, 11, 25, 16, 0))
    assert counts == {"summaries": 0}
    assert (await sweep_at(app, local(2026, 11, 26, 9, 59))).get("claim_half") is None
    assert (await sweep_at(app, local(2026, 11, 26, 10, 0)))["claim_half"] == 1, "4 working hours: 3 on Wednesday"


async def test_500_overdue_signals_make_one_overview_and_telegram_failures_lose_nothing(app: Omzien) -> None:
    anna = app.person("Anna")
    group = await linked_group(app, anna)
    await without_morning_summaries(app)
    await set_policy(app, coordinators=[COORDINATOR])
    await file_many(app, 500)
    before = new_messages(app, group.id)

    failing = True
    app.telegram.fail(lambda method: TelegramServerError(method=method, message="Bad Gateway")
                      if failing and isinstance(method, SendMessage) else None)
    counts = await sweep_at(app, local(2026, 11, 24, 10, 30))
    assert counts["claim_half"] == counts["claim_due"] == 500
    assert counts["overviews"] == 1 and counts["to_coordinators"] == 1
    assert new_messages(app, group.id) == before, "Telegram is down: nothing arrived"
    assert await sweep_at(app, local(2026, 11, 24, 10, 31)) == {"summaries": 0}

    failing = False
    app.clock.advance(hours=1)
    await app.sender.drain()
    assert new_messages(app, group.id) == before + 1, "one overview for 500 signals, sent once Telegram is back"
    overview = app.telegram.last(group.id)
    assert "Wachten op iemand die ze oppakt: 500, waarvan over tijd: 500" in overview.text
    assert "… en nog 480." in overview.text and len(overview.buttons) == 20
    assert len(overview.text) < 4096
    assert len(app.telegram.texts_to(COORDINATOR)) == 1, "the coordinator gets one message, not 500"
    async with app.sessions() as session:
        alerts_sent = await session.scalar(select(func.count()).where(Event.kind == "alert"))
    assert alerts_sent == 1000


async def test_two_sweeps_at_once_send_each_alert_once(app: Omzien) -> None:
    anna = app.person("Anna")
    group = await linked_group(app, anna)
    await without_morning_summaries(app)
    await set_policy(app, coordinators=[COORDINATOR])
    await file_many(app, 60)
    before = new_messages(app, group.id)
    moment = local(2026, 11, 24, 10, 30)
    results = await asyncio.gather(*(sweep.sweep(app.sessions, app.i18n, moment) for _ in range(3)))
    await app.sender.drain()
    assert sum(r.get("claim_due", 0) for r in results) == 60
    async with app.sessions() as session:
        per_signal = (await session.execute(select(Event.signal_id, Event.detail, func.count())
                                            .where(Event.kind == "alert").group_by(Event.signal_id, Event.detail)
                                            )).all()
    assert len(per_signal) == 120 and all(count == 1 for *_, count in per_signal)
    assert new_messages(app, group.id) == before + 1, "one overview, whichever sweep wrote it"


async def test_open_shows_the_overview_on_demand(app: Omzien) -> None:
    anna, piet = app.person("Anna"), app.person("Piet")
    group = await linked_group(app, anna)
    await anna.says("/open", in_=group)
    assert "Alle signalen zijn opgepakt" in app.telegram.last(group.id).text
    await reports_as_postman(piet)
    await anna.says("/open", in_=group)
    overview = app.telegram.last(group.id)
    assert "Wachten op iemand die ze oppakt: 1" in overview.text and "oppakken vóór di 24 nov 10:30" in overview.text
    other = app.group(-100777, "Een andere groep")
    await anna.says("/open", in_=other)
    assert "nog niet gekoppeld" in app.telegram.last(other.id).text


async def test_operators_sweep_at_a_moment_and_read_the_figures(app: Omzien, engine, capsys, monkeypatch) -> None:
    anna, bert, piet = app.person("Anna"), app.person("Bert"), app.person("Piet")
    group = await linked_group(app, anna)
    await piet.says("/start")
    await piet.taps("Ik maak me zorgen om iemand")
    await piet.taps("Bezorging")
    await piet.taps("Postbode")
    await report(piet, "3044 AB 1")  # Monday 10:30, claimed two working hours later
    app.clock.now = local(2026, 11, 23, 12, 30)
    await anna.taps("Ik pak dit op", in_=group)
    await report(piet, "3044 AB 2")  # Monday 12:30, claimed Wednesday 12:30: 16 working hours
    app.clock.now = local(2026, 11, 25, 12, 30)
    await bert.taps("Ik pak dit op", in_=group)
    await report(piet, "3044 AB 3")  # still waiting

    monkeypatch.setenv("OMZIEN_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    assert await asyncio.to_thread(main, ["sla", "sweep", "--at", "2026-11-26T16:00"]) == 0
    swept = json.loads(capsys.readouterr().out)
    assert swept["at"] == "2026-11-26T15:00:00+00:00" and swept["claim_due"] == 1 and swept["contact_due"] == 2
    assert await asyncio.to_thread(main, ["sla", "sweep", "--at", "2026-11-26T16:00"]) == 0
    assert json.loads(capsys.readouterr().out) == {"at": "2026-11-26T15:00:00+00:00", "summaries": 0}

    assert await asyncio.to_thread(main, ["sla", "report", "--json", "--since", "2026-11-01"]) == 0
    [figures] = json.loads(capsys.readouterr().out)
    assert figures["signals"] == 3
    assert figures["claim"]["count"] == 2 and figures["claim"]["median_hours"] == 2.0
    assert figures["claim"]["p90_hours"] == 16.0
    assert figures["contact"]["count"] == 0
    assert await asyncio.to_thread(main, ["sla", "report", "--point", "99"]) == 2
    assert await asyncio.to_thread(main, ["sla", "sweep", "--at", "kerstavond"]) == 2
    assert "2026-12-24T16:30" in capsys.readouterr().err


async def test_the_sweep_leaves_the_overview_of_a_group_without_news_alone(app: Omzien) -> None:
    anna, bert, piet = app.person("Anna"), app.person("Bert"), app.person("Piet")
    noord = await linked_group(app, anna)
    zuid = await linked_group(app, bert, name="Signaalpunt Zuid", postcodes="1000-1099", chat_id=-1005678)
    await without_morning_summaries(app)
    await anna.says("/open", in_=noord)
    await bert.says("/open", in_=zuid)
    await reports_as_postman(piet)  # Monday 10:30, in Noord's postcodes
    zuid_overview = app.telegram.last(zuid.id)
    edits, posts = len(app.telegram.sent(EditMessageText, zuid.id)), new_messages(app, zuid.id)

    counts = await sweep_at(app, local(2026, 11, 23, 14, 30))
    assert counts["claim_half"] == 1 and counts["overviews"] == 1
    assert "Wachten op iemand die ze oppakt: 1" in app.telegram.last(noord.id).text
    assert len(app.telegram.sent(EditMessageText, zuid.id)) == edits, "nothing changed in Zuid: no edit"
    assert new_messages(app, zuid.id) == posts and "Alle signalen zijn opgepakt" in zuid_overview.text
    async with app.sessions() as session:
        assert not (await session.scalars(select(Point.name).where(Point.overview_pending))).all()


async def test_an_overview_cut_off_by_a_crash_comes_with_the_next_sweep(app: Omzien, monkeypatch) -> None:
    anna, piet = app.person("Anna"), app.person("Piet")
    group = await linked_group(app, anna)
    await without_morning_summaries(app)
    await reports_as_postman(piet)
    before = new_messages(app, group.id)

    def power_cut(*_: object) -> None:
        raise RuntimeError("the power went out")

    monkeypatch.setattr(sweep, "refresh_overviews", power_cut)
    with pytest.raises(RuntimeError):
        await sweep_at(app, local(2026, 11, 23, 14, 30))
    monkeypatch.undo()
    counts = await sweep_at(app, local(2026, 11, 23, 14, 31))
    assert "claim_half" not in counts, "the alert itself was stored before the power went out"
    assert counts["overviews"] == 1 and new_messages(app, group.id) == before + 1
    assert "Wachten op iemand die ze oppakt: 1" in app.telegram.last(group.id).text
