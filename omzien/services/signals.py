"""Every change of a signal, one function per use case.

Each checks what the person may do, asks storage to make the change (which validates it against
``flows.signal.TRANSITIONS`` and writes the event row), ends in one ``publish`` that tells whoever
must hear of it, and returns a small result for the handler to answer the person with.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from omzien.core.i18n import I18n
from omzien.flows.report import ReportDraft
from omzien.flows.signal import (
    CLAIMER_OUTCOMES,
    REPORT_LIMIT,
    REPORT_WINDOW,
    Action,
    Forward,
    Outcome,
    PauseReason,
    Status,
    allowed,
    held,
)
from omzien.services.facts import signal_facts
from omzien.services.publish import Change, publish, tell_coordinators_of_claims, tell_coordinators_of_leaving
from omzien.storage import accounts, followup, points, signals
from omzien.storage.models import Account
from omzien.views.facts import SignalFacts

MemberCheck = Callable[[int, int], Awaitable[bool]]
"""Whether a user is in a group now (chat id, user id); raises LookupError when that cannot be known."""


@dataclass(frozen=True)
class Reported:
    reference: str
    area: int
    point: str | None  # None: no point covers the area yet
    new: bool  # False: it joined an open signal on the same address
    on_hold: bool = False  # the reporter reported unusually much: a coordinator looks first
    reports_made: int = 0  # by this reporter, this one included (for the thank-you lines)


async def report(session: AsyncSession, i18n: I18n, draft: ReportDraft, reporter_id: int, now: datetime,
                 window: timedelta) -> Reported:
    """A finished report: a new signal, or another report on the open one for the same address.

    Past ``REPORT_LIMIT`` reports within ``REPORT_WINDOW`` a reporter's new signals are put on hold until a
    coordinator of the point lets them through; the coordinators hear of the first one at once. A report that
    joins an open signal adds no card, so it is never held."""
    filed = await signals.file_report(session, draft, reporter_id, now, window,
                                      on_hold=await _reports_held(session, reporter_id, now))
    reporter = await accounts.account(session, reporter_id)
    made = accounts.count_report(reporter) if reporter is not None else 0
    if filed.signal.status == Status.ON_HOLD:
        first = len(await signals.on_hold_from(session, reporter_id, filed.signal.point_id)) == 1
        signal = await publish(session, i18n, filed.signal.id, Change.ON_HOLD if first else Change.HELD_AGAIN, now)
    else:
        change = Change.URGENT_REPORT if filed.made_urgent else Change.REPORTED if filed.created else \
            Change.REPORTED_AGAIN
        signal = await publish(session, i18n, filed.signal.id, change, now)
    return Reported(signal.reference, signal.area, signal.point.name if signal.point else None, filed.created,
                    on_hold=signal.status == Status.ON_HOLD, reports_made=made)


async def _reports_held(session: AsyncSession, reporter_id: int, now: datetime) -> bool:
    """Whether this reporter's new signals wait on hold; the report past the limit starts it."""
    reporter = await accounts.account(session, reporter_id)
    if reporter is None:
        return False
    if reporter.reports_held_at is not None:
        return True
    since = now - REPORT_WINDOW
    if reporter.reports_allowed_at is not None:
        since = max(since, reporter.reports_allowed_at)
    if await signals.reports_since(session, reporter_id, since) < REPORT_LIMIT:
        return False
    accounts.hold_reports(reporter, now)
    return True


async def decide_on_hold(session: AsyncSession, i18n: I18n, coordinator_id: int, reporter_id: int, point_id: int,
                         let_through: bool, now: datetime) -> int | None:
    """A coordinator of the point lets a reporter's signals on hold through to the group (and counts their reports
    again from now), or sets them aside. How many, or None if they are no coordinator of that point."""
    point = await points.point_by_id(session, point_id)
    if point is None or coordinator_id not in point.coordinators:
        return None
    waiting = await signals.on_hold_from(session, reporter_id, point_id)
    for signal in waiting:
        if let_through and await signals.let_through(session, signal.id, coordinator_id, now):
            await publish(session, i18n, signal.id, Change.LET_THROUGH, now)
        elif not let_through and await signals.set_aside(session, signal.id, coordinator_id, now):
            await publish(session, i18n, signal.id, Change.SET_ASIDE, now)
    reporter = await accounts.account(session, reporter_id)
    if let_through and reporter is not None:
        accounts.allow_reports(reporter, now)
    return len(waiting)


