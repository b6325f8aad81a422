"""The follow-up around a claimed or closed signal: case notes and attempts, one question to the reporter and the
answer back, and the questions that come back weeks later ("Hoe gaat het nu?", "Heeft het geholpen?").

Neither the claimer nor the reporter ever sees the other's name or number: the bot carries the question and the
answer, with the point's name and the reference only.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from omzien.core.i18n import I18n
from omzien.flows.signal import (
    NOTE_LIMIT,
    Action,
    Attempt,
    EntryKind,
    FollowUpAnswer,
    HelpAnswer,
    Observation,
    Status,
    held,
)
from omzien.services.facts import may_ask
from omzien.services.publish import Change, full_case, publish
from omzien.services.steering import reopen
from omzien.storage import followup, signals
from omzien.views.facts import CaseFacts

QUESTION_LIMIT = 300
"""One short question, one short answer."""
QUESTIONS_PER_BATCH = 100


async def case_of(session: AsyncSession, signal_id: int, worker_id: int, now: datetime) -> CaseFacts | None:
    """The case as its claimer sees it, if they hold it; nothing changes."""
    signal = await signals.held_by(session, signal_id, worker_id, Action.NOTE)
    return None if signal is None else await full_case(session, signal, now)


async def _record(session: AsyncSession, i18n: I18n, signal_id: int, worker_id: int, kind: EntryKind, now: datetime,
                  text: str | None = None, detail: str | None = None) -> bool:
    """An entry by the claimer that changes nothing else; False if the signal is not (or no longer) theirs."""
    if await signals.held_by(session, signal_id, worker_id, Action.NOTE) is None:
        return False
    await followup.add_entry(session, signal_id, worker_id, kind, now, text=text, detail=detail)
    await publish(session, i18n, signal_id, Change.NOTED, now)
    return True


async def note(session: AsyncSession, i18n: I18n, signal_id: int, worker_id: int, text: str, now: datetime) -> bool:
    """A short private note on the case, for whoever holds it now and next; False if it is not theirs."""
    return await _record(session, i18n, signal_id, worker_id, EntryKind.NOTE, now, text=text[:NOTE_LIMIT])


async def attempt(session: AsyncSession, i18n: I18n, signal_id: int, worker_id: int, kind: Attempt,
                  now: datetime) -> bool:
    """A try to reach the person, logged without closing the signal."""
    return await _record(session, i18n, signal_id, worker_id, EntryKind.ATTEMPT, now, detail=kind)


async def may_ask_reporter(session: AsyncSession, signal_id: int, worker_id: int) -> bool:
    """The claimer may send one question while a reporter who agreed to be contacted can be reached."""
    signal = await signals.held_by(session, signal_id, worker_id, Action.NOTE)
    return signal is not None and may_ask(signal, await followup.entries(session, signal_id))


async def ask_reporter(session: AsyncSession, i18n: I18n, signal_id: int, worker_id: int, question: str,
                       now: datetime) -> bool:
    if not await may_ask_reporter(session, signal_id, worker_id):
        return False
    await followup.add_entry(session, signal_id, worker_id, EntryKind.QUESTION, now, text=question[:QUESTION_LIMIT])
    await publish(session, i18n, signal_id, Change.QUESTION_ASKED, now)
    return True


async def may_answer(session: AsyncSession, signal_id: int, reporter_id: int) -> bool:
    """A reporter of the signal who was asked, and did not answer yet."""
    signal = await signals.get_signal(session, signal_id)
    if signal is None or not held(signal.status) \
            or not any(report.reporter_id == reporter_id for report in signal.reports):
        return False
    kinds = [entry.kind for entry in await followup.entries(session, signal_id)]
    return EntryKind.QUESTION in kinds and EntryKind.ANSWER not in kinds


async def reporter_answers(session: AsyncSession, i18n: I18n, signal_id: int, reporter_id: int, answer: str,
                           now: datetime) -> bool:
    if not await may_answer(session, signal_id, reporter_id):
        return False
    await followup.add_entry(session, signal_id, reporter_id, EntryKind.ANSWER, now, text=answer[:QUESTION_LIMIT])
    await publish(session, i18n, signal_id, Change.REPORTER_ANSWERED, now)
    return True


async def follow_up_answered(session: AsyncSession, i18n: I18n, signal_id: int, user_id: int, chat_id: int,
                             answer: FollowUpAnswer, now: datetime) -> str | None:
    """The claimer (or, if they left, someone in the point's group) answers "Hoe gaat het nu?"; "opnieuw
    oppakken" reopens the signal. Its reference, or None if this person may not answer it (or it was answered)."""
    signal = await signals.get_signal(session, signal_id)
    if signal is None or signal.point is None or signal.status != Status.CLOSED \
            or (user_id != signal.claimed_by and chat_id != signal.point.group_chat_id):
        return None
    if await followup.answer(session, signal_id, user_id, "follow_up_answer", answer, now) is None:
        return None
    if answer is FollowUpAnswer.REOPEN:
        await reopen(session, i18n, user_id, signal_id, now, as_coordinator=False)
    return signal.reference


async def help_answered(session: AsyncSession, i18n: I18n, signal_id: int, resident_id: int, answer: HelpAnswer,
                        now: datetime) -> bool:
    """The resident who asked to be called answers "Heeft het geholpen?"; "Bel mij nog eens" puts the signal back
    in the group. Stored without who answered (the figures are anonymous)."""
    signal = await signals.get_signal(session, signal_id)
    if signal is None or not any(report.reporter_id == resident_id and Observation.ASKS_FOR_CALL in report.observations
                                 for report in signal.reports):
        return False
    if await followup.answer(session, signal_id, None, "resident_answer", answer, now) is None:
        return False
    if answer is HelpAnswer.CALL_AGAIN:
        await reopen(session, i18n, None, signal_id, now, as_coordinator=False)
    return True


async def ask_what_is_due(session: AsyncSession, i18n: I18n, now: datetime) -> int:
    """From the sweep: the follow-up checks and the residents' questions that are due, each sent once."""
    follow_ups, residents = await followup.take_due_questions(session, now, QUESTIONS_PER_BATCH)
    for signal in follow_ups:
        await publish(session, i18n, signal.id, Change.FOLLOW_UP_DUE, now)
    for signal in residents:
        await publish(session, i18n, signal.id, Change.RESIDENT_ASK_DUE, now)
    return len(follow_ups) + len(residents)
