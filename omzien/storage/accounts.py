"""Accounts: the Telegram users Omzien knows, their role and language, and whether it may write to them."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import or_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from omzien.storage.models import Account, Report, Signal

if TYPE_CHECKING:
    from aiogram.types import User  # the command line uses this module too: aiogram is loaded by the bot only

SEEN_STEP = timedelta(hours=1)
"""``seen_at`` moves on in steps of this: the privacy rules count in days, and an update need not write it."""


async def seen(session: AsyncSession, user: User, *, private_message: bool, now: datetime) -> Account:
    """The account of ``user``, created on first sight; a private message means the bot may write back.

    Written only when something changed (a name, a language, an hour since ``seen_at``)."""
    account = await session.get(Account, user.id)
    if account is None:  # the same person's two first updates may be handled at once (several instances)
        insert = pg_insert if session.bind.dialect.name == "postgresql" else sqlite_insert
        await session.execute(insert(Account).values(id=user.id, created_at=now, first_name=user.first_name[:64])
                              .on_conflict_do_nothing(index_elements=[Account.id]))
        account = await session.get_one(Account, user.id)
    changes: dict[str, Any] = {"first_name": user.first_name[:64], "username": user.username,
                               "telegram_language": user.language_code}
    if account.seen_at is None or now - account.seen_at >= SEEN_STEP or now < account.seen_at:
        changes["seen_at"] = now
    if private_message:
        changes.update(started_at=account.started_at or now, blocked_at=None)
    for name, value in changes.items():
        if getattr(account, name) != value:  # an attribute set to what it was still costs the flush its work
            setattr(account, name, value)
    return account


async def account(session: AsyncSession, user_id: int) -> Account | None:
    return await session.get(Account, user_id)


async def by_ids(session: AsyncSession, user_ids: Collection[int]) -> dict[int, Account]:
    """The accounts of these ids that exist, in one statement."""
    if not user_ids:
        return {}
    return {found.id: found for found in await session.scalars(select(Account).where(Account.id.in_(user_ids)))}


def hold_claims(account: Account, now: datetime) -> None:
    account.claims_held_at = now


def allow_claims(account: Account, now: datetime) -> None:
    account.claims_held_at, account.claims_allowed_at = None, now


def hold_reports(account: Account, now: datetime) -> None:
    account.reports_held_at = now


def allow_reports(account: Account, now: datetime) -> None:
    account.reports_held_at, account.reports_allowed_at = None, now


async def mark_blocked(session: AsyncSession, user_id: int, now: datetime) -> None:
    account = await session.get(Account, user_id)
    if account is not None:
        account.blocked_at = now


def count_report(account: Account) -> int:
    """One more report by this account; how many it made so far."""
    account.reports_made = (account.reports_made or 0) + 1
    return account.reports_made


def agree_to_monthly_thanks(account: Account, yes: bool) -> None:
    account.monthly_thanks = yes


async def monthly_thanks_due(session: AsyncSession, month_start: datetime) -> list[tuple[Account, list[int]]]:
    """Signallers who agreed to the monthly message, can be written to and had none since ``month_start``, each
    with the 4-digit areas of their reports (never more than the area). Locked, so two runs send it once."""
    due = (await session.scalars(
        select(Account).where(Account.monthly_thanks.is_(True), Account.started_at.is_not(None),
                              Account.blocked_at.is_(None),
                              or_(Account.monthly_thanks_at.is_(None), Account.monthly_thanks_at < month_start))
        .order_by(Account.id).with_for_update(skip_locked=True))).all()
    areas: dict[int, list[int]] = {account.id: [] for account in due}
    if due:
        for reporter, area in await session.execute(
                select(Report.reporter_id, Signal.area).join(Report.signal)
                .where(Report.reporter_id.in_(list(areas))).distinct()):
            areas[reporter].append(area)
    return [(account, sorted(areas[account.id])) for account in due]


def monthly_thanked(account: Account, now: datetime) -> None:
    account.monthly_thanks_at = now
