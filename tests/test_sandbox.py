"""The Bot API stand-in behaves like Telegram where the bot can tell: over real HTTP, with aiogram's own
Bot on one side and people (the control API) on the other; deliberately wrong requests go raw."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from dataclasses import asdict
from typing import Any

import aiohttp
import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import TelegramBadRequest, TelegramConflictError, TelegramForbiddenError, TelegramRetryAfter
from aiogram.types import (
    BotCommand,
    BotCommandScopeAllGroupChats,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)

from omzien.sandbox import server
from omzien.sandbox.client import SandboxClient, SandboxError
from omzien.sandbox.server import Sandbox
from omzien.sandbox.state import BOT_ID
from omzien.sandbox.traffic import Faults, Limits

TOKEN = "123456789:AAHsandboxTestTokenNotForTelegram00"
GENEROUS = Limits(per_second=10_000, per_chat_per_second=10_000, chat_burst=10_000, per_group_per_minute=10_000)


def keyboard(*buttons: tuple[str, str]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(text=t, callback_data=d) for t, d in buttons]])


@pytest.fixture
async def sandbox():
    """Flood limits out of the way; the flood tests set Telegram's own (the defaults) again."""
    async with Sandbox(TOKEN, limits=GENEROUS) as sandbox:
        yield sandbox


@pytest.fixture
async def client(sandbox):
    async with SandboxClient(sandbox.url) as client:
        yield client


@pytest.fixture
async def bot(sandbox):
    bot = Bot(TOKEN, session=AiohttpSession(api=TelegramAPIServer.from_base(sandbox.url)))
    yield bot
    await bot.session.close()


@pytest.fixture
async def http():
    async with aiohttp.ClientSession() as session:
        yield session


async def call(http: aiohttp.ClientSession, sandbox: Sandbox, method: str, **params: Any) -> tuple[int, dict]:
    """A raw Bot API request with a JSON body, as a bot not using aiogram would send it."""
    async with http.post(f"{sandbox.url}/bot{TOKEN}/{method}", json=params) as response:
        return response.status, await response.json()


async def confirm_all(bot: Bot, sent: dict[str, Any]) -> None:
    """The bot confirms every update up to the one ``sent`` brought (a person's message), so the next are new."""
    await bot.get_updates(offset=sent["update_id"] + 1, timeout=0)


# The bot and its updates


async def test_the_bot_learns_who_it_is_and_a_wrong_token_is_unauthorized(sandbox, bot, http) -> None:
    me = await bot.get_me()
    assert (me.id, me.is_bot, me.username, me.can_join_groups) == (BOT_ID, True, "omzien_sandbox_bot", True)

    async with http.get(f"{sandbox.url}/bot123:wrong/getMe") as response:
        assert response.status == 401
        assert await response.json() == {"ok": False, "error_code": 401, "description": "Unauthorized"}
    async with http.get(f"{sandbox.url}/bot{TOKEN}/GETME") as response:  # method names ignore case
        assert (await response.json())["result"]["id"] == BOT_ID


async def test_a_message_is_handed_out_until_the_bot_confirms_it_and_never_again(client, bot) -> None:
    piet = await client.user("Piet", language="nl")
    await piet.send("/start")

    updates = await bot.get_updates(timeout=0)
    assert [u.message.text for u in updates] == ["/start"]
    message = updates[0].message
    assert message.from_user.id == piet.id and message.chat.id == piet.id and message.chat.type == "private"
    assert [(e.type, e.offset, e.length) for e in message.entities] == [("bot_command", 0, 6)]
    assert [u.update_id for u in await bot.get_updates(timeout=0)] == [updates[0].update_id], "not confirmed yet"

    await piet.send("Hallo")
    after = await bot.get_updates(offset=updates[0].update_id + 1, timeout=0)
    assert [u.message.text for u in after] == ["Hallo"]
    assert after[0].update_id > updates[0].update_id
    await bot.get_updates(offset=after[0].update_id + 1, timeout=0)
    assert await bot.get_updates(timeout=0) == [], "confirmed updates are forgotten"


