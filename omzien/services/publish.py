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
| NOTED            | —                | —              | —                           | —  (the handler edits the case) |
| UNDONE           | edited           | refreshed      | "afgerond" not sent (3)     | address and notes (1)           |
| REASSIGNED       | edited           | refreshed      | —                           | old copies withdrawn; new: (1)  |
| MOVED            | posted (new); (4)| both refreshed | —                           | every address copy withdrawn    |
| REOPENED         | edited           | refreshed      | —                           | —                               |
| QUESTION_ASKED   | —                | —              | the question (5)            | —                               |
| REPORTER_ANSWERED| —                | —              | —                           | the answer, like the address    |
| FOLLOW_UP_DUE    | —                | —              | —                           | "Hoe gaat het nu?" (6)          |
| RESIDENT_ASK_DUE | —                | —              | "Heeft het geholpen?" (7)   | —                               |
| CLOSED           | edited           | refreshed      | "afgerond"                  | every address copy withdrawn    |
| GROUP_LINKED     | posted           | —              | —                           | —                               |
| CASE_ASKED       | —                | —              | —                           | the case again                  |
| WORKER_STARTED   | —                | —              | —                           | address and notes (1)           |

- *posted/edited*: the card is posted once and edited in place ever after (``outbox.put_card``); a
  signal whose point has no linked group yet gets its card when the group is linked (GROUP_LINKED).
- *refreshed*: the overview is edited in place, if the group has one; a new overview is only posted
  by the clock (``omzien.services.sweep``, at most one new message per group per sweep) or on /open.
- *(3)*: the news of closing waits ``UNDO_MINUTES`` (``outbox.LATER``), so an undone close was never told.
  A close with a referral sends the chosen offers to the resident who asked to be called, at once.
- *(4)*: the old group's card is edited to say where it went (``left``), and that group's overview refreshed.
- *(5)*: to each reporter of the signal who agreed to be contacted (never to a resident who asked for a call):
  the point's name, the reference and the question, never who asks; the answer comes back to the claimer
  alone, never with the reporter's name.
- *(6)*: to the claimer, or to the point's group when they can no longer be reached.
- *(7)*: to the resident who asked to be called back; anonymous in the figures.
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
  and the regional fallback contact hear only from the clock, gathered per person:

| alert        | group overview    | privately (``publish_alerts``, for all the signals a sweep takes at once) |
|--------------|-------------------|---------------------------------------------------------------------------|
| CLAIM_HALF   | new or edited (8) | —                                                                         |
| CLAIM_DUE    | new or edited (8) | the point's coordinators: one list each per point                         |
| CLAIM_LATE   | new or edited (8) | the regional fallback contact: one list per point                         |
| CONTACT_DUE  | —                 | the worker who holds it: one reminder for all theirs due, unless blocked  |
| CONTACT_LATE | new or edited (8) | —                                                                         |
| CLOSE_DUE    | —                 | the worker who holds it: one reminder for all theirs due, unless blocked  |

- *(8)*: noted with the alerts, written after their transaction (``refresh_overviews``): at most one new per sweep.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from omzien.core.i18n import I18n, pick_locale
from omzien.flows.signal import REPORT_LIMIT, UNDO_MINUTES, EntryKind, Observation, held
from omzien.flows.sla import Alert
from omzien.services.facts import case_facts, line_facts, overview_facts, reporter_reachable, signal_facts
from omzien.storage import accounts, followup, offers, outbox, overviews, points, signals, sla
from omzien.storage.models import Account, Point, Signal
from omzien.views.case import case_payload, reminder_payload, withdrawn_payload
from omzien.views.coordinator import (
    claims_held_payload,
    coordinator_payload,
    fallback_payload,
    handed_back_payload,
    reports_held_payload,
    urgent_payload,
)
from omzien.views.facts import CaseFacts, SignalLine
from omzien.views.followup import (
    answer_payload,
    follow_up_check_payload,
    help_check_payload,
    moved_card_payload,
    question_payload,
    referred_payload,
)
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
    NOTED = "noted"  # a note, an attempt
    UNDONE = "undone"
    REASSIGNED = "reassigned"
    MOVED = "moved"
    REOPENED = "reopened"
    QUESTION_ASKED = "question_asked"
    REPORTER_ANSWERED = "reporter_answered"
    FOLLOW_UP_DUE = "follow_up_due"
    RESIDENT_ASK_DUE = "resident_ask_due"


