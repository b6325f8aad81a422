"""Accounts: the Telegram users Omzien knows, their role and language, and whether it may write to them."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from aiogram.types import User
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from omzien.storage.models import Account


async def seen(session: AsyncSession, user: User, *, private_message: bool, now: datetime) -> Account:
    """The account of ``user``, created on first sight; a private message means the bot may write back."""
    account = await session.get(Account, user.id)
    if account is None:
        account = Account(id=user.id, created_at=now)
        session.add(account)
    account.first_name = user.first_name[:64]
    account.username = user.username
    account.telegram_language = user.language_code
    account.seen_at = now
    if private_message:
        account.started_at = account.started_at or now
        account.blocked_at = None
    await session.flush()
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
