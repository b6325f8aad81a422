"""The outbox: every message the bot sends is first a row, written with the change that causes it.

Rows of one chat go out in order. A group's card for a signal has at most one pending row:
a newer version of the card replaces the text of the pending one, so a burst of changes
costs one request, and an edit never overtakes the message it edits.

A row is ``pending`` until the sender takes it; ``sending`` while its request is on the way;
then ``sent``, ``dropped`` (the person blocked the bot) or ``failed`` (Telegram refused it).
A row still ``sending`` when the sender starts was cut off by a crash: Telegram may or may not
have it, and the sender finds out before sending again (see ``omzien.bot.sender``).
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Integer,
    bindparam,
    func,
    insert,
    literal_column,
    or_,
    select,
    union_all,
    update,
)
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from omzien.storage import points, signals
from omzien.storage.models import OutboxMessage, Point, Signal

OVERVIEW_FRESH = timedelta(hours=12)
"""An overview older than this is not edited any more: a new one is posted where people look."""

OUTBOX = OutboxMessage.__table__
"""The table itself, for the inserts of many rows at once: plain inserts, not the ORM's bulk path."""

PENDING = "pending"
SENDING = "sending"
WAITING = (PENDING, SENDING)
LATER = "later"
"""The purpose of a message that waits for its moment (``not_before``) without holding up its chat."""


def send(session: AsyncSession, chat_id: int, payload: dict[str, Any], *,
         signal_id: int | None = None, purpose: str = "chat", not_before: datetime | None = None) -> None:
    session.add(OutboxMessage(chat_id=chat_id, method="send", payload=payload,
                              signal_id=signal_id, purpose=purpose, not_before=not_before))


async def send_all(session: AsyncSession, messages: Sequence[tuple[int, dict[str, Any]]]) -> None:
    """Many new messages at once (chat id and payload each), in one statement: the sweep's reminders."""
    if messages:
        await session.execute(insert(OUTBOX), [{"chat_id": chat_id, "method": "send", "payload": payload}
                                               for chat_id, payload in messages])


async def cancel_later(session: AsyncSession, signal_id: int) -> None:
    """What waits for its moment about a signal is not sent after all (a close that was undone)."""
    await session.execute(update(OutboxMessage).where(OutboxMessage.signal_id == signal_id,
                                                      OutboxMessage.purpose == LATER,
                                                      OutboxMessage.status == PENDING)
                          .values(status="dropped", payload={}, last_error="cancelled")
                          .execution_options(synchronize_session=False))


def send_photo(session: AsyncSession, chat_id: int, png: bytes, caption: str) -> None:
    """A picture (a chart): kept in the row as base64 until it is sent, then erased like any text."""
    session.add(OutboxMessage(chat_id=chat_id, method="photo",
                              payload={"photo": base64.b64encode(png).decode("ascii"), "caption": caption}))


def edit(session: AsyncSession, chat_id: int, message_id: int, payload: dict[str, Any]) -> None:
    session.add(OutboxMessage(chat_id=chat_id, method="edit", message_id=message_id,
                              payload=payload))


async def withdraw(session: AsyncSession, signal_id: int, purpose: str,
                   replacement: dict[str, Any]) -> int:
    """Every copy of a message of ``purpose`` about a signal goes: one still waiting is dropped, one sent is
    edited to ``replacement``. Returns how many were sent and are now edited."""
    rows = (await session.scalars(select(OutboxMessage).where(
        OutboxMessage.signal_id == signal_id, OutboxMessage.purpose == purpose).with_for_update())).all()
    edited = 0
    for row in rows:
        if row.status in WAITING and row.status != SENDING:
            row.status, row.payload, row.last_error = "dropped", {}, "withdrawn"
        elif row.status == "sent" and row.message_id is not None:
            edit(session, row.chat_id, row.message_id, replacement)
            edited += 1
        row.purpose = "withdrawn"
    return edited


async def put_card(session: AsyncSession, signal: Signal, chat_id: int, payload: dict[str, Any]) -> None:
    """Post the group card of a signal, or bring the posted one up to date.

    The signal row is locked first (as ``mark_sent`` does), so a card that is being marked sent at
    this moment is seen either still on its way or already with its message id, never in between.
    """
    card_message_id = await session.scalar(
        select(Signal.card_message_id).where(Signal.id == signal.id).with_for_update())
    pending = await session.scalar(
        select(OutboxMessage).where(OutboxMessage.signal_id == signal.id,
                                    OutboxMessage.purpose == "card",
                                    OutboxMessage.chat_id == chat_id,
                                    OutboxMessage.status.in_(WAITING))
        .with_for_update()
    )
    if pending is not None:
        pending.payload = payload
        pending.version += 1
    elif card_message_id is not None:
        session.add(OutboxMessage(chat_id=chat_id, method="edit", message_id=card_message_id,
                                  payload=payload, signal_id=signal.id, purpose="card"))
    else:
        send(session, chat_id, payload, signal_id=signal.id, purpose="card")
    await session.flush()