QUIET_FOR_THE_GROUP = {Change.CASE_ASKED, Change.WORKER_STARTED, Change.ON_HOLD, Change.HELD_AGAIN, Change.SET_ASIDE,
                       Change.NOTED, Change.QUESTION_ASKED, Change.REPORTER_ANSWERED, Change.FOLLOW_UP_DUE,
                       Change.RESIDENT_ASK_DUE}
CARD = frozenset(Change) - QUIET_FOR_THE_GROUP
OVERVIEW = CARD - {Change.GROUP_LINKED}
REPORTERS = {Change.CLAIMED: False, Change.CLOSED: True}  # the value: whether it is the news of closing
CASE = {Change.CLAIMED, Change.CASE_ASKED, Change.WORKER_STARTED, Change.UNDONE, Change.REASSIGNED}
WITHDRAW = {Change.RELEASED, Change.WORKER_LEFT, Change.CLOSED, Change.REASSIGNED, Change.MOVED}
"""The claim ended: every copy of the address goes (before a new claimer gets theirs)."""
AGAIN = {Change.REPORTED_AGAIN, Change.URGENT_REPORT}  # a report joined the signal: its claimer sees it too


@dataclass(frozen=True)
class Left:
    """Where a moved signal was: its old point and card."""

    point: Point
    chat_id: int
    card_message_id: int


async def publish(session: AsyncSession, i18n: I18n, signal_id: int, change: Change, now: datetime,
                  left: Left | None = None) -> Signal:
    """Tell every audience the table above names of ``change``; returns the signal as it now stands."""
    signal = await signals.get_signal(session, signal_id)
    assert signal is not None
    point = signal.point
    if point is None:  # unrouted: nobody to tell yet
        return signal
    if change in WITHDRAW:
        with speaking_to(i18n, signal.claimer):
            await outbox.withdraw(session, signal.id, "address", withdrawn_payload(signal.reference))
    if change in CARD and point.group_chat_id is not None:
        with speaking_to(i18n, None):
            await outbox.put_card(session, signal, point.group_chat_id, card_payload(signal_facts(signal, now)))
    if left is not None:
        await _card_moved_away(session, i18n, signal, left, now)
    if change in OVERVIEW:
        await refresh_overview(session, point, i18n, now)
    if change in REPORTERS:
        await _tell_reporters(session, signal, i18n, now, closed=REPORTERS[change])
    if change is Change.UNDONE:
        await outbox.cancel_later(session, signal.id)
    if change in CASE or (change in AGAIN and signal.address_delivered):
        await _send_case(session, signal, i18n, now)
    if change in (Change.URGENT_REPORT, Change.ON_HOLD):
        await _tell_coordinators(session, signal, i18n, now, change)
    if change in ASKED:
        await ASKED[change](session, signal, i18n, now)
    return signal


async def _card_moved_away(session: AsyncSession, i18n: I18n, signal: Signal, left: Left, now: datetime) -> None:
    if left.chat_id and left.card_message_id:
        with speaking_to(i18n, None):
            outbox.edit(session, left.chat_id, left.card_message_id,
                        moved_card_payload(signal_facts(signal, now), signal.point.name if signal.point else ""))
    await refresh_overview(session, left.point, i18n, now)


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
    overview = await overviews.overview(session, point.id, now, shown=MAX_LISTED)
    with speaking_to(i18n, None):
        return await outbox.put_overview(
            session, point, overview_payload(overview_facts(point, overview, now), now), now, post_new,
            replaced=replaced_overview_payload(), force=force)