class ClaimResult(StrEnum):
    WON = "won"
    ALREADY_YOURS = "yours"
    TAKEN = "taken"  # by someone else: ``holder`` says who
    NOT_OPEN = "not_open"
    NOT_THIS_GROUP = "not_this_group"  # the button was pressed outside the group of the signal's point
    NOT_A_MEMBER = "not_a_member"  # the worker is not (or no longer) in that group
    HELD = "held"  # the worker claimed unusually much: a coordinator must allow more
    MEMBERSHIP_UNKNOWN = "membership_unknown"  # Telegram could not say just now


@dataclass(frozen=True)
class Claim:
    result: ClaimResult
    reference: str = ""
    holder: str = ""  # who has it, when it was taken
    address_sent: bool = False  # False after a win: the worker must start a chat with the bot first


async def claim(session: AsyncSession, i18n: I18n, signal_id: int, worker: Account, chat_id: int,
                now: datetime, member_of: MemberCheck) -> Claim:
    """Only a current member of the linked group of the point that owns the signal may claim it; of two workers
    who tap at once, the database lets exactly one have it."""
    signal = await signals.get_signal(session, signal_id)
    if signal is None or signal.point is None or signal.point.group_chat_id != chat_id:
        return Claim(ClaimResult.NOT_THIS_GROUP)
    try:
        if not await member_of(chat_id, worker.id):
            return Claim(ClaimResult.NOT_A_MEMBER)
    except LookupError:
        return Claim(ClaimResult.MEMBERSHIP_UNKNOWN)
    point = signal.point
    if worker.claims_held_at is not None:
        return Claim(ClaimResult.HELD)
    since = now - timedelta(minutes=point.claim_window_minutes)
    if worker.claims_allowed_at is not None:
        since = max(since, worker.claims_allowed_at)
    if await signals.claims_since(session, worker.id, since) >= point.claim_limit:
        accounts.hold_claims(worker, now)
        await tell_coordinators_of_claims(session, i18n, point, worker, now)
        return Claim(ClaimResult.HELD)
    if not await signals.claim(session, signal.id, worker.id, now):
        signal = await signals.get_signal(session, signal_id)
        assert signal is not None
        if held(signal.status) and signal.claimer is not None:
            mine = signal.claimed_by == worker.id
            return Claim(ClaimResult.ALREADY_YOURS if mine else ClaimResult.TAKEN, signal.reference,
                         signal.claimer.first_name)
        return Claim(ClaimResult.NOT_OPEN, signal.reference)
    signal = await publish(session, i18n, signal.id, Change.CLAIMED, now)
    return Claim(ClaimResult.WON, signal.reference, address_sent=signal.address_delivered)


async def allow_claims(session: AsyncSession, coordinator_id: int, worker_id: int, now: datetime) -> bool:
    """A coordinator of a point lets a held worker claim again; False if they are no coordinator."""
    if not await points.coordinates_any(session, coordinator_id):
        return False
    worker = await accounts.account(session, worker_id)
    if worker is not None:
        accounts.allow_claims(worker, now)
    return True


async def release(session: AsyncSession, i18n: I18n, signal_id: int, worker_id: int, now: datetime) -> str | None:
    """The claimer gives it back: it waits in the group again, with a new claim window. Its reference, or None
    if it is not (or no longer) theirs."""
    if not await signals.release(session, signal_id, worker_id, now):
        return None
    return (await publish(session, i18n, signal_id, Change.RELEASED, now)).reference


