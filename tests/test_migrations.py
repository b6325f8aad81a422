"""The Alembic migrations build exactly the schema the models describe."""

from __future__ import annotations

from datetime import UTC, datetime

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

from omzien.core.i18n import load_i18n
from omzien.services import sweep
from omzien.storage.db import _alembic_config, session_factory, upgrade
from omzien.storage.models import Base, Signal


async def test_migrations_match_the_models(engine) -> None:
    await upgrade(engine)  # a second upgrade changes nothing
    async with engine.connect() as connection:
        differences = await connection.run_sync(
            lambda sync: compare_metadata(MigrationContext.configure(sync), Base.metadata))
    assert differences == []


async def test_signals_open_before_the_clock_existed_get_their_deadlines_from_the_first_sweep(engine) -> None:
    async with engine.begin() as connection:
        await connection.run_sync(lambda sync: command.downgrade(_alembic_config(sync), "0001"))
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