async def refresh_overviews(session: AsyncSession, targets: Sequence[Point], i18n: I18n, now: datetime) -> set[int]:
    """The clock's news for several groups at once: each overview posted anew unless the current one can be
    edited. ``targets`` were locked and read in this transaction (``points.wanting_overviews``). Returns the points
    whose group gets a new message."""
    targets = [point for point in targets if point.group_chat_id is not None]
    if not targets:
        return set()
    found = await overviews.overviews(session, [point.id for point in targets], now, shown=MAX_LISTED)
    with speaking_to(i18n, None):
        rendered = [(point, overview_payload(overview_facts(point, found[point.id], now), now)) for point in targets]
        return await outbox.put_overviews(session, rendered, now, post_new=True, replaced=replaced_overview_payload(),
                                          locked=True)


TO_GROUP = {Alert.CLAIM_HALF, Alert.CLAIM_DUE, Alert.CLAIM_LATE, Alert.CONTACT_LATE}
TO_CLAIMER = {Alert.CONTACT_DUE, Alert.CLOSE_DUE}


async def publish_alerts(session: AsyncSession, i18n: I18n, fired: Sequence[tuple[sla.Due, list[Alert]]],
                         taken: dict[int, Point], now: datetime) -> Counter[str]:
    """Tell whom the table of alerts above names, in the transaction that moved the clock on. Returns the counts."""
    counts: Counter[str] = Counter()
    groups: set[int] = set()
    coordinators: defaultdict[tuple[int, int], list[SignalLine]] = defaultdict(list)
    fallbacks: defaultdict[tuple[int, int], list[SignalLine]] = defaultdict(list)
    claimers: defaultdict[int, list[SignalLine]] = defaultdict(list)
    wanted = {signal.claimed_by for signal, _ in fired if signal.claimed_by is not None}
    for point in {taken[signal.point_id or 0] for signal, _ in fired}:
        wanted.update([*point.coordinators, *([point.fallback_chat_id] if point.fallback_chat_id else [])])
    people = await accounts.by_ids(session, wanted)  # in one statement: the claimers, coordinators and fallbacks
    for signal, alerts in fired:
        point = taken[signal.point_id or 0]
        counts.update(str(alert) for alert in alerts)
        claimer = people.get(signal.claimed_by or 0)
        line = line_facts(signal, claimer.first_name if claimer else None, point.time_zone, now)
        if TO_GROUP.intersection(alerts) and point.group_chat_id is not None:
            groups.add(point.id)
        if Alert.CLAIM_DUE in alerts:
            for user_id in point.coordinators:
                coordinators[(user_id, point.id)].append(line)
        if Alert.CLAIM_LATE in alerts and point.fallback_chat_id is not None:
            fallbacks[(point.fallback_chat_id, point.id)].append(line)
        if TO_CLAIMER.intersection(alerts) and claimer is not None and claimer.blocked_at is None:
            claimers[claimer.id].append(line)
    if groups:
        await points.want_overviews(session, groups)
    messages = []
    for (user_id, point_id), lines in coordinators.items():
        with speaking_to(i18n, people.get(user_id)):
            messages.append((user_id, coordinator_payload(taken[point_id].name, lines)))
    for (chat_id, point_id), lines in fallbacks.items():
        with speaking_to(i18n, people.get(chat_id)):
            messages.append((chat_id, fallback_payload(taken[point_id].name, lines)))
    for user_id, lines in claimers.items():
        with speaking_to(i18n, people[user_id]):
            messages.append((user_id, reminder_payload(lines)))
    await outbox.send_all(session, messages)
    return counts + Counter(to_coordinators=len(coordinators), to_fallback=len(fallbacks), to_claimers=len(claimers))