async def put_overview(session: AsyncSession, point: Point, payload: dict[str, Any], now: datetime,
                       post_new: bool, replaced: dict[str, Any] | None = None, force: bool = False) -> bool:
    """Bring the group's overview up to date in place; with ``post_new``, post a fresh one unless it is current.

    The overview is *current* while it is the bot's newest message in the group and less than
    ``OVERVIEW_FRESH`` old: then it is edited, and nobody gets a notification for it. Otherwise,
    with ``post_new``, a new message goes out and the old one is edited to ``replaced``; ``force``
    posts a new one even when the old one is current (someone asked for it with /open).
    Returns whether a new message was posted.
    """
    return bool(await put_overviews(session, [(point, payload)], now, post_new, replaced, force))


async def put_overviews(session: AsyncSession, overviews: Sequence[tuple[Point, dict[str, Any]]], now: datetime,
                        post_new: bool, replaced: dict[str, Any] | None = None, force: bool = False,
                        locked: bool = False) -> set[int]:
    """``put_overview`` for several groups at once (the sweep's), in a fixed number of statements: the points are
    locked first, as in ``mark_sent``; while they are held the sender cannot mark their overview rows sent, so
    one read of those rows stays true until the commit. ``locked``: the caller locked and read the points in this
    transaction already (``points.wanting_overviews``). Returns the points whose group gets a new message."""
    targets = [point for point, _ in overviews]
    if not locked:
        await _lock_overviews(session, targets)
    rows = await _overview_rows(session, targets, now)
    edits: list[tuple[Point, dict[str, Any]]] = []
    posts: list[tuple[Point, dict[str, Any]]] = []
    for point, payload in overviews:
        pending_send, pending_edit, later = rows[point.id]
        if pending_send is not None:  # not sent yet: it will be the newest message anyway
            await _new_version(session, pending_send, payload)
            continue
        current = _fresh(point, now) and not later
        if not post_new or (not force and current):
            edits.append((point, payload))
        else:
            posts.append((point, payload))
            if replaced is not None:
                edits.append((point, replaced))
        if pending_edit is not None and edits and edits[-1][0] is point:
            await _new_version(session, pending_edit, edits.pop()[1])
    await _edit_overviews(session, edits)
    return await _post_overviews(session, posts, now)


IS_WAITING = OutboxMessage.status.in_([literal_column(f"'{status}'") for status in WAITING])
"""``ix_outbox_waiting``'s own condition, written out (not bound) so that SQLite can use that partial index."""

OVERVIEW_COLUMNS = (Point.group_chat_id, Point.overview_message_id, Point.overview_outbox_id, Point.overview_at)


async def _lock_overviews(session: AsyncSession, targets: Sequence[Point]) -> None:
    """Lock the points and read their overview columns again (not their areas, not their policy)."""
    by_id = {point.id: point for point in targets}
    for point_id, *values in await session.execute(
            select(Point.id, *OVERVIEW_COLUMNS).where(Point.id.in_(by_id)).order_by(Point.id).with_for_update()):
        for column, value in zip(OVERVIEW_COLUMNS, values, strict=True):
            set_committed_value(by_id[point_id], column.key, value)


def _fresh(point: Point, now: datetime) -> bool:
    return point.overview_at is not None and point.overview_outbox_id is not None \
        and now - point.overview_at <= OVERVIEW_FRESH


async def _overview_rows(session: AsyncSession, targets: Sequence[Point], now: datetime
                         ) -> dict[int, tuple[int | None, int | None, bool]]:
    """Per point: its group's overview still to be sent, the pending edit of the one sent, and whether the bot
    sent anything to the group after a fresh one (only a fresh one needs the rows since it)."""
    bound: dict[str, Any] = {}
    for at, point in enumerate(targets):
        bound |= {f"point{at}": point.id, f"chat{at}": point.group_chat_id,
                  f"message{at}": point.overview_message_id, f"since{at}": point.overview_outbox_id,
                  f"stale{at}": not _fresh(point, now)}
    found = await session.execute(_overview_rows_statement(len(targets)), bound)
    return {point_id: (send, edit, bool(later)) for point_id, send, edit, later in found}


