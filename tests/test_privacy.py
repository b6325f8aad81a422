"""Retention: when its time is up, personal data is gone from the rows and from the bytes of the database files."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from sqlalchemy import Text, select, type_coerce

from omzien.cli import main
from omzien.storage import followup
from omzien.storage.models import Account, CaseEntry, Event, OutboxMessage, Report, Signal
from omzien.storage.offers import ensure_shipped
from tests.conftest import Omzien
from tests.test_signal_chain import linked_group, report

NOTE = "Meneer Zwaluwstaart praat met niemand meer."
PHONE = "0612398765"
ENTRY = "Buurvrouw Klaproos heeft een sleutel."
SECRETS = (b"287-2", b"3044AB", b"Zwaluwstaart", PHONE.encode(), b"3045CD", b"Klaproos")


async def played(app: Omzien) -> None:
    """A report and a call-back, both claimed and closed in November 2026; a third report stays open."""
    async with app.sessions.begin() as session:
        await ensure_shipped(session, demo=True)
    anna, piet, mia = app.person("Anna"), app.person("Piet"), app.person("Mia")
    group = await linked_group(app, anna)
    await anna.says("/start")
    await piet.says("/start")
    await piet.taps("Ik maak me zorgen om iemand")
    await piet.taps("Bezorging")
    await piet.taps("Postbode")
    await report(piet, "3044 AB 287-2", note=NOTE)
    await mia.says("/start")
    await mia.says("Wat is er voor mij?")
    await mia.says("wandelen")
    await mia.says("3045")
    await mia.taps("Bel mij terug")
    await mia.taps("Ja, bel mij")
    await mia.says(PHONE)
    await mia.says("3045 CD 11")
    for _ in range(2):
        await anna.taps("Ik pak dit op", in_=group)
        await anna.taps("Wil geen hulp")
    await report(piet, "3046 EF 3")


def database_bytes(app: Omzien) -> bytes:
    path = Path(app.sessions.kw["bind"].url.database)
    return b"".join(p.read_bytes() for p in (path, Path(f"{path}-wal")) if p.exists())


def purge(app: Omzien, monkeypatch, *extra: str) -> dict:
    monkeypatch.setenv("OMZIEN_DATABASE_URL", str(app.sessions.kw["bind"].url))
    return main(["privacy", "purge", *extra])


async def sealed_values(app: Omzien, signal_ids: list[int]) -> list[bytes]:
    """The stored (sealed) texts of the address and notes of these signals, as they are in the file."""
    async with app.sessions() as session:
        rows = (await session.execute(select(type_coerce(Signal.postcode, Text), type_coerce(Signal.house, Text))
                                      .where(Signal.id.in_(signal_ids)))).all()
        notes = (await session.scalars(select(type_coerce(Report.note, Text)).where(
            Report.signal_id.in_(signal_ids), Report.note.is_not(None)))).all()
        entries = (await session.scalars(select(type_coerce(CaseEntry.text, Text)).where(
            CaseEntry.signal_id.in_(signal_ids), CaseEntry.text.is_not(None)))).all()
    return [value.encode() for row in rows for value in row] + [text.encode() for text in [*notes, *entries]]


@pytest.mark.parametrize("engine", ["sqlite"], indirect=True)
async def test_three_years_on_no_house_number_note_or_phone_is_left_in_the_files(app: Omzien, monkeypatch,
                                                                                  capsys) -> None:
    await played(app)  # the bot's own connections stay open, as they do while it runs
    async with app.sessions.begin() as session:
        closed_ids = list(await session.scalars(select(Signal.id).where(Signal.status == "closed")))
        await followup.add_entry(session, closed_ids[0], None, "note", app.clock(), text=ENTRY)
    assert [secret for secret in SECRETS if secret in database_bytes(app)] == [], "sealed at rest, from the start"
    sealed = await sealed_values(app, closed_ids)
    assert len(sealed) == 7 and all(value.startswith(b"s1.") and value in database_bytes(app) for value in sealed)

    assert await asyncio.to_thread(purge, app, monkeypatch, "--at", "2026-12-20T09:00") == 0
    assert json.loads(capsys.readouterr().out)["signals_anonymised"] == 0, "not yet 90 days after closing"
    assert await asyncio.to_thread(purge, app, monkeypatch, "--at", "2029-12-01T09:00", "--dry-run") == 0
    counted = json.loads(capsys.readouterr().out)
    assert counted["signals_anonymised"] == 2 and all(value in database_bytes(app) for value in sealed), "dry run"

    assert await asyncio.to_thread(purge, app, monkeypatch, "--at", "2029-12-01T09:00") == 0
    printed = capsys.readouterr().out
    assert json.loads(printed)["signals_anonymised"] == 2 and "3044" not in printed, "counts only"
    left = database_bytes(app)
    assert [value for value in sealed if value in left] == [], "not even the sealed bytes are left"
    async with app.sessions() as session:
        kept = await session.scalar(select(Signal).where(Signal.status == "new"))
        assert (kept.postcode, kept.house) == ("3046EF", "3"), "an open signal keeps its address"

    async with app.sessions() as session:
        closed = (await session.scalars(select(Signal).where(Signal.status == "closed"))).all()
        assert {s.area for s in closed} == {3044, 3045} and all(s.outcome == "declined" for s in closed)
        assert all(s.house == "" and s.claimed_by is None for s in closed)
        reports = (await session.scalars(select(Report).where(Report.signal_id.in_([s.id for s in closed])))).all()
        assert all(r.note is None and r.reporter_id is None and r.observations for r in reports)
        assert not (await session.scalars(select(Event.actor_id).where(
            Event.signal_id.in_([s.id for s in closed]), Event.actor_id.is_not(None)))).all()
        names = {a.first_name for a in (await session.scalars(select(Account))).all()}
        assert not {"Mia", "Anna"} & names, "accounts not used for a year that nothing open needs are gone"
        assert "Piet" in names, "the reporter of the open signal stays"


async def test_a_resident_who_objects_is_erased_everywhere_and_the_officer_can_read_the_history(
        app: Omzien, monkeypatch, capsys) -> None:
    await played(app)
    async with app.sessions() as session:
        reference = await session.scalar(select(Signal.reference).where(Signal.address_key == "3046EF 3"))
    monkeypatch.setenv("OMZIEN_DATABASE_URL", str(app.sessions.kw["bind"].url))
    assert await asyncio.to_thread(main, ["signals", "erase", "--address", "3046 EF 3"]) == 0
    assert reference in capsys.readouterr().out
    async with app.sessions() as session:
        erased = await session.scalar(select(Signal).where(Signal.reference == reference))
        assert erased.house == "" and erased.status == "closed" and erased.area == 3046
    assert await asyncio.to_thread(main, ["audit", reference]) == 0
    history = capsys.readouterr().out
    assert "reported" in history and "erased" in history and "3046" not in history
    assert await asyncio.to_thread(main, ["audit", "S-NONE"]) == 2


async def test_privacy_says_in_plain_words_what_is_kept_and_for_how_long(app: Omzien) -> None:
    mia = app.person("Mia")
    await mia.says("/privacy")
    text = mia.sees().text
    assert "90 dagen" in text and "Alleen de medewerker" in text and "Wat u typt, bewaar ik niet" in text


async def test_a_signaller_sees_their_reports_and_can_be_forgotten(app: Omzien) -> None:
    anna, piet = app.person("Anna"), app.person("Piet")
    await linked_group(app, anna)
    await piet.says("/start")
    await piet.taps("Ik maak me zorgen om iemand")
    await piet.taps("Bezorging")
    await piet.taps("Postbode")
    await report(piet, "3044 AB 287-2", note=NOTE)
    await piet.says("/mijngegevens")
    mine = piet.sees().text
    assert "Piet" in mine and "S-" in mine and "wacht op een medewerker" in mine
    assert "3044" not in mine and "Zwaluwstaart" not in mine, "nothing about the resident"
    await piet.says("/vergeetmij")
    await piet.taps("Nee")
    assert "niet" in piet.sees().text
    await piet.says("/vergeetmij")
    await piet.taps("Ja, vergeet mij")
    assert "U bent vergeten" in piet.sees().text
    async with app.sessions() as session:
        assert await session.get(Account, piet.user.id) is None
        report_row = await session.scalar(select(Report))
        assert report_row.reporter_id is None and report_row.note == NOTE, "the signal point keeps the report"


async def test_what_still_waits_about_an_erased_address_is_never_sent(app: Omzien, monkeypatch) -> None:
    await played(app)
    async with app.sessions.begin() as session:
        signal = await session.scalar(select(Signal).where(Signal.address_key == "3046EF 3"))
        session.add(OutboxMessage(chat_id=4242, method="send", payload={"text": "3046 EF 3"}, signal_id=signal.id,
                                  purpose="address"))
    monkeypatch.setenv("OMZIEN_DATABASE_URL", str(app.sessions.kw["bind"].url))
    assert await asyncio.to_thread(main, ["signals", "erase", "--address", "3046 EF 3"]) == 0
    async with app.sessions() as session:
        waiting = await session.scalar(select(OutboxMessage).where(OutboxMessage.chat_id == 4242))
        assert waiting.status == "dropped" and waiting.payload == {}