async def test_long_polling_waits_and_returns_as_soon_as_someone_writes(client, bot) -> None:
    piet = await client.user("Piet")
    started = time.monotonic()
    assert await bot.get_updates(timeout=1) == []
    assert time.monotonic() - started >= 0.9, "an empty long poll waits out its timeout"

    poll = asyncio.create_task(bot.get_updates(timeout=10))
    await asyncio.sleep(0.3)
    assert not poll.done()
    started = time.monotonic()
    await piet.send("Is daar iemand?")
    updates = await asyncio.wait_for(poll, timeout=2)
    assert [u.message.text for u in updates] == ["Is daar iemand?"]
    assert time.monotonic() - started < 1


async def test_a_newer_poll_ends_an_older_one_like_a_second_bot_instance(client, bot, sandbox) -> None:
    older = asyncio.create_task(bot.get_updates(timeout=5))
    await asyncio.sleep(0.2)
    assert await bot.get_updates(timeout=0) == []
    with pytest.raises(TelegramConflictError):
        await asyncio.wait_for(older, timeout=2)
    assert sandbox.refusals[-1]["error_code"] == 409


async def test_allowed_updates_is_remembered_and_filters_new_updates(client, bot) -> None:
    piet = await client.user("Piet")
    await piet.send("/start")
    await bot.get_updates(timeout=0, allowed_updates=["message"])
    sent = await bot.send_message(piet.id, "Kies", reply_markup=keyboard(("Ja", "yes")))
    await piet.tap("Ja", message_id=sent.message_id)
    await piet.send("nog iets")
    updates = await bot.get_updates(timeout=0)  # allowed_updates not repeated: still only messages
    assert [u.event_type for u in updates] == ["message", "message"]


# Refusals the bot can run into


async def test_the_bot_cannot_start_a_conversation(sandbox, client, bot) -> None:
    piet = await client.user("Piet")
    with pytest.raises(TelegramForbiddenError, match="bot can't initiate conversation with a user"):
        await bot.send_message(piet.id, "Hallo Piet")
    with pytest.raises(TelegramBadRequest, match="chat not found"):
        await bot.send_message(424242, "Hallo?")
    assert [(r["method"], r["error_code"], r["field"]) for r in await client.refusals()] == [
        ("sendMessage", 403, "chat_id"), ("sendMessage", 400, "chat_id")]
    assert await piet.chat() == []


async def test_a_person_who_blocks_the_bot_cannot_be_written_to(client, bot) -> None:
    piet = await client.user("Piet")
    await piet.send("/start")
    first = await bot.send_message(piet.id, "Welkom")
    await piet.block()

    updates = await bot.get_updates(timeout=0)
    change = updates[-1].my_chat_member
    assert (change.chat.id, change.from_user.id) == (piet.id, piet.id)
    assert (change.old_chat_member.status, change.new_chat_member.status) == ("member", "kicked")
    with pytest.raises(TelegramForbiddenError, match="bot was blocked by the user"):
        await bot.send_message(piet.id, "Hallo?")
    with pytest.raises(TelegramForbiddenError, match="bot was blocked by the user"):
        await bot.edit_message_text("Welkom!", chat_id=piet.id, message_id=first.message_id)

    await piet.send("/start")  # writing again unblocks, as in Telegram
    assert (await bot.send_message(piet.id, "Welkom terug")).text == "Welkom terug"


async def test_an_unknown_method_is_not_found_and_an_unsupported_one_is_refused(sandbox, http) -> None:
    assert await call(http, sandbox, "sendMesage", chat_id=1, text="x") == (
        404, {"ok": False, "error_code": 404, "description": "Not Found"})
    status, body = await call(http, sandbox, "sendPoll", chat_id=1, question="Hoe gaat het?",
                              options=[{"text": "Goed"}, {"text": "Slecht"}])
    assert (status, body["description"]) == (400, "Bad Request: method not supported by the sandbox")
    assert [r["method"] for r in sandbox.refusals] == ["sendMesage", "sendPoll"]


