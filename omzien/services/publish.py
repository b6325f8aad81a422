"""Who hears of a change of a signal: the one place that decides it.

Every use case in ``omzien.services.signals`` ends in one ``publish(signal, change)``, in the
transaction of the change, so what people are told never runs ahead of what is stored.

| change           | group card       | group overview | reporters who asked to hear | the worker who holds it         |
|------------------|------------------|----------------|-----------------------------|---------------------------------|
| REPORTED         | posted           | refreshed      | —                           | —                               |
| REPORTED_AGAIN   | edited (n×)      | refreshed      | —                           | the case again, if they have it |
| URGENT_REPORT    | posted or edited | refreshed      | —                           | the case again, if they have it |
| ROUTED           | posted           | refreshed      | —                           | —                               |
| ON_HOLD          | —                | —              | —  (coordinators: told)     | —                               |
| HELD_AGAIN       | —                | —              | —                           | —                               |
| LET_THROUGH      | posted           | refreshed      | —                           | —                               |
| SET_ASIDE        | —                | —              | —                           | —                               |
| CLAIMED          | edited           | refreshed      | "opgepakt"                  | address and notes (1)           |
| RELEASED         | edited           | refreshed      | —                           | every address copy withdrawn    |
| WORKER_LEFT      | edited           | refreshed      | —  (coordinators: told (2)) | every address copy withdrawn    |
| CONTACTED        | edited           | refreshed      | —                           | —                               |
| PAUSED           | edited           | refreshed      | —                           | —                               |
| CLOSED           | edited           | refreshed      | "afgerond"                  | every address copy withdrawn    |
| GROUP_LINKED     | posted           | —              | —                           | —                               |
| CASE_ASKED       | —                | —              | —                           | the case again                  |
| WORKER_STARTED   | —                | —              | —                           | address and notes (1)           |

- *posted/edited*: the card is posted once and edited in place ever after (``outbox.put_card``); a
  signal whose point has no linked group yet gets its card when the group is linked (GROUP_LINKED).
- *refreshed*: the overview is edited in place, if the group has one; a new overview is only posted
  by the clock (``omzien.services.sweep``, at most one new message per group per sweep) or on /open.
- *told (2)*: once per leave, in one message for everything the worker held (``tell_coordinators_of_leaving``).
- *address and notes (1)*: only to a worker who started a chat with the bot and did not block it;
  otherwise the address waits until they do (WORKER_STARTED). The person who acted is answered by
  the handler (a callback answer, the link to start the bot, the edited case message).
- *withdrawn*: every message that carried the address to the claimer (the case, sent again on request or
  with a later report) is edited to say it was withdrawn; one still waiting is not sent. Address messages
  are sent with ``protect_content``, so Telegram does not let them be forwarded or saved.
- ON_HOLD is the first signal of a reporter who reported more than ``REPORT_LIMIT`` times within the hour: the
  point's coordinators get one message with *Doorlaten* and *Apart zetten* for all that reporter's signals on
  hold there (HELD_AGAIN: the next ones, which that message covers). Until one of them decides, the group sees
  nothing of them (LET_THROUGH: the cards come; SET_ASIDE: closed unseen).
- Reporters hear only whether it was picked up and closed — never the address, a note or the outcome.
- An unrouted signal has no audience: the administrator finds it with ``omzien signals unrouted``.
- URGENT_REPORT is a report (new or again) with words that point to a crisis: the card says "dringend"
  (never the words), and the point's coordinators hear of it at once, privately; so they do of WORKER_LEFT
  (a claimer who left the group or was removed: what they held is back in the group). Otherwise coordinators
  and the regional fallback contact hear only from the clock, gathered per person.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from enum import StrEnum

from aiogram.utils.i18n import I18n
from sqlalchemy.ext.asyncio import AsyncSession

from omzien.core.i18n import pick_locale
from omzien.flows.signal import REPORT_LIMIT, Observation, held
from omzien.services.facts import case_facts, overview_facts, signal_facts
from omzien.storage import outbox, signals, sla
from omzien.storage.models import Account, Point, Signal
from omzien.views.case import case_payload, withdrawn_payload
from omzien.views.coordinator import claims_held_payload, handed_back_payload, reports_held_payload, urgent_payload
from omzien.views.group import MAX_LISTED, card_payload, overview_payload, replaced_overview_payload
from omzien.views.report import reporter_news_payload


class Change(StrEnum):
    REPORTED = "reported"
    REPORTED_AGAIN = "reported_again"
    URGENT_REPORT = "urgent_report"
    ROUTED = "routed"
    CLAIMED = "claimed"
    RELEASED = "released"
    WORKER_LEFT = "worker_left"  # given back because the claimer is no longer in the group
    CONTACTED = "contacted"
    PAUSED = "paused"
    CLOSED = "closed"
    GROUP_LINKED = "group_linked"
    CASE_ASKED = "case_asked"
    WORKER_STARTED = "worker_started"
    ON_HOLD = "on_hold"  # the first signal on hold of a reporter who reported unusually much
    HELD_AGAIN = "held_again"
    LET_THROUGH = "let_through"
    SET_ASIDE = "set_aside"


CARD = frozenset(Change) - {Change.CASE_ASKED, Change.WORKER_STARTED, Change.ON_HOLD, Change.HELD_AGAIN,
                            Change.SET_ASIDE}
OVERVIEW = CARD - {Change.GROUP_LINKED}
REPORTERS = {Change.CLAIMED: False, Change.CLOSED: True}  # the value: whether it is the news of closing
CASE = {Change.CLAIMED, Change.CASE_ASKED, Change.WORKER_STARTED}
WITHDRAW = {Change.RELEASED, Change.WORKER_LEFT, Change.CLOSED}  # the claim ended: every copy of the address goes
AGAIN = {Change.REPORTED_AGAIN, Change.URGENT_REPORT}  # a report joined the signal: its claimer sees it too


async def publish(session: AsyncSession, i18n: I18n, signal_id: int, change: Change, now: datetime) -> Signal:
    """Tell every audience the table above names of ``change``; returns the signal as it now stands."""
    signal = await signals.get_signal(session, signal_id)
    assert signal is not None
    point = signal.point
    if point is None:  # unrouted: nobody to tell yet
        return signal
    if change in CARD and point.group_chat_id is not None:
        with speaking_to(i18n, None):
            await outbox.put_card(session, signal, point.group_chat_id, card_payload(signal_facts(signal, now)))
    if change in OVERVIEW:
        await refresh_overview(session, point, i18n, now)
    if change in REPORTERS:
        _tell_reporters(session, signal, i18n, closed=REPORTERS[change])
    if change in CASE or (change in AGAIN and signal.address_delivered):
        _send_case(session, signal, i18n, now)
    if change in (Change.URGENT_REPORT, Change.ON_HOLD):
        await _tell_coordinators(session, signal, i18n, now, change)
    if change in WITHDRAW:
        with speaking_to(i18n, signal.claimer):
            await outbox.withdraw(session, signal.id, "address", withdrawn_payload(signal.reference))
    return signal


@contextmanager
def speaking_to(i18n: I18n, account: Account | None) -> Iterator[None]:
    """Render in the language of ``account`` (None: the group's, which is the default language)."""
    locale = i18n.default_locale if account is None else pick_locale(
        account.language, account.telegram_language, i18n.default_locale)
    with i18n.context(), i18n.use_locale(locale):
        yield


async def refresh_overview(session: AsyncSession, point: Point, i18n: I18n, now: datetime,
                           post_new: bool = False, force: bool = False) -> bool:
    """Re-render the point's overview: edited in place, or (``post_new``) posted anew if it is not current."""
    if point.group_chat_id is None or (not post_new and point.overview_outbox_id is None):
        return False
    overview = await sla.overview(session, point.id, now, shown=MAX_LISTED)
    with speaking_to(i18n, None):
        return await outbox.put_overview(
            session, point, overview_payload(overview_facts(point, overview, now), now), now, post_new,
            replaced=replaced_overview_payload(), force=force)


def _tell_reporters(session: AsyncSession, signal: Signal, i18n: I18n, closed: bool) -> None:
    told: set[int] = set()
    for report in signal.reports:
        reporter = report.reporter
        if reporter is None or not report.may_contact or reporter.blocked_at or reporter.started_at is None \
                or reporter.id in told:
            continue
        told.add(reporter.id)
        with speaking_to(i18n, reporter):
            call_back = Observation.ASKS_FOR_CALL in report.observations
            outbox.send(session, reporter.id, reporter_news_payload(signal.reference, signal.point.name, closed,
                                                                    call_back))


async def _tell_coordinators(session: AsyncSession, signal: Signal, i18n: I18n, now: datetime,
                             change: Change) -> None:
    point = signal.point
    assert point is not None
    facts = signal_facts(signal, now)
    reporter = signal.reports[-1].reporter
    for user_id in point.coordinators:
        with speaking_to(i18n, await session.get(Account, user_id)):
            if change is Change.URGENT_REPORT:
                outbox.send(session, user_id, urgent_payload(point.name, facts))
            elif reporter is not None:
                outbox.send(session, user_id, reports_held_payload(point.name, point.id, reporter.first_name,
                                                                   reporter.id, REPORT_LIMIT))


async def tell_coordinators_of_leaving(session: AsyncSession, i18n: I18n, point: Point, released: list[Signal],
                                       now: datetime) -> None:
    """A worker left the group: the coordinators hear once what is back in the group."""
    facts = [signal_facts(signal, now) for signal in released]
    for user_id in point.coordinators:
        with speaking_to(i18n, await session.get(Account, user_id)):
            outbox.send(session, user_id, handed_back_payload(point.name, facts))


async def tell_coordinators_of_claims(session: AsyncSession, i18n: I18n, point: Point, worker: Account,
                                      now: datetime) -> None:
    """A worker claimed unusually many signals in a short time: their next claims wait for a coordinator."""
    for user_id in point.coordinators:
        with speaking_to(i18n, await session.get(Account, user_id)):
            outbox.send(session, user_id, claims_held_payload(point.name, worker.first_name, worker.id,
                                                              point.claim_limit, point.claim_window_minutes))


def _send_case(session: AsyncSession, signal: Signal, i18n: I18n, now: datetime) -> None:
    """The address and notes go to the claimer's private chat, never to the group, once they can be reached."""
    claimer = signal.claimer
    if not held(signal.status) or claimer is None or claimer.started_at is None or claimer.blocked_at:
        return
    with speaking_to(i18n, claimer):
        outbox.send(session, claimer.id, case_payload(case_facts(signal, now)), signal_id=signal.id,
                    purpose="address")
    signals.mark_address_delivered(signal)