async def _tell_reporters(session: AsyncSession, signal: Signal, i18n: I18n, now: datetime, closed: bool) -> None:
    """"Opgepakt" at once; "afgerond" once the close can no longer be undone. A resident who asked to be called
    and was referred gets the offers chosen for them at once."""
    told: set[int] = set()
    later = now + timedelta(minutes=UNDO_MINUTES) if closed else None
    referred = await offers.by_ids(session, signal.referred_offers) if closed else []
    for report in signal.reports:
        reporter = report.reporter
        if reporter is None or not report.may_contact or reporter.blocked_at or reporter.started_at is None \
                or reporter.id in told:
            continue
        told.add(reporter.id)
        with speaking_to(i18n, reporter):
            call_back = Observation.ASKS_FOR_CALL in report.observations
            if call_back and referred:
                outbox.send(session, reporter.id, referred_payload(referred), signal_id=signal.id)
            outbox.send(session, reporter.id, reporter_news_payload(signal.reference, signal.point.name, closed,
                                                                    call_back), signal_id=signal.id,
                        purpose=outbox.LATER if later else "chat", not_before=later)


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


async def _send_case(session: AsyncSession, signal: Signal, i18n: I18n, now: datetime) -> None:
    """The address and notes go to the claimer's private chat, never to the group, once they can be reached."""
    claimer = signal.claimer
    if not held(signal.status) or claimer is None or claimer.started_at is None or claimer.blocked_at:
        return
    with speaking_to(i18n, claimer):
        outbox.send(session, claimer.id, case_payload(await full_case(session, signal, now)), signal_id=signal.id,
                    purpose="address")
    signals.mark_address_delivered(signal)


async def full_case(session: AsyncSession, signal: Signal, now: datetime) -> CaseFacts:
    """The case with its entries and the earlier signals on the address, for the worker who holds it."""
    return case_facts(signal, now, await followup.entries(session, signal.id),
                      await followup.earlier_on_address(session, signal))


def _reachable(account: Account | None) -> bool:
    return account is not None and account.started_at is not None and account.blocked_at is None


async def _ask_reporters(session: AsyncSession, signal: Signal, i18n: I18n, now: datetime) -> None:
    question = [entry for entry in await followup.entries(session, signal.id) if entry.kind == EntryKind.QUESTION][-1]
    asked: set[int] = set()
    for report in signal.reports:
        reporter = report.reporter
        if reporter_reachable(report) and reporter.id not in asked:
            asked.add(reporter.id)
            with speaking_to(i18n, reporter):
                outbox.send(session, reporter.id, question_payload(signal.point.name, signal.id, signal.reference,
                                                                   question.text or ""), signal_id=signal.id)


async def _bring_answer(session: AsyncSession, signal: Signal, i18n: I18n, now: datetime) -> None:
    answer = [entry for entry in await followup.entries(session, signal.id) if entry.kind == EntryKind.ANSWER][-1]
    if held(signal.status) and _reachable(signal.claimer):
        with speaking_to(i18n, signal.claimer):
            outbox.send(session, signal.claimer.id, answer_payload(signal.reference, answer.text or ""),
                        signal_id=signal.id, purpose="address")


async def _ask_how_it_goes(session: AsyncSession, signal: Signal, i18n: I18n, now: datetime) -> None:
    claimer = signal.claimer
    chat_id = claimer.id if _reachable(claimer) else signal.point.group_chat_id
    if chat_id is not None:
        with speaking_to(i18n, claimer if chat_id == getattr(claimer, "id", None) else None):
            outbox.send(session, chat_id, follow_up_check_payload(signal_facts(signal, now)), signal_id=signal.id)


async def _ask_the_resident(session: AsyncSession, signal: Signal, i18n: I18n, now: datetime) -> None:
    for report in signal.reports:
        if Observation.ASKS_FOR_CALL in report.observations and _reachable(report.reporter):
            with speaking_to(i18n, report.reporter):
                outbox.send(session, report.reporter.id, help_check_payload(signal.id, report.created_at),
                            signal_id=signal.id)


ASKED = {Change.QUESTION_ASKED: _ask_reporters, Change.REPORTER_ANSWERED: _bring_answer,
         Change.FOLLOW_UP_DUE: _ask_how_it_goes, Change.RESIDENT_ASK_DUE: _ask_the_resident}