async def test_every_field_is_checked_against_the_spec(sandbox, client, http) -> None:
    piet = await client.user("Piet")
    await piet.send("/start")

    cases = [
        ({"chat_id": piet.id, "text": "x", "colour": "red"}, "Bad Request: unknown field 'colour'", "colour"),
        ({"text": "x"}, "Bad Request: field 'chat_id' is required", "chat_id"),
        ({"chat_id": 1.5, "text": "x"}, "Bad Request: field 'chat_id' must be Integer or String", "chat_id"),
        ({"chat_id": piet.id, "text": "x", "reply_markup": {"inline_keyboard": [[{"text": 5, "callback_data": "a"}]]}},
         "Bad Request: field 'reply_markup.inline_keyboard[0][0].text' must be String",
         "reply_markup.inline_keyboard[0][0].text"),
        ({"chat_id": piet.id, "text": "x", "reply_markup": {"inline_keyboard": [[{"text": "a", "data": "a"}]]}},
         "Bad Request: unknown field 'reply_markup.inline_keyboard[0][0].data'",
         "reply_markup.inline_keyboard[0][0].data"),
        ({"chat_id": piet.id, "text": "x", "link_preview_options": {"is_disabled": "yes"}},
         "Bad Request: field 'link_preview_options.is_disabled' must be Boolean", "link_preview_options.is_disabled"),
    ]
    for params, description, field in cases:
        assert await call(http, sandbox, "sendMessage", **params) == (
            400, {"ok": False, "error_code": 400, "description": description})
        assert sandbox.refusals[-1]["field"] == field
    _, body = await call(http, sandbox, "editMessageText", chat_id=piet.id, message_id="een", text="x")
    assert body["description"] == "Bad Request: field 'message_id' must be Integer"
    _, body = await call(http, sandbox, "setMyCommands", commands=[{"command": "start", "description": "x"}],
                              scope={"type": "all_groups"})
    assert "field 'scope.type' must be one of default, all_private_chats" in body["description"]
    assert await piet.chat() == [await piet.last()], "nothing refused was sent"


async def test_form_bodies_are_read_by_the_spec_types(sandbox, client, http) -> None:
    piet = await client.user("Piet")
    await piet.send("/start")
    form = {"chat_id": str(piet.id), "text": "Kies", "disable_notification": "true",
            "reply_markup": '{"inline_keyboard": [[{"text": "Ja", "callback_data": "yes"}]]}'}
    async with http.post(f"{sandbox.url}/bot{TOKEN}/sendMessage", data=form) as response:
        body = await response.json()
    assert body["ok"], body
    assert body["result"]["reply_markup"] == {"inline_keyboard": [[{"text": "Ja", "callback_data": "yes"}]]}
    async with http.get(f"{sandbox.url}/bot{TOKEN}/getUpdates", params={"timeout": "soon"}) as response:
        assert (await response.json())["description"] == "Bad Request: field 'timeout' must be Integer"


async def test_callback_data_is_at_most_64_bytes(sandbox, client, bot) -> None:
    piet = await client.user("Piet")
    await piet.send("/start")
    await bot.send_message(piet.id, "Past precies", reply_markup=keyboard(("Ja", "é" * 32)))  # 64 bytes
    with pytest.raises(TelegramBadRequest, match="callback_data must be 1-64 bytes") as refused:
        await bot.send_message(piet.id, "Te lang", reply_markup=keyboard(("Ja", "x" * 65)))
    assert "has 65" in refused.value.message
    assert sandbox.refusals[-1]["field"] == "reply_markup.inline_keyboard[0][0].callback_data"
    with pytest.raises(TelegramBadRequest, match="has 66"):
        await bot.send_message(piet.id, "Te lang", reply_markup=keyboard(("Ja", "é" * 33)))


async def test_text_length_counts_what_people_see_not_the_markup(client, bot) -> None:
    piet = await client.user("Piet")
    await piet.send("/start")
    with pytest.raises(TelegramBadRequest, match="message is too long"):
        await bot.send_message(piet.id, "a" * 4097)
    with pytest.raises(TelegramBadRequest, match="message text is empty"):
        await bot.send_message(piet.id, "<b> </b>", parse_mode="HTML")

    text = "<b>" + "a" * 4000 + "</b>" + "&amp;" * 96  # 4096 visible characters, 4587 in markup
    sent = await bot.send_message(piet.id, text, parse_mode="HTML")
    assert len(sent.text) == 4096 and sent.text.endswith("&&")
    assert [(e.type, e.offset, e.length) for e in sent.entities] == [("bold", 0, 4000)]


