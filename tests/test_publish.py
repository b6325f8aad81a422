"""Every change of a signal goes through one publish: the same audiences hear of it, whoever made it."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from aiogram.methods import SendMessage
from sqlalchemy import select

from omzien.flows.signal import Status
from omzien.flows.sla import Alert, standing
from omzien.services import publish
from omzien.storage import points, sla
from omzien.storage.models import Point, Signal
from omzien.storage.offers import ensure_shipped
from tests.conftest import Omzien
from tests.test_signal_chain import linked_group, report
from tests.test_sla import file_many


def test_the_publish_tables_name_every_change_and_every_alert_of_the_clock() -> None:
    doc = publish.__doc__ or ""

    def named(header: str) -> set[str]:
        rows = doc[doc.index(header):].split("\n\n")[0].splitlines()[2:]
        return {row.split("|")[1].strip() for row in rows}

    assert named("| change ") == {change.name for change in publish.Change}
    assert named("| alert ") == {alert.name for alert in Alert}


async def test_a_new_report_refreshes_the_overview_the_group_has(app: Omzien) -> None:
    anna, piet = app.person("Anna"), app.person("Piet")
    group = await linked_group(app, anna)
    await piet.says("/start")
    await piet.taps("Ik maak me zorgen om iemand")
    await piet.taps("Bezorging")
    await piet.taps("Postbode")
    await report(piet, "3044 AB 12")
    await anna.says("/open", in_=group)
    overview = app.telegram.last(group.id)
    assert "Wachten op iemand die ze oppakt: 1" in overview.text
    posted = len(app.telegram.sent(SendMessage, group.id))

    await report(piet, "3044 AB 13")
    assert "Wachten op iemand die ze oppakt: 2" in overview.text, "edited in place"
    assert len(app.telegram.sent(SendMessage, group.id)) == posted + 1, "only the new card is a new message"


async def test_a_call_back_request_refreshes_the_overview_too(app: Omzien) -> None:
    async with app.sessions.begin() as session:
        await ensure_shipped(session, demo=True)
    anna, mia = app.person("Anna"), app.person("Mia")
    group = await linked_group(app, anna)
    await anna.says("/open", in_=group)
    overview = app.telegram.last(group.id)
    assert "Alle signalen zijn opgepakt" in overview.text
    await mia.says("/start")
    await mia.says("ik zit veel alleen en wil graag mensen ontmoeten")
    await mia.says("3044")
    await mia.taps("Bel mij terug")
    await mia.taps("Ja, bel mij")
    await mia.says("06 12345678")
    await mia.says("3044 AB 12")
    assert "Wachten op iemand die ze oppakt: 1" in overview.text
    assert "12345678" not in overview.text and "3044 AB" not in overview.text


async def test_a_sentence_about_a_mother_asks_the_call_back_for_her(app: Omzien) -> None:
    async with app.sessions.begin() as session:
        await ensure_shipped(session, demo=True)
    kees = app.person("Kees")
    await kees.says("/start")
    await kees.says("ik zoek iets voor mijn moeder, zij zit veel alleen")
    await kees.taps("Overslaan")
    await kees.taps("Bel mij terug")
    assert "Vraag de persoon voor wie u zoekt eerst of dat goed is." in kees.sees().text


async def test_the_card_tells_the_time_of_the_points_own_time_zone(app: Omzien) -> None:
    anna, piet = app.person("Anna"), app.person("Piet")
    group = await linked_group(app, anna)
    async with app.sessions.begin() as session:
        point = await session.scalar(select(Point))
        await points.set_policy(session, point, time_zone="Europe/London")
    await piet.says("/start")
    await piet.taps("Ik maak me zorgen om iemand")
    await piet.taps("Bezorging")
    await piet.taps("Postbode")
    await report(piet)  # Monday 23 November 09:30 UTC: 09:30 in London, 10:30 in Amsterdam
    card = app.telegram.last(group.id)
    assert "Gemeld: ma 23 nov 09:30" in card.text
    assert "oppakken vóór di 24 nov 09:30" in card.text


async def test_a_policy_that_cannot_work_changes_nothing(app: Omzien) -> None:
    anna = app.person("Anna")
    await linked_group(app, anna)
    async with app.sessions.begin() as session:
        point = await session.scalar(select(Point))
        with pytest.raises(ValueError):
            await points.set_policy(session, point, claim=5, contact=3)
        assert (point.claim_days, point.contact_days) == (1, 3)


async def test_late_in_words_and_late_in_sql_agree(app: Omzien) -> None:
    """``flows.sla.standing`` decides what the card calls late; ``storage.sla.overdue_counts`` counts the same."""
    anna = app.person("Anna")
    await linked_group(app, anna)
    await file_many(app, 120)
    now = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    pick = random.Random(7)
    async with app.sessions.begin() as session:
        for signal in await session.scalars(select(Signal)):
            at = [now + timedelta(hours=pick.randint(-72, 72)) for _ in range(3)]
            signal.due_claim_at, signal.due_contact_at, signal.due_close_at = sorted(at)
            signal.status = pick.choice([Status.NEW, Status.CLAIMED, Status.CLAIMED, Status.CLOSED])
            signal.contacted_at = now - timedelta(hours=1) if pick.random() < 0.4 else None
    async with app.sessions() as session:
        rows = (await session.scalars(select(Signal))).all()
        late_here = sum(standing(s.status, due_claim=s.due_claim_at, due_contact=s.due_contact_at,
                                 due_close=s.due_close_at, contacted_at=s.contacted_at, paused_until=None,
                                 now=now).late for s in rows)
        open_count, late_there = await sla.overdue_counts(session, rows[0].point_id, now)
    assert open_count == sum(s.status != Status.CLOSED for s in rows)
    assert late_here == late_there > 0
