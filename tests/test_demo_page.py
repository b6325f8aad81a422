"""The chat page of ``omzien demo`` in a real browser: a deliverer reports, a worker claims, the
claimer gets the address privately — played by clicking and typing as a visitor would.

Needs Debian's Chromium (/usr/bin/chromium) and the ``playwright`` package (no browser download:
the test launches that Chromium). Screenshots go to $OMZIEN_SCREENSHOT_DIR, else to the test's
temporary folder.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync"]
WAIT_MS = 15_000  # the bot answers through the stand-in; the page learns of it by long polling
BROWSER = {"locale": "nl-NL", "timezone_id": "Europe/Amsterdam"}  # times on the page match the bot's texts

pytestmark = pytest.mark.skipif(not CHROMIUM.exists() and shutil.which("chromium") is None,
                                reason="Chromium is not installed (apt-get install chromium)")
playwright_api = pytest.importorskip(
    "playwright.async_api", reason="the playwright package is not installed (pip install playwright)")
async_playwright, expect = playwright_api.async_playwright, playwright_api.expect
expect.set_options(timeout=WAIT_MS)

ADDRESS = "3044 AB 12"


def chromium_path() -> str:
    return str(CHROMIUM) if CHROMIUM.exists() else str(shutil.which("chromium"))


async def play_as(page, name: str) -> None:
    await page.locator("#personas").get_by_role("button", name=re.compile(rf"^{re.escape(name)},")).click()


async def open_chat(page, title: str) -> None:
    await page.locator("#chat-list").get_by_role("button", name=re.compile(rf"^{re.escape(title)}")).click()


async def say(page, text: str) -> None:
    await page.get_by_label("Bericht", exact=True).fill(text)
    await page.get_by_label("Bericht", exact=True).press("Enter")


async def tap(page, label: str) -> None:
    """Tap the inline button with exactly this label on the newest message that has one."""
    await page.locator("#messages").get_by_role("button", name=label, exact=True).last.click()


def newest_message(page):
    return page.locator("#messages .msg").last


async def test_a_deliverer_reports_and_a_worker_claims_in_the_browser(tmp_path: Path) -> None:
    from omzien.cli.demo import demo_running

    shots = Path(os.environ.get("OMZIEN_SCREENSHOT_DIR") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    database_url = f"sqlite+aiosqlite:///{tmp_path}/demo.sqlite3"

    async with demo_running(port=0, database_url=database_url) as demo, async_playwright() as playwright:
        await play_the_chain(demo, playwright, shots)


async def test_a_stale_button_is_explained_in_dutch_and_a_contact_button_shares_a_number() -> None:
    """Without the bot: the test plays the bot through aiogram, and keeps the page from hearing of an edit."""
    from aiogram import Bot
    from aiogram.client.session.aiohttp import AiohttpSession
    from aiogram.client.telegram import TelegramAPIServer
    from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup, KeyboardButton, ReplyKeyboardMarkup

    from omzien.sandbox.client import SandboxClient
    from omzien.sandbox.server import Sandbox

    def buttons(label: str, data: str) -> InlineKeyboardMarkup:
        return InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(text=label, callback_data=data)]])

    token = "123456789:AAHsandboxTestTokenNotForTelegram00"
    async with Sandbox(token) as sandbox, SandboxClient(sandbox.url) as client, async_playwright() as playwright:
        bot = Bot(token, session=AiohttpSession(api=TelegramAPIServer.from_base(sandbox.url)))
        browser = await playwright.chromium.launch(executable_path=chromium_path(), headless=True, args=LAUNCH_ARGS)
        try:
            piet = await client.user("Piet")
            await client.set_personas([{"user_id": piet.id, "name": "Piet", "description": "bewoner"}])
            started = await piet.send("/start")
            await bot.send_message(piet.id, "Op welk nummer kunnen we u terugbellen?", reply_markup=ReplyKeyboardMarkup(
                keyboard=[[KeyboardButton(text="📱 Deel mijn nummer", request_contact=True)]]))
            page = await browser.new_page(**BROWSER)
            problems: list[str] = []
            page.on("pageerror", lambda error: problems.append(str(error)))
            await page.goto(sandbox.url + "/")
            await play_as(page, "Piet")

            # The reply-keyboard button shares Piet's (invented) number: a contact, not its label as text.
            await page.locator("#reply-keyboard").get_by_role("button", name="📱 Deel mijn nummer").click()
            await expect(page.locator("#messages .msg-out").last).to_contain_text("+31 6 0000 ")
            updates = await bot.get_updates(offset=started["update_id"] + 1, timeout=0)
            assert [(u.message.text, u.message.contact.user_id) for u in updates] == [(None, piet.id)]

            # The page stops hearing of changes; the bot edits the buttons away under Piet's finger.
            await page.route("**/sandbox/changes*", lambda route: None)  # held: never answered
            sent = await bot.send_message(piet.id, "Wat viel u op?", reply_markup=buttons("Brievenbus", "mail:off"))
            await expect(page.get_by_role("button", name="Brievenbus", exact=True)).to_be_visible()
            await bot.edit_message_reply_markup(chat_id=piet.id, message_id=sent.message_id,
                                                reply_markup=buttons("✅ Brievenbus", "mail:on"))
            await tap(page, "Brievenbus")
            await expect(page.locator("#toast")).to_have_text(
                "Deze knop is veranderd. Kijk naar het bericht hierboven.")
            await expect(newest_message(page).get_by_role("button", name="✅ Brievenbus")).to_be_visible()
            assert await bot.get_updates(offset=updates[-1].update_id + 1, timeout=0) == [], "nothing reached the bot"
            assert problems == [], f"errors in the page: {problems}"
        finally:
            await browser.close()
            await bot.session.close()


async def play_the_chain(demo, playwright, shots: Path) -> None:
    """Piet reports, Anna claims and gets the address, Bram sees it taken, Piet hears it; then a phone."""
    browser = await playwright.chromium.launch(executable_path=chromium_path(), headless=True, args=LAUNCH_ARGS)
    try:
        laptop = await browser.new_page(viewport={"width": 1280, "height": 800}, **BROWSER)
        problems: list[str] = []
        laptop.on("pageerror", lambda error: problems.append(str(error)))
        await laptop.goto(demo.url.rstrip("/") + "/")
        await expect(laptop.get_by_role("heading", name="Omzien — demo")).to_be_visible()
        for persona in demo.personas:
            await expect(laptop.locator("#personas").get_by_role(
                "button", name=re.compile(rf"^{re.escape(persona['name'])},"))).to_be_visible()

        # Piet, the deliverer, starts with an empty chat and the bot asks who he is.
        await play_as(laptop, "Piet")
        await expect(laptop.get_by_text("Stuur /start om te beginnen")).to_be_visible()
        await laptop.get_by_role("button", name="Start", exact=True).click()
        await expect(newest_message(laptop)).to_contain_text("Wat brengt u hier?")
        await tap(laptop, "Ik maak me zorgen om iemand")
        await expect(newest_message(laptop)).to_contain_text("wie bent u?")
        await tap(laptop, "Bezorging")
        await expect(newest_message(laptop)).to_contain_text("Kies wat het best past")
        await tap(laptop, "Postbode of pakketbezorger")
        await expect(laptop.locator("#reply-keyboard").get_by_role(
            "button", name="Ik maak me zorgen om iemand")).to_be_visible()

        # The report, step by step; each step is the same message, edited in place.
        await say(laptop, ADDRESS)
        await expect(laptop.locator("#messages .msg-out").last).to_contain_text(ADDRESS)
        await expect(newest_message(laptop)).to_contain_text(f"Wat viel u op bij {ADDRESS}?")
        await tap(laptop, "Overvolle brievenbus")
        await expect(newest_message(laptop).get_by_role("button", name="✅ Overvolle brievenbus")).to_be_visible()
        await expect(newest_message(laptop)).to_contain_text("bewerkt")
        await tap(laptop, "Verder »")
        await expect(newest_message(laptop)).to_contain_text("Weet de bewoner dat u dit doorgeeft?")
        await tap(laptop, "Weet ik niet")
        await expect(newest_message(laptop)).to_contain_text("Wilt u nog iets vertellen")
        await tap(laptop, "Overslaan")
        await expect(newest_message(laptop)).to_contain_text("Mag het signaalpunt contact met u opnemen")
        await tap(laptop, "Ja")
        await expect(newest_message(laptop)).to_contain_text("Klopt dit?")
        await tap(laptop, "✉️ Versturen")
        await expect(laptop.locator("#toast")).to_have_text("Verstuurd")
        await expect(laptop.locator("#messages")).to_contain_text("Signaalpunt Demodorp")
        reference = re.search(r"S-[0-9A-Z]{4}", await laptop.locator("#messages").inner_text())
        assert reference, "the reporter gets a reference"

        # Anna sees the card in the group (no address there), claims it, and gets the address privately.
        anna = laptop.locator("#personas").get_by_role("button", name=re.compile(r"^Anna,"))
        await expect(anna).to_have_accessible_name(re.compile("nieuw"))
        await play_as(laptop, "Anna")
        card = laptop.locator("#messages .msg", has_text=f"Signaal {reference.group()}")
        await expect(card).to_contain_text("postcode 3044")
        await expect(card).not_to_contain_text("AB 12")
        await card.get_by_role("button", name="🙋 Ik pak dit op").click()
        await expect(card).to_contain_text("opgepakt door Anna")
        await expect(card.get_by_role("button")).to_have_count(0)
        await expect(laptop.locator("#toast")).to_contain_text("Het adres staat in je privégesprek")
        await open_chat(laptop, "Omzien")
        await expect(newest_message(laptop)).to_contain_text(ADDRESS)
        await expect(newest_message(laptop).get_by_role("button", name="Contact gemaakt")).to_be_visible()
        await expect(laptop.locator("#toast")).to_be_hidden()
        await laptop.screenshot(path=str(shots / "demo-laptop.png"), animations="disabled")

        # Bram sees the same card, already claimed; Piet hears that his report was picked up.
        await play_as(laptop, "Bram")
        await open_chat(laptop, "Signaalpunt Demodorp")
        await expect(laptop.locator("#messages .msg", has_text=reference.group())).to_contain_text(
            "opgepakt door Anna")
        await play_as(laptop, "Piet")
        await expect(newest_message(laptop)).to_contain_text("is opgepakt")
        assert problems == [], f"errors in the page: {problems}"

        # The same page on a phone-sized window: no sideways scrolling, everything still there.
        phone = await browser.new_page(viewport={"width": 390, "height": 844}, device_scale_factor=2,
                                       is_mobile=True, has_touch=True, **BROWSER)
        await phone.goto(demo.url.rstrip("/") + "/")
        await play_as(phone, "Anna")
        await open_chat(phone, "Signaalpunt Demodorp")
        await expect(phone.locator("#messages")).to_contain_text("opgepakt door Anna")
        await open_chat(phone, "Omzien")
        await expect(newest_message(phone)).to_contain_text(ADDRESS)
        await play_as(phone, "Piet")
        await expect(newest_message(phone)).to_contain_text("is opgepakt")
        await expect(phone.locator("#reply-keyboard")).to_be_visible()
        await expect(newest_message(phone)).to_be_in_viewport()
        width = await phone.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"the page scrolls sideways on a phone ({width}px wide)"
        await phone.screenshot(path=str(shots / "demo-phone.png"), animations="disabled")
    finally:
        await browser.close()