async def test_html_is_parsed_like_telegram_and_shown_safely(client, bot) -> None:
    piet = await client.user("Piet")
    await piet.send("/start")
    with pytest.raises(TelegramBadRequest, match="can't parse entities: Can't find end tag"):
        await bot.send_message(piet.id, "<b>Kenmerk", parse_mode="HTML")
    with pytest.raises(TelegramBadRequest, match='Unsupported start tag "script"'):
        await bot.send_message(piet.id, "<script>alert(1)</script>", parse_mode="HTML")

    await bot.send_message(piet.id, '<b>Vet</b> &lt;script&gt; 👋 <a href="https://omzien.nl/?a=1&amp;b=2">hier</a> '
                                    '<a href="javascript:alert(1)">niet</a>\n<i>regel</i>', parse_mode="HTML")
    shown = await piet.last()
    assert shown["text"] == "Vet <script> 👋 hier niet\nregel"
    assert shown["html"] == ('<b>Vet</b> &lt;script&gt; 👋 <a href="https://omzien.nl/?a=1&amp;b=2" target="_blank" '
                             'rel="noopener noreferrer">hier</a> niet\n<i>regel</i>')
    link = next(e for e in shown["entities"] if e.get("url", "").startswith("https"))
    assert (link["offset"], link["length"]) == (16, 4), "offsets count UTF-16 units: 👋 is two"


async def test_an_edit_that_changes_nothing_is_refused_and_a_real_one_shows_in_place(client, bot) -> None:
    piet = await client.user("Piet")
    await piet.send("/start")
    sent = await bot.send_message(piet.id, "<b>Stap 1</b>", parse_mode="HTML", reply_markup=keyboard(("Verder", "n")))
    with pytest.raises(TelegramBadRequest, match="message is not modified: specified new message content and reply "
                                                 "markup are exactly the same"):
        await bot.edit_message_text("<b>Stap 1</b>", chat_id=piet.id, message_id=sent.message_id, parse_mode="HTML",
                                    reply_markup=keyboard(("Verder", "n")))
    with pytest.raises(TelegramBadRequest, match="message to edit not found"):
        await bot.edit_message_text("Stap 2", chat_id=piet.id, message_id=sent.message_id + 50)

    edited = await bot.edit_message_text("Stap 2", chat_id=piet.id, message_id=sent.message_id,
                                         reply_markup=keyboard(("Klaar", "done")))
    assert edited.edit_date is not None
    messages = await piet.chat()
    assert [m["text"] for m in messages] == ["/start", "Stap 2"]
    assert messages[-1]["edit_date"] and messages[-1]["buttons"] == [[{"text": "Klaar", "callback_data": "done"}]]

    await bot.edit_message_reply_markup(chat_id=piet.id, message_id=sent.message_id)
    assert (await piet.last())["buttons"] == []
    await bot.delete_message(piet.id, sent.message_id)
    assert [m["text"] for m in await piet.chat()] == ["/start"]
    with pytest.raises(TelegramBadRequest, match="message to delete not found"):
        await bot.delete_message(piet.id, sent.message_id)


