"""The Alembic migrations build exactly the schema the models describe."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import select, text

from omzien.core.i18n import load_i18n
from omzien.services import sweep
from omzien.storage.db import migrate, session_factory, upgrade
from omzien.storage.models import Base, OutboxMessage, Signal


async def test_migrations_match_the_models(engine) -> None:
    await upgrade(engine)  # a second upgrade changes nothing
    async with engine.connect() as connection:
        differences = await connection.run_sync(
            lambda sync: compare_metadata(MigrationContext.configure(sync), Base.metadata))
    assert differences == []


async def test_signals_open_before_the_clock_existed_get_their_deadlines_from_the_first_sweep(engine) -> None:
    await migrate(engine, command.downgrade, "0001")
    async with engine.begin() as connection:
        await connection.execute(text(
            "INSERT INTO points (id, name, group_chat_id, created_at) VALUES (1, 'Noord', -100, :at)"),
            {"at": datetime(2026, 11, 1)})
        await connection.execute(text(
            "INSERT INTO accounts (id, first_name, created_at) VALUES (7, 'Piet', :at)"), {"at": datetime(2026, 11, 1)})
        await connection.execute(text(
            "INSERT INTO signals (id, reference, point_id, status, postcode, house, area, address_key,"
            " address_delivered, created_at) VALUES (1, 'S-OUD1', 1, 'new', '3044AB', '1', 3044, '3044AB1', false,"
            " :at)"), {"at": datetime(2026, 11, 20, 9, 0)})  # Friday 10:00 in Amsterdam
    await upgrade(engine)
    sessions = session_factory(engine)
    async with sessions() as session:
        signal = await session.get_one(Signal, 1)
        assert signal.next_alert == "plan"
    counts = await sweep.sweep(sessions, load_i18n(), datetime(2026, 11, 23, 8, 0, tzinfo=UTC))
    assert counts.get("claim_due") is None, "what passed before the upgrade is not sent late"
    async with sessions() as session:
        signal = await session.get_one(Signal, 1, populate_existing=True)
        assert signal.due_claim_at == datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # Monday 10:00
        assert signal.next_alert == "claim_due"


async def test_what_was_stored_in_plain_text_is_sealed_by_the_upgrade_and_opened_again_going_back(engine) -> None:
    async def raw() -> tuple:
        async with engine.connect() as connection:
            return (*(await connection.execute(text("SELECT postcode, house, address_key FROM signals"))).one(),
                    await connection.scalar(text("SELECT note FROM reports")),
                    await connection.scalar(text("SELECT payload FROM outbox")),
                    await connection.scalar(text("SELECT data FROM conversation_states")))

    await migrate(engine, command.downgrade, "0005")
    async with engine.begin() as connection:
        at = {"at": datetime(2026, 11, 1)}
        await connection.execute(text("INSERT INTO accounts (id, first_name, created_at) VALUES (7, 'Piet', :at)"), at)
        await connection.execute(text(
            "INSERT INTO signals (id, reference, status, postcode, house, area, address_key, address_delivered,"
            " created_at) VALUES (1, 'S-OUD1', 'unrouted', '3044AB', '12-A', 3044, '3044AB 12-A', false, :at)"), at)
        await connection.execute(text(
            "INSERT INTO reports (id, signal_id, reporter_id, observations, consent, note, may_contact, created_at)"
            " VALUES (1, 1, 7, '[\"inside\"]', 'yes', 'Bel 0612345678', true, :at)"), at)
        await connection.execute(text(
            "INSERT INTO outbox (id, chat_id, method, payload, purpose, version, status, attempts, in_doubt,"
            " created_at) VALUES (1, 7, 'send', '{\"text\": \"3044 AB 12-A\"}', 'address', 1, 'pending', 0, false,"
            " :at)"), at)
        await connection.execute(text(
            "INSERT INTO conversation_states (key, state, data, updated_at)"
            " VALUES ('1:7:7::default', 'Reporting:note', '{\"postcode\": \"3044AB\"}', :at)"), at)
    before = await raw()
    assert before[:2] == ("3044AB", "12-A") and "0612345678" in before[3]

    await upgrade(engine)
    sealed = await raw()
    assert all(value.startswith("s1.") for value in sealed[:2] + sealed[3:])
    assert not any(secret in "".join(sealed) for secret in ("3044AB", "12-A", "0612345678")), "nothing in plain text"
    async with session_factory(engine)() as session:
        signal = await session.scalar(select(Signal).where(Signal.address_key == "3044AB 12-A"))
        assert (signal.postcode, signal.house, signal.reports[0].note) == ("3044AB", "12-A", "Bel 0612345678")
        assert (await session.get_one(OutboxMessage, 1)).payload == {"text": "3044 AB 12-A"}

    await migrate(engine, command.downgrade, "0005")
    opened = await raw()
    assert opened[:3] == before[:3] and opened[3] == before[3]
    as_json = [value if isinstance(value, dict) else json.loads(value) for value in opened[4:] + before[4:]]
    assert as_json[:2] == as_json[2:] == [{"text": "3044 AB 12-A"}, {"postcode": "3044AB"}]


async def test_the_working_hours_of_signals_from_before_are_worked_out_from_their_events(engine) -> None:
    """Reported Monday 23 November 10:30, claimed 12:30, closed Wednesday 12:30 (two working hours, then 16):
    the upgrade writes what ``omzien sla report`` used to work out from the events every time."""
    await migrate(engine, command.downgrade, "0009")
    async with engine.begin() as connection:
        await connection.execute(text(
            "INSERT INTO points (id, name, group_chat_id, created_at) VALUES (1, 'Noord', -100, :at)"),
            {"at": datetime(2026, 11, 1)})
        await connection.execute(text(
            "INSERT INTO signals (id, reference, point_id, status, postcode, house, area, address_key,"
            " address_delivered, created_at) VALUES (1, 'S-OUD1', 1, 'closed', '', '', 3044, 'x', false, :at),"
            " (2, 'S-OUD2', 1, 'new', '', '', 3044, 'y', false, :at)"), {"at": datetime(2026, 11, 23, 9, 30)})
        for signal_id, kind, at in ((1, "reported", datetime(2026, 11, 23, 9, 30)),
                                    (1, "claimed", datetime(2026, 11, 23, 11, 30)),
                                    (1, "closed", datetime(2026, 11, 25, 11, 30)),
                                    (2, "reported", datetime(2026, 11, 23, 9, 30))):
            await connection.execute(text("INSERT INTO events (signal_id, at, kind) VALUES (:id, :at, :kind)"),
                                     {"id": signal_id, "at": at, "kind": kind})
    await upgrade(engine)
    async with engine.connect() as connection:
        hours = (await connection.execute(text("SELECT id, claim_hours, contact_hours FROM signals ORDER BY id"))).all()
    assert [tuple(row) for row in hours] == [(1, 2.0, 18.0), (2, None, None)]