@cache
def _overview_rows_statement(points: int) -> Any:
    """The statement of ``_overview_rows`` for ``points`` points, built once (the values are bound)."""
    parts = []
    for at in range(points):
        chat = bindparam(f"chat{at}", type_=BigInteger)
        is_overview = (OutboxMessage.chat_id == chat) & (OutboxMessage.purpose == "overview")
        send = select(OutboxMessage.id).where(is_overview, IS_WAITING, OutboxMessage.method == "send").limit(1)
        edit = select(OutboxMessage.id).where(is_overview, IS_WAITING, OutboxMessage.method == "edit",
                                              OutboxMessage.message_id == bindparam(f"message{at}", type_=Integer),
                                              OutboxMessage.status == PENDING).limit(1)
        later = or_(bindparam(f"stale{at}", type_=Boolean), select(OutboxMessage.id).where(
            OutboxMessage.chat_id == chat, OutboxMessage.method == "send",
            OutboxMessage.id > bindparam(f"since{at}", type_=Integer)).exists())
        parts.append(select(bindparam(f"point{at}", type_=Integer), send.scalar_subquery(), edit.scalar_subquery(),
                            later))
    return parts[0] if points == 1 else union_all(*parts)


async def _new_version(session: AsyncSession, row_id: int, payload: dict[str, Any]) -> None:
    """A message still waiting gets the newest text; the sender sees the version changed if it is on its way."""
    await session.execute(update(OutboxMessage).where(OutboxMessage.id == row_id)
                          .values(payload=payload, version=OutboxMessage.version + 1))


async def _edit_overviews(session: AsyncSession, edits: Sequence[tuple[Point, dict[str, Any]]]) -> None:
    rows = [{"chat_id": point.group_chat_id, "method": "edit", "message_id": point.overview_message_id,
             "payload": payload, "purpose": "overview"}
            for point, payload in edits if point.overview_message_id is not None and point.group_chat_id is not None]
    if rows:
        await session.execute(insert(OUTBOX), rows)


async def _post_overviews(session: AsyncSession, posts: Sequence[tuple[Point, dict[str, Any]]],
                          now: datetime) -> set[int]:
    if not posts:
        return set()
    queued = dict((await session.execute(
        insert(OUTBOX).returning(OUTBOX.c.chat_id, OUTBOX.c.id),
        [{"chat_id": point.group_chat_id, "method": "send", "payload": payload, "purpose": "overview"}
         for point, payload in posts])).all())
    for point, _ in posts:
        points.overview_queued(point, queued[point.group_chat_id], now)
    return {point.id for point, _ in posts}


Taken = Row[Any]
"""A row of the outbox as the sender read it: its columns, read only (no ORM object, which costs more to load)."""


async def due(session: AsyncSession, now: datetime, busy: Sequence[int], limit: int) -> Sequence[Taken]:
    """The oldest pending row of each chat, if it is due and its chat has no request in flight. A row that
    waits for its moment (``LATER``) does not hold up its chat meanwhile."""
    return (await session.execute(_DUE, {"now": now, "busy": list(busy), "limit": limit})).all()


def _due_statement() -> Any:
    """The statement of ``due``, built once: the sender asks it after every message."""
    now = bindparam("now", type_=OutboxMessage.not_before.type)
    heads = (select(func.min(OutboxMessage.id))
             .where(IS_WAITING, or_(OutboxMessage.purpose != LATER, OutboxMessage.not_before <= now))
             .group_by(OutboxMessage.chat_id))
    return (select(*OutboxMessage.__table__.c)
            .where(OutboxMessage.id.in_(heads),
                   or_(OutboxMessage.not_before.is_(None), OutboxMessage.not_before <= now),
                   OutboxMessage.chat_id.not_in(bindparam("busy", expanding=True)))
            .order_by(OutboxMessage.id)
            .limit(bindparam("limit", type_=Integer)))


_DUE = _due_statement()


async def recover_after_crash(session: AsyncSession) -> int:
    """Rows that were on their way when the last sender died: Telegram may have them already."""
    result = await session.execute(update(OutboxMessage).where(OutboxMessage.status == SENDING)
                                   .values(status=PENDING, in_doubt=True))
    return result.rowcount  # type: ignore[attr-defined]


async def start_sending(session: AsyncSession, row_ids: Sequence[int]) -> None:
    """Note that these rows are about to go out, so a crash in the middle leaves a trace."""
    await session.execute(_START_SENDING, {"ids": list(row_ids)})