async def test_a_tap_reaches_the_bot_as_a_callback_query_that_can_be_answered_once(client, bot) -> None:
    piet = await client.user("Piet")
    await piet.send("/start")
    await bot.get_updates(offset=-1, timeout=0)
    sent = await bot.send_message(piet.id, "Wie bent u?", reply_markup=keyboard(("📮 Postbode", "role:post"),
                                                                                ("Buurman", "role:neighbour")))
    tapped = await piet.tap("postbode")

    update = (await bot.get_updates(timeout=0))[-1]
    query = update.callback_query
    assert update.update_id == tapped["update_id"] and query.id == tapped["callback_query_id"]
    assert (query.data, query.from_user.id, query.message.message_id) == ("role:post", piet.id, sent.message_id)
    assert query.message.reply_markup.inline_keyboard[0][1].text == "Buurman" and query.chat_instance

    assert await bot.answer_callback_query(query.id, text="Genoteerd", show_alert=True)
    assert [(a["text"], a["show_alert"]) for a in await piet.answers()] == [("Genoteerd", True)]
    for query_id in (query.id, "123"):
        with pytest.raises(TelegramBadRequest, match="query is too old and response timeout expired"):
            await bot.answer_callback_query(query_id)
    second = await piet.tap("Buurman")
    with pytest.raises(TelegramBadRequest, match="at most 200"):
        await bot.answer_callback_query(second["callback_query_id"], text="x" * 201)


async def test_a_tap_on_a_button_edited_away_is_refused_with_what_the_message_shows_now(client, bot) -> None:
    piet = await client.user("Piet")
    await confirm_all(bot, await piet.send("/start"))
    sent = await bot.send_message(piet.id, "Wat viel u op?", reply_markup=keyboard(("Brievenbus", "mail:off"),
                                                                                   ("Verder »", "next")))
    await bot.edit_message_reply_markup(chat_id=piet.id, message_id=sent.message_id,
                                        reply_markup=keyboard(("✅ Brievenbus", "mail:on"), ("Verder »", "next")))

    # What the chat page sends for the button it still showed: the old label and data.
    stale = {"from_id": piet.id, "label": "Brievenbus", "message_id": sent.message_id, "callback_data": "mail:off"}
    with pytest.raises(SandboxError) as refused:
        await client.request("POST", f"/chats/{piet.id}/tap", stale)
    assert (refused.value.status, refused.value.reason) == (404, "no_button")
    assert refused.value.details == {"message_id": sent.message_id, "buttons": ["✅ Brievenbus", "Verder »"]}
    assert "Brievenbus" in refused.value.message
    # A button whose data the edit kept still works, as in Telegram; so does a label alone (a test's tap).
    kept = await client.request("POST", f"/chats/{piet.id}/tap",
                                {**stale, "label": "Verder »", "callback_data": "next"})
    by_label = await piet.tap("Brievenbus", message_id=sent.message_id)
    updates = await bot.get_updates(timeout=0)
    assert [(u.update_id, u.callback_query.data) for u in updates] == [(kept["update_id"], "next"),
                                                                       (by_label["update_id"], "mail:on")]

    await bot.delete_message(piet.id, sent.message_id)
    with pytest.raises(SandboxError) as gone:
        await piet.tap("Verder", message_id=sent.message_id, timeout=0)
    assert (gone.value.status, gone.value.reason, gone.value.details) == (404, "no_message",
                                                                          {"message_id": sent.message_id})


async def test_groups_have_the_bot_as_administrator_and_their_members_write_there(client, bot) -> None:
    anna, bram, piet = await client.user("Anna"), await client.user("Bram"), await client.user("Piet")
    group = await client.group("Signaalpunt Noord", members=[anna, bram])
    assert group.id < -1_000_000_000_000

    added = (await bot.get_updates(timeout=0))[-1].my_chat_member
    assert (added.chat.id, added.chat.type, added.from_user.id) == (group.id, "supergroup", anna.id)
    assert (added.old_chat_member.status, added.new_chat_member.status) == ("left", "administrator")
    assert (await bot.get_chat_member(group.id, bram.id)).status == "member"
    assert (await bot.get_chat_member(group.id, piet.id)).status == "left"
    assert {m.status for m in await bot.get_chat_administrators(group.id)} == {"creator", "administrator"}
    assert (await bot.get_chat(group.id)).title == "Signaalpunt Noord"

    await bram.send("/koppel@omzien_sandbox_bot ABC123", chat=group)
    message = (await bot.get_updates(timeout=0))[-1].message
    assert (message.chat.id, message.from_user.id, message.entities[0].length) == (group.id, bram.id, 26)
    await bot.send_message(group.id, "Gekoppeld", reply_markup=keyboard(("Ik pak dit op", "claim:1")))
    await anna.tap("pak dit op", chat=group)
    assert (await bot.get_updates(timeout=0))[-1].callback_query.message.chat.id == group.id
    assert [c["title"] for c in await client.request("GET", f"/users/{anna.id}/chats")] == [
        "Omzien (sandbox)", "Signaalpunt Noord"]


