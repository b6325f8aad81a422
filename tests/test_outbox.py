"""The outbox: whatever Telegram answers, a committed message is sent once, in order, within the limits."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from itertools import pairwise

import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import TelegramNetworkError, TelegramRetryAfter, TelegramServerError
from aiogram.methods import EditMessageText, SendMessage
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from omzien.bot import sender as sender_module
from omzien.bot.sender import RateLimiter, Sender
from omzien.sandbox.client import SandboxClient
from omzien.sandbox.server import Sandbox
from omzien.storage import outbox
from omzien.storage.db import create_engine, session_factory
from omzien.storage.models import Account, OutboxMessage
from tests.conftest import KEYS, Clock
from tests.telegram import FakeTelegram

UNLIMITED = dict(per_second=10**6, chat_interval=0, group_per_minute=10**6)


def text(value: str) -> dict:
    return {"text": value, "parse_mode": "HTML"}


def make_sender(telegram: FakeTelegram, sessions: async_sessionmaker[AsyncSession], clock: Clock) -> Sender:
    return Sender(Bot("4242:TEST-token", session=telegram), sessions, clock=clock,
                  limiter=RateLimiter(**UNLIMITED))


async def rows(sessions: async_sessionmaker[AsyncSession]) -> list[OutboxMessage]:
    async with sessions() as session:
        return list((await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))).all())


async def test_a_429_waits_exactly_as_long_as_telegram_says(sessions, clock: Clock) -> None:
    telegram = FakeTelegram()
    refused = []

    def flood(method):
        if isinstance(method, SendMessage) and not refused:
            refused.append(method)
            return TelegramRetryAfter(method=method, message="Too Many Requests: retry after 7", retry_after=7)
        return None

    telegram.fail(flood)
    async with sessions.begin() as session:
        outbox.send(session, 501, text("hallo"))
    sender = make_sender(telegram, sessions, clock)
    await sender.drain()
    assert telegram.sent(SendMessage) == [] and len(refused) == 1
    [row] = await rows(sessions)
    assert row.status == "pending" and row.attempts == 0, "a 429 is not a failure"
    clock.advance(seconds=6)
    await sender.drain()
    assert telegram.sent(SendMessage) == []
    clock.advance(seconds=1)
    await sender.drain()
    assert [m.text for m in telegram.sent(SendMessage)] == ["hallo"]


async def test_server_errors_and_timeouts_are_retried_with_growing_pauses(sessions, clock: Clock) -> None:
    telegram = FakeTelegram()
    errors = [TelegramServerError, TelegramNetworkError, TelegramServerError]

    def flaky(method):
        if errors:
            return errors.pop(0)(method=method, message="Bad Gateway")
        return None

    telegram.fail(flaky)
    async with sessions.begin() as session:
        outbox.send(session, 501, text("eerste"))
        outbox.send(session, 501, text("tweede"))
    sender = make_sender(telegram, sessions, clock)
    pauses = []
    for _ in range(3):
        await sender.drain()
        [first, _second] = await rows(sessions)
        pauses.append((first.not_before - clock()).total_seconds())
        clock.now = first.not_before
    await sender.drain()
    assert pauses[0] < pauses[1] < pauses[2]
    assert [m.text for m in telegram.sent(SendMessage)] == ["eerste", "tweede"], "order kept in the chat"
    assert all(r.status == "sent" and r.payload == {} for r in await rows(sessions)), "sent text is not kept"


async def test_a_person_who_blocked_the_bot_is_marked_and_gets_nothing_more(sessions, clock: Clock) -> None:
    telegram = FakeTelegram(blocked={501})
    async with sessions.begin() as session:
        session.add(Account(id=501, first_name="Piet", started_at=clock()))
        await session.flush()
        for n in range(3):
            outbox.send(session, 501, text(f"bericht {n}"))
        outbox.send(session, 502, text("voor iemand anders"))
    await make_sender(telegram, sessions, clock).drain()
    statuses = [(r.chat_id, r.status) for r in await rows(sessions)]
    assert statuses == [(501, "dropped")] * 3 + [(502, "sent")]
    assert all(r.payload == {} for r in await rows(sessions))
    async with sessions() as session:
        assert (await session.get(Account, 501)).blocked_at is not None


async def test_after_a_restart_unsent_messages_are_sent(sessions, clock: Clock) -> None:
    telegram = FakeTelegram()
    telegram.fail(lambda method: TelegramServerError(method=method, message="Internal Server Error"))
    async with sessions.begin() as session:
        outbox.send(session, 501, text("voor de herstart"))
    await make_sender(telegram, sessions, clock).drain()
    assert telegram.sent(SendMessage) == []

    after_restart = FakeTelegram()
    clock.advance(minutes=10)
    await make_sender(after_restart, sessions, clock).drain()
    assert [m.text for m in after_restart.sent(SendMessage)] == ["voor de herstart"]


async def test_an_identical_edit_is_not_an_error(sessions, clock: Clock) -> None:
    telegram = FakeTelegram()
    async with sessions.begin() as session:
        outbox.send(session, 501, text("kaart"))
    sender = make_sender(telegram, sessions, clock)
    await sender.drain()
    message_id = telegram.last(501).message_id
    async with sessions.begin() as session:
        outbox.edit(session, 501, message_id, text("kaart"))
    await sender.drain()
    assert [r.status for r in await rows(sessions)] == ["sent", "sent"]
    assert len(telegram.sent(EditMessageText)) == 1 and telegram.last(501).edits == 0


def most_in_any(times: list[float], seconds: float) -> int:
    return max(sum(start <= t < start + seconds for t in times) for start in times)


def test_the_limiter_keeps_telegrams_limits() -> None:
    now = [0.0]
    limiter = RateLimiter(clock=lambda: now[0])

    def send(chat_id: int, round_trip: float = 0.0) -> float:
        request = limiter.record(chat_id)
        sent_at = now[0]
        now[0] += round_trip
        limiter.answered(request)
        now[0] = sent_at
        return sent_at

    started = []
    while now[0] < 3.0:
        if limiter.wait(len(started) + 1) == 0:
            started.append(send(len(started) + 1))
        now[0] += 0.001
    assert 86 <= len(started) <= 90 and most_in_any(started, 1.0) <= 30, "about 30 a second overall, never more"
    assert min(b - a for a, b in pairwise(started)) >= 0.016, "spread over the second"

    now[0], late = 10.0, []
    for _ in range(60):  # each send wakes 5 ms after its slot: the schedule catches up instead of drifting
        now[0] += limiter.overall_wait() + 0.005
        late.append(send(1))
    assert late[-1] - late[0] < 59 * 1.02 / 30, "a late wake-up is not lost"

    now[0], slow = 20.0, []
    while now[0] < 23.0:  # answers take 50 ms: the window counts from the answer, the latest arrival
        if limiter.wait(2) == 0:
            slow.append(send(2, round_trip=0.05) + 0.05)
        now[0] += 0.001
    assert most_in_any(slow, 1.0) <= 30, "not 31 in a second even if the first arrived as late as it could"

    now[0] = 30.0
    for _ in range(3):
        assert limiter.chat_wait(999) == 0, "a short answer of three goes at once"
        send(999)
    assert limiter.chat_wait(999) == 3.0, "then one a second per chat: at most 3 in any 3 seconds"
    now[0] = 31.5
    on_its_way = limiter.record(999)
    now[0] = 40.0
    assert limiter.chat_wait(999) == 0
    limiter.record(999), limiter.record(999)
    assert limiter.chat_wait(999) > 0, "a request still on its way counts until its answer is back"
    limiter.answered(on_its_way)
    assert limiter.chat_wait(999) == 3.0

    group = -100
    for minute_second in range(20):
        now[0] = 50.0 + minute_second * 1.5
        assert limiter.chat_wait(group) == 0
        send(group)
    now[0] = 85.0
    assert limiter.chat_wait(group) > 0, "20 a minute per group"
    now[0] = 110.0
    assert limiter.chat_wait(group) == 0
    limiter.pause(group, 30)
    assert limiter.wait(group) >= 29.9, "a 429 pauses the chat"


async def test_a_burst_keeps_under_the_limits(sessions) -> None:
    """Many messages to a few chats: the sender never asks more of Telegram than allowed."""
    telegram = FakeTelegram()
    clock = Clock(datetime(2026, 11, 23, 9, 0, tzinfo=UTC))
    sender = Sender(Bot("4242:TEST-token", session=telegram), sessions, clock=clock,
                    limiter=RateLimiter(per_second=30, chat_interval=0.05, group_per_minute=20))
    async with sessions.begin() as session:
        for n in range(25):
            outbox.send(session, -100, text(f"groep {n}"))
            outbox.send(session, 600 + n % 5, text(f"privé {n}"))
    task = asyncio.create_task(sender.run())
    for _ in range(300):
        if len(telegram.sent(SendMessage)) >= 45:
            break
        await asyncio.sleep(0.05)
    await asyncio.sleep(0.3)
    task.cancel()
    assert len(telegram.sent(SendMessage, -100)) == 20, "no more than 20 a minute in a group"
    assert len(telegram.sent(SendMessage)) == 45, "the private chats are not held up by the group"


async def test_a_message_cut_off_by_a_crash_is_found_instead_of_sent_twice(sessions, clock: Clock) -> None:
    telegram = FakeTelegram()
    bot = Bot("4242:TEST-token", session=telegram)
    async with sessions.begin() as session:
        outbox.send(session, -100, text("gekoppeld"))
    await make_sender(telegram, sessions, clock).drain()

    async with sessions.begin() as session:
        outbox.send(session, -100, text("kaart"))
        outbox.send(session, -200, text("nooit aangekomen"))
    async with sessions.begin() as session:
        await outbox.start_sending(session, [r.id for r in await rows(sessions) if r.status == "pending"])
    await bot.send_message(chat_id=-100, text="kaart", parse_mode="HTML")  # Telegram got it; then the crash

    await make_sender(telegram, sessions, clock).drain()  # the bot after its restart
    assert [m.text for m in telegram.shown(-100)] == ["gekoppeld", "kaart"], "found, not posted again"
    assert [m.text for m in telegram.shown(-200)] == ["nooit aangekomen"], "sent, as it never arrived"
    assert all(r.status == "sent" and not r.in_doubt for r in await rows(sessions))


async def test_a_message_sent_but_not_marked_sent_is_not_sent_again(sessions, clock: Clock, monkeypatch) -> None:
    """The database fails right after Telegram took a message: it is found, not sent a second time."""
    telegram = FakeTelegram()
    async with sessions.begin() as session:
        outbox.send(session, -100, text("gekoppeld"))
    sender = make_sender(telegram, sessions, clock)
    await sender.drain()
    mark_sent, failures = outbox.mark_sent, []

    async def fails_once(*args, **kwargs):
        if not failures:
            failures.append(True)
            raise OSError("disk I/O error")
        return await mark_sent(*args, **kwargs)

    monkeypatch.setattr(outbox, "mark_sent", fails_once)
    async with sessions.begin() as session:
        outbox.send(session, -100, text("kaart"))
    await sender.drain()
    assert failures and [m.text for m in telegram.shown(-100)] == ["gekoppeld", "kaart"]
    assert all(r.status == "sent" for r in await rows(sessions))


async def test_with_two_instances_on_postgresql_one_sends_and_the_other_takes_over(
        engine, sessions, clock: Clock, monkeypatch) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite runs one bot on one machine: no sender lock needed")
    monkeypatch.setattr(sender_module, "STANDBY_PAUSE", 0.05)
    other_engine = create_engine(engine.url.render_as_string(hide_password=False), KEYS)
    telegrams = [FakeTelegram(), FakeTelegram()]
    senders = [make_sender(telegrams[0], sessions, clock), make_sender(telegrams[1], session_factory(other_engine),
                                                                      clock)]

    async def all_sent(count: int) -> None:
        while sum(row.status == "sent" for row in await rows(sessions)) < count:
            await asyncio.sleep(0.02)

    async with sessions.begin() as session:
        for n in range(20):
            outbox.send(session, 600 + n, text(f"bericht {n}"))
    tasks = [asyncio.create_task(sender.run()) for sender in senders]
    try:
        await asyncio.wait_for(all_sent(20), timeout=30)
        counts = [len(t.sent(SendMessage)) for t in telegrams]
        assert sorted(counts) == [0, 20], "one instance sends; the other stands by"
        leader = counts.index(20)
        tasks[leader].cancel()  # that instance stops: its lock goes with its connection
        await asyncio.gather(tasks[leader], return_exceptions=True)
        async with sessions.begin() as session:
            outbox.send(session, 700, text("na de overname"))
        await asyncio.wait_for(all_sent(21), timeout=30)
        assert [m.text for m in telegrams[1 - leader].sent(SendMessage)] == ["na de overname"]
        assert len(telegrams[leader].sent(SendMessage)) == 20
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await other_engine.dispose()


async def test_a_short_answer_arrives_at_once_and_a_chat_still_keeps_telegrams_limit(sessions) -> None:
    """Three messages after one tap go together; a fourth waits until the chat's burst allows it; no 429."""
    token = "123456789:AAHoutboxTestTokenForTheSandbox000"
    async with Sandbox(token) as sandbox, SandboxClient(sandbox.url) as client:
        piet = await client.user("Piet")
        await piet.send("/start")
        bot = Bot(token, session=AiohttpSession(api=TelegramAPIServer.from_base(sandbox.url)))
        sender = Sender(bot, sessions)  # Telegram's own limits, in real time
        task = asyncio.create_task(sender.run())
        try:
            started = asyncio.get_running_loop().time()
            async with sessions.begin() as session:
                for n in range(4):
                    outbox.send(session, piet.id, text(f"antwoord {n}"))
            sender.wake()
            await piet.wait_for(lambda messages: len(messages) >= 1 + 3, timeout=10)  # after his /start
            answered = asyncio.get_running_loop().time() - started
            await piet.wait_for(lambda messages: len(messages) >= 1 + 4, timeout=10)
            fourth = asyncio.get_running_loop().time() - started
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
            await bot.session.close()
        assert [m["text"] for m in await piet.chat()][1:] == [f"antwoord {n}" for n in range(4)]
        assert answered < 1.0, "a short answer is not spread over seconds"
        assert fourth >= 3.0, "at most 3 in any 3 seconds to one chat"
        assert await client.refusals() == []


async def test_the_sender_reads_the_outbox_while_a_handler_holds_the_write_lock(engine, sessions, clock) -> None:
    if engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL has no database-wide write lock")
    async with sessions.begin() as session:
        outbox.send(session, 501, text("hallo"))
    sender = make_sender(FakeTelegram(), sessions, clock)
    async with sessions.begin() as handler:
        outbox.send(handler, 502, text("nog niet vastgelegd"))
        await handler.flush()  # the handler's transaction holds SQLite's write lock until it commits
        async with sender.readers() as session:
            due = await asyncio.wait_for(outbox.due(session, clock(), [], 10), timeout=2)
    assert [row.chat_id for row in due] == [501], "read without waiting; what is not committed is not seen"