_START_SENDING = update(OutboxMessage).where(OutboxMessage.id.in_(bindparam("ids", expanding=True))) \
    .values(status=SENDING).execution_options(synchronize_session=False)


async def last_sent_id(session: AsyncSession, chat_id: int) -> int | None:
    """The newest message the bot is known to have in ``chat_id``."""
    return await session.scalar(select(func.max(OutboxMessage.message_id))
                                .where(OutboxMessage.chat_id == chat_id, OutboxMessage.status == "sent"))


async def mark_sent(session: AsyncSession, row: Taken, message_id: int | None, now: datetime) -> None:
    """Done, in one conditional UPDATE; unless the row changed while it was on its way (a newer version of a
    card or an overview): then it stays, as an edit of what was sent.

    ``row`` is the row as the sender read it before sending; its purpose, method and version are what
    went out.
    """
    if row.purpose == "card" and row.signal_id:  # lock order as in put_card: the signal, then the row
        await session.execute(select(Signal.id).where(Signal.id == row.signal_id).with_for_update())
        if row.method == "send" and message_id:
            await signals.card_posted(session, row.signal_id, message_id)
    if row.purpose == "overview":  # and as in put_overview: the point, then the row
        await session.execute(select(Point.id).where(Point.group_chat_id == row.chat_id).with_for_update())
        if row.method == "send" and message_id:
            await points.overview_posted(session, row.id, message_id)
    done = await session.execute(_MARK_SENT, {"row": row.id, "seen_version": row.version, "at": now,
                                              "sent_as": message_id})
    if done.rowcount == 0:  # type: ignore[attr-defined]
        changed: dict[str, Any] = {"status": PENDING}
        if row.method == "send":
            changed.update(method="edit", message_id=message_id)
        await session.execute(update(OutboxMessage).where(OutboxMessage.id == row.id).values(**changed)
                              .execution_options(synchronize_session=False))


_MARK_SENT = update(OutboxMessage) \
    .where(OutboxMessage.id == bindparam("row"), OutboxMessage.version == bindparam("seen_version")) \
    .values(status="sent", sent_at=bindparam("at", type_=OutboxMessage.sent_at.type), payload={},
            last_error=None, in_doubt=False, message_id=bindparam("sent_as", type_=OutboxMessage.message_id.type)) \
    .execution_options(synchronize_session=False)


async def retry_later(session: AsyncSession, row_id: int, not_before: datetime, error: str,
                      count_attempt: bool = True, in_doubt: bool = False) -> None:
    row = await session.get_one(OutboxMessage, row_id)
    row.status = PENDING
    row.in_doubt = row.in_doubt or in_doubt
    row.not_before = not_before
    row.last_error = error[:200]
    if count_attempt:
        row.attempts += 1


async def post_again(session: AsyncSession, row_id: int) -> None:
    """The message this row edits is gone: send it as a new one."""
    row = await session.get_one(OutboxMessage, row_id)
    row.method, row.message_id, row.status = "send", None, PENDING


async def give_up(session: AsyncSession, row_id: int, status: str, error: str) -> None:
    """Stop trying one row (``failed``) or drop it (``dropped``); its text is removed either way."""
    row = await session.get_one(OutboxMessage, row_id)
    row.status, row.payload, row.last_error = status, {}, error[:200]


async def forget_signals(session: AsyncSession, signal_ids: list[int]) -> None:
    """Signals were anonymised: what still waits about them is not sent, and no row keeps a text of them."""
    await session.execute(update(OutboxMessage)
                          .where(OutboxMessage.signal_id.in_(signal_ids), OutboxMessage.status == PENDING)
                          .values(status="dropped", last_error="anonymised")
                          .execution_options(synchronize_session=False))
    await session.execute(update(OutboxMessage).where(OutboxMessage.signal_id.in_(signal_ids)).values(payload={})
                          .execution_options(synchronize_session=False))


async def drop_chat(session: AsyncSession, chat_id: int, error: str) -> int:
    """A user blocked the bot or it left a group: drop everything still waiting for that chat."""
    result = await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.chat_id == chat_id, OutboxMessage.status.in_(WAITING))
        .values(status="dropped", payload={}, last_error=error[:200])
    )
    return result.rowcount  # type: ignore[attr-defined]


async def move_chat(session: AsyncSession, old_chat_id: int, new_chat_id: int) -> None:
    """A group became a supergroup: what waited for the old id goes to the new one."""
    await session.execute(update(OutboxMessage)
                          .where(OutboxMessage.chat_id == old_chat_id,
                                 OutboxMessage.status.in_(WAITING))
                          .values(chat_id=new_chat_id, status=PENDING))