async def test_a_reply_keyboard_shows_until_it_is_removed(client, bot) -> None:
    piet = await client.user("Piet")
    await piet.send("/start")
    await bot.send_message(piet.id, "Deelt u uw locatie?", reply_markup=ReplyKeyboardMarkup(
        keyboard=[[KeyboardButton(text="Ja"), KeyboardButton(text="Nee")]]))
    await bot.send_message(piet.id, "Nog even")
    chat = await client.chat(piet.id)
    assert chat["reply_keyboard"] == [["Ja", "Nee"]]
    assert [m["reply_keyboard"] for m in chat["messages"]] == [None, [["Ja", "Nee"]], None]
    await bot.send_message(piet.id, "Dank u", reply_markup=ReplyKeyboardRemove())
    assert (await client.chat(piet.id))["reply_keyboard"] is None


async def test_a_request_contact_button_sends_the_persons_number_as_a_contact_not_text(sandbox, client, bot,
                                                                                       http) -> None:
    piet, anna = await client.user("Piet", last_name="Jansen"), await client.user("Anna")
    await piet.send("/start")
    await confirm_all(bot, await anna.send("/start"))
    await bot.send_message(piet.id, "Op welk nummer kunnen we u bellen?", reply_markup=ReplyKeyboardMarkup(
        keyboard=[[KeyboardButton(text="📱 Deel mijn nummer", request_contact=True)], [KeyboardButton(text="Stop")]]))

    shown = await piet.press("Deel mijn nummer")
    contact = {"phone_number": f"+31 6 0000 {piet.id % 10_000:04d}", "first_name": "Piet", "last_name": "Jansen",
               "user_id": piet.id}
    assert (shown["text"], shown["contact"], shown["from"]["id"]) == ("", contact, piet.id)
    status, answer = await call(http, sandbox, "getUpdates", timeout=0)
    assert status == 200 and len(answer["result"]) == 1
    update = answer["result"][0]
    assert update["update_id"] == shown["update_id"]
    assert sandbox.spec.check(update, ["Update"], "update") == update, "the update is a Bot API Update"
    assert update["message"]["contact"] == contact
    assert "text" not in update["message"] and "entities" not in update["message"]

    message = (await bot.get_updates(timeout=0))[0].message  # as aiogram (so the bot) reads it
    assert (message.text, message.from_user.id, message.chat.id) == (None, piet.id, piet.id)
    assert (message.contact.phone_number, message.contact.user_id) == (contact["phone_number"], piet.id)
    # The number is invented per person; shared from the attachment menu it is the same number.
    shared = await anna.share_contact()
    assert shared["contact"]["phone_number"] != contact["phone_number"] and shared["contact"]["user_id"] == anna.id
    assert (await piet.share_contact())["contact"] == contact

    assert (await piet.press("Stop"))["text"] == "Stop", "a plain button still sends its text"
    with pytest.raises(SandboxError) as refused:
        await anna.press("Deel mijn nummer", timeout=0)  # the keyboard shows in Piet's chat only
    assert refused.value.reason == "no_button"
    await bot.send_message(piet.id, "Waar bent u?", reply_markup=ReplyKeyboardMarkup(
        keyboard=[[KeyboardButton(text="📍 Locatie", request_location=True)]], one_time_keyboard=True))
    with pytest.raises(SandboxError) as unsupported:
        await piet.press("Locatie")
    assert (unsupported.value.status, unsupported.value.reason) == (409, "unsupported_button")
    assert sandbox.refusals == []