async def close(session: AsyncSession, i18n: I18n, signal_id: int, worker_id: int, outcome: Outcome,
                now: datetime, *, offers: Sequence[str] = (), forwarded_to: Forward | None = None) -> str | None:
    """The claimer records the outcome: a referral names the offers chosen, a forward where it went. It plans the
    follow-up check and the resident's "did it help?" where they apply. Its reference, or None if it is not (or no
    longer) theirs, or the outcome lacks what it needs."""
    if outcome not in CLAIMER_OUTCOMES or (outcome is Outcome.REFERRED) != bool(offers) \
            or (outcome is Outcome.FORWARDED) != (forwarded_to is not None):
        return None
    if not await signals.close(session, signal_id, worker_id, outcome, now, forwarded_to=forwarded_to):
        return None
    signal = await signals.get_signal(session, signal_id)
    assert signal is not None
    followup.refer(session, signal, offers, worker_id, now)
    followup.plan_after_close(signal, now)
    return (await publish(session, i18n, signal_id, Change.CLOSED, now)).reference


class ContactResult(StrEnum):
    RECORDED = "recorded"
    ALREADY = "already"
    NOT_YOURS = "not_yours"


async def record_contact(session: AsyncSession, i18n: I18n, signal_id: int, worker_id: int,
                         now: datetime) -> tuple[ContactResult, str]:
    """The claimer spoke with the person; the signal stays open until an outcome. Recording it a second time
    changes nothing, so nobody hears of it."""
    signal = await signals.held_by(session, signal_id, worker_id, Action.CONTACT)
    if signal is None:
        return ContactResult.NOT_YOURS, ""
    if signal.contacted_at is not None:
        return ContactResult.ALREADY, signal.reference
    await signals.record_contact(session, signal_id, worker_id, now)
    await publish(session, i18n, signal_id, Change.CONTACTED, now)
    return ContactResult.RECORDED, signal.reference


async def pause(session: AsyncSession, i18n: I18n, signal_id: int, worker_id: int, reason: PauseReason,
                now: datetime) -> SignalFacts | None:
    """Hold the reminders for a working week; None if the signal is not (or no longer) theirs."""
    if await signals.pause(session, signal_id, worker_id, reason, now) is None:
        return None
    return signal_facts(await publish(session, i18n, signal_id, Change.PAUSED, now), now)


async def held_for(session: AsyncSession, signal_id: int, worker_id: int, action: Action,
                   now: datetime) -> SignalFacts | None:
    """The signal as its claimer sees it, if they hold it and may do ``action`` now; nothing changes."""
    signal = await signals.get_signal(session, signal_id)
    if signal is None or signal.claimed_by != worker_id or not allowed(signal.status, action):
        return None
    return signal_facts(signal, now)


async def show_case(session: AsyncSession, i18n: I18n, signal_id: int, worker_id: int, now: datetime) -> bool:
    """The claimer asks for the address and the buttons again; False if it is not (or no longer) theirs."""
    if await held_for(session, signal_id, worker_id, Action.RELEASE, now) is None:
        return False
    await publish(session, i18n, signal_id, Change.CASE_ASKED, now)
    return True


async def worker_started(session: AsyncSession, i18n: I18n, worker_id: int, now: datetime) -> None:
    """A worker started a chat with the bot: the addresses of what they claimed before go to them now."""
    for signal in await signals.undelivered_addresses(session, worker_id):
        await publish(session, i18n, signal.id, Change.WORKER_STARTED, now)


async def worker_left(session: AsyncSession, i18n: I18n, group_chat_id: int, worker_id: int,
                      now: datetime) -> int:
    """A worker left the point's group or was removed: what they held goes back to the group, every copy of its
    address is withdrawn, and the coordinators hear of it. Returns how many signals went back."""
    point = await points.point_of_group(session, group_chat_id)
    if point is None:
        return 0
    released = []
    for signal in await signals.held_at(session, point.id, worker_id):
        if await signals.release(session, signal.id, worker_id, now, reason="left_group"):
            released.append(await publish(session, i18n, signal.id, Change.WORKER_LEFT, now))
    if released:
        await tell_coordinators_of_leaving(session, i18n, point, released, now)
    return len(released)


async def route_waiting(session: AsyncSession, i18n: I18n, now: datetime) -> int:
    """Signals that waited for a point covering their area go to it (after a point was added)."""
    routed = await signals.route_unrouted(session, now)
    for signal in routed:
        await publish(session, i18n, signal.id, Change.ROUTED, now)
    return len(routed)