async def test_commands_are_kept_per_scope_and_language(client, bot) -> None:
    commands = [BotCommand(command="koppel", description="Deze groep koppelen")]
    await bot.set_my_commands(commands, scope=BotCommandScopeAllGroupChats(), language_code="en")
    listed = await bot.get_my_commands(scope=BotCommandScopeAllGroupChats(), language_code="en")
    assert [(c.command, c.description) for c in listed] == [("koppel", "Deze groep koppelen")]
    assert await bot.get_my_commands(scope=BotCommandScopeAllGroupChats()) == []
    with pytest.raises(TelegramBadRequest, match="BOT_COMMAND_INVALID"):
        await bot.set_my_commands([BotCommand(command="Koppel!", description="x")])
    await bot.delete_my_commands(scope=BotCommandScopeAllGroupChats(), language_code="en")
    assert await bot.get_my_commands(scope=BotCommandScopeAllGroupChats(), language_code="en") == []


# Flood control and faults


async def test_flood_control_allows_a_short_burst_per_chat_then_answers_429(sandbox, client, bot) -> None:
    await client.limits(**asdict(Limits()))
    piet = await client.user("Piet")
    await piet.send("/start")
    await bot.send_message(piet.id, "Bericht 1", reply_markup=keyboard(("Ok", "ok")))
    for number in (2, 3):
        await bot.send_message(piet.id, f"Bericht {number}")
    with pytest.raises(TelegramRetryAfter) as refused:
        await bot.send_message(piet.id, "Eén te veel")
    assert 1 <= refused.value.retry_after <= 3
    assert sandbox.refusals[-1]["parameters"] == {"retry_after": refused.value.retry_after}
    tapped = await piet.tap("Ok")
    assert await bot.answer_callback_query(tapped["callback_query_id"]), "answers do not count as messages"

    await client.limits(chat_burst=1)
    anna = await client.user("Anna")
    await anna.send("/start")
    await bot.send_message(anna.id, "Eén")
    with pytest.raises(TelegramRetryAfter, match="retry after 1"):
        await bot.send_message(anna.id, "Twee")


async def test_a_group_gets_twenty_messages_a_minute(client, bot) -> None:
    await client.limits(per_second=30, per_group_per_minute=20)  # per chat stays generous: only the group limit
    anna = await client.user("Anna")
    group, other = (await client.group("Noord", members=[anna]), await client.group("Zuid", members=[anna]))
    for number in range(20):
        await bot.send_message(group.id, f"Signaal {number}")
    with pytest.raises(TelegramRetryAfter) as refused:
        await bot.send_message(group.id, "Signaal 21")
    assert 55 <= refused.value.retry_after <= 60
    assert (await bot.send_message(other.id, "Andere groep")).chat.id == other.id
    assert len(await anna.chat(chat=group)) == 20


async def _outcomes(url: str, chat_id: int, count: int) -> list[str]:
    """Send ``count`` messages raw; each one's fate: "ok", "error" (5xx), "flood" (429) or "cut" (no answer)."""
    outcomes = []
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(force_close=True)) as http:
        for number in range(count):
            try:
                async with http.post(f"{url}/bot{TOKEN}/sendMessage",
                                     json={"chat_id": chat_id, "text": f"nummer {number}"}) as response:
                    outcomes.append({200: "ok", 429: "flood"}.get(response.status,
                                                                  "error" if response.status >= 500 else "?"))
            except aiohttp.ServerDisconnectedError:
                outcomes.append("cut")
    return outcomes


async def test_faults_are_injected_in_the_shares_asked_and_cut_requests_are_not_carried_out() -> None:
    faults = Faults(error_share=0.2, cut_share=0.15, flood_share=0.1, delay_share=0.1, delay_seconds=0.01, seed=2026)
    runs = []
    for _ in range(2):  # the same seed gives the same faults
        async with Sandbox(TOKEN, limits=GENEROUS, faults=faults) as sandbox, SandboxClient(sandbox.url) as client:
            piet = await client.user("Piet")
            await piet.send("/start")
            outcomes = await _outcomes(sandbox.url, piet.id, 300)
            shown = [m["text"] for m in await piet.chat()][1:]
            report = await client.faults()
            runs.append(outcomes)
            assert await client.refusals() == [], "injected faults are not the bot's refusals"

        counted = Counter(outcomes)
        assert counted["?"] == 0
        assert report["counts"] == {"requests": 300, "errors": counted["error"], "cuts": counted["cut"],
                                    "floods": counted["flood"], "delays": report["counts"]["delays"]}
        assert 0.13 < counted["error"] / 300 < 0.27 and 0.09 < counted["cut"] / 300 < 0.21
        assert 0.05 < counted["flood"] / 300 < 0.15
        assert 0.05 < report["counts"]["delays"] / 300 < 0.15
        assert shown == [f"nummer {n}" for n, outcome in enumerate(outcomes) if outcome == "ok"], \
            "failed and cut requests are not carried out; delayed ones are"
    assert runs[0] == runs[1]


async def test_start_up_and_polling_are_spared_faults_unless_asked(client, bot, sandbox) -> None:
    await client.faults(error_share=1.0, seed=1)
    assert (await bot.get_me()).id == BOT_ID
    assert await bot.get_updates(timeout=0) == []
    await client.faults(error_share=1.0, all_methods=True)
    async with aiohttp.ClientSession() as http:
        status, _ = await call(http, sandbox, "getMe")
    assert status in (500, 502)
    assert (await client.faults())["counts"]["errors"] == 1
    assert sandbox.refusals == [], "injected faults are not the bot's refusals"


async def test_a_delayed_answer_comes_late_but_the_request_is_carried_out(sandbox, client, http) -> None:
    piet = await client.user("Piet")
    await piet.send("/start")
    await client.faults(delay_share=1.0, delay_seconds=0.5)
    started = time.monotonic()
    request = asyncio.create_task(call(http, sandbox, "sendMessage", chat_id=piet.id, text="Traag"))
    await piet.wait_for(lambda messages: messages[-1]["text"] == "Traag", timeout=0.4)
    assert not request.done()
    assert (await request)[0] == 200 and time.monotonic() - started >= 0.5


# The control API


async def test_changes_wake_a_waiting_reader_as_soon_as_something_shows(client, bot) -> None:
    piet = await client.user("Piet")
    await piet.send("/start")
    version = await client.changes()
    waiting = asyncio.create_task(client.changes(since=version, timeout=5))
    await asyncio.sleep(0.2)
    assert not waiting.done()
    started = time.monotonic()
    await bot.send_message(piet.id, "Hallo Piet")
    assert await asyncio.wait_for(waiting, timeout=1) > version
    assert time.monotonic() - started < 0.5
    assert await client.changes(since=version + 100, timeout=0.1) == version + 1


async def test_waiting_for_what_never_comes_fails_with_what_the_chat_shows(client, bot) -> None:
    piet = await client.user("Piet")
    await piet.send("/start")
    await bot.send_message(piet.id, "Wie bent u?", reply_markup=keyboard(("Postbode", "p")))
    with pytest.raises(AssertionError, match=r"(?s)waited 0.3 s.*'Wie bent u\?' buttons=\['Postbode'\]"):
        await piet.wait_for(lambda messages: any("Welkom" in m["text"] for m in messages), timeout=0.3)
    with pytest.raises(Exception, match=r"no button 'Buurman'.*Postbode"):
        await piet.tap("Buurman", timeout=0.2)


async def test_personas_are_kept_for_the_page(client) -> None:
    anna = await client.user("Anna")
    personas = [{"user_id": anna.id, "name": "Anna", "description": "medewerker", "chat_ids": [anna.id]}]
    assert await client.set_personas(personas) == personas
    assert await client.personas() == personas


async def test_the_page_is_served_and_only_from_its_folder(sandbox, http, tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(server, "PAGE", tmp_path)
    async with http.get(sandbox.url + "/") as response:
        assert response.status == 200 and "chat page is not installed" in await response.text()
    (tmp_path / "index.html").write_text("<h1>Omzien</h1>")
    (tmp_path / "app.js").write_text("console.log(1)")
    async with http.get(sandbox.url + "/") as response:
        assert await response.text() == "<h1>Omzien</h1>" and response.content_type == "text/html"
    async with http.get(sandbox.url + "/page/app.js") as response:
        assert response.content_type == "text/javascript"
    async with http.get(sandbox.url + "/page/..%2Fserver.py") as response:
        assert response.status == 404
