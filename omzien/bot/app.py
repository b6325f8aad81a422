"""The running bot: settings → database → Bot → start-up checks → Dispatcher → outbox sender → polling."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from contextlib import suppress
from datetime import datetime, timedelta
from typing import Any

from aiogram import Bot, Dispatcher, Router
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import TelegramAPIError, TelegramNetworkError, TelegramUnauthorizedError
from aiogram.types import (
    BotCommand,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    ErrorEvent,
    User,
)
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from omzien.bot import web
from omzien.bot.database import NoKeys, engine_for
from omzien.bot.metrics import Metrics, UpdateMetrics
from omzien.bot.middlewares import AccountMiddleware, FloodGuard, LocaleMiddleware, UpdateTransaction
from omzien.bot.polling import poll
from omzien.bot.sender import Sender
from omzien.core.i18n import LANGUAGES, load_i18n, pick_locale
from omzien.core.logs import error_summary
from omzien.core.settings import Settings
from omzien.handlers import get_routers
from omzien.handlers.group import LINK_TRIES, is_administrator, not_an_administrator_text
from omzien.handlers.limits import Attempts
from omzien.handlers.members import Membership
from omzien.services import monthly_figures, privacy, sweep
from omzien.storage import outbox, points
from omzien.storage.conversations import DatabaseStorage, forget_drafts_before, forget_handled_before
from omzien.storage.db import InUse, only_runner, prepare, session_factory
from omzien.storage.models import utcnow
from omzien.storage.offers import Catalogue
from omzien.storage.rekeying import keys_in_use
from omzien.storage.sealing import keys_of
from omzien.views.common import payload

log = logging.getLogger(__name__)


class StartupError(Exception):
    """The bot cannot start; the message says why in one sentence a person can act on."""


def make_bot(token: str, api_url: str | None = None) -> Bot:
    """A Bot for ``token``; with ``api_url`` its requests go to ``{api_url}/bot{token}/{method}``."""
    session = AiohttpSession(api=TelegramAPIServer.from_base(api_url)) if api_url else AiohttpSession()
    return Bot(token, session=session)


def make_dispatcher(sessions: async_sessionmaker[AsyncSession], i18n: I18n, settings: Settings,
                    wake_outbox: Callable[[], None], clock: Callable[[], datetime] = utcnow,
                    metrics: Metrics | None = None) -> Dispatcher:
    dispatcher = Dispatcher(storage=DatabaseStorage(sessions), disable_fsm=True,
                            settings=settings, i18n=i18n, clock=clock, catalogue=Catalogue(sessions),
                            membership=Membership(), link_attempts=Attempts(LINK_TRIES, 3600))
    if metrics is not None:
        dispatcher.update.outer_middleware(UpdateMetrics(metrics))
    dispatcher.update.outer_middleware(FloodGuard(sessions, wake_outbox, i18n, settings.flood_limit,
                                                  settings.flood_seconds))
    dispatcher.update.outer_middleware(UpdateTransaction(sessions, wake_outbox, clock))
    dispatcher.update.outer_middleware(AccountMiddleware(clock))
    dispatcher.update.outer_middleware(dispatcher.fsm)
    dispatcher.update.outer_middleware(LocaleMiddleware(i18n))
    dispatcher.include_routers(*get_routers())
    _filters_inline(dispatcher)

    async def on_error(event: ErrorEvent) -> bool:
        """Log without the message text, roll back (already done), and tell the person to try again."""
        error = event.exception
        log.error("Update %s failed: %s", event.update.update_id, error_summary(error))
        chat = event.update.message.chat if event.update.message else (
            event.update.callback_query.message.chat
            if event.update.callback_query and event.update.callback_query.message else None)
        user = event.update.message.from_user if event.update.message else (
            event.update.callback_query.from_user if event.update.callback_query else None)
        if chat is not None and chat.type == "private":
            locale = pick_locale(None, user.language_code if user else None, i18n.default_locale)
            with i18n.context(), i18n.use_locale(locale):
                text = _("Sorry, er ging bij mij iets mis. Probeer het zo nog eens; "
                         "wat u al had ingevuld, is bewaard.")
            async with sessions.begin() as session:
                outbox.send(session, chat.id, payload(text))
            wake_outbox()
        if event.update.callback_query is not None:
            with suppress(TelegramAPIError):
                await event.update.callback_query.answer()
        return True

    dispatcher.errors.register(on_error)
    return dispatcher


def _filters_inline(router: Router) -> None:
    """aiogram runs a filter that is not a coroutine function on a thread (``asyncio.to_thread``): a magic filter
    such as ``F.data == "x"`` takes microseconds but costs four hand-offs between threads. Omzien's filters only
    look at the update, so they run on the event loop."""
    for observer in router.observers.values():
        for handler in (observer._handler, *observer.handlers):  # the router's own filters, then each handler's
            for check in handler.filters or ():
                if not check.awaitable:
                    check.callback, check.awaitable = _on_the_loop(check.callback), True
    for child in router.sub_routers:
        _filters_inline(child)


def _on_the_loop(call: Callable[..., Any]) -> Callable[..., Awaitable[Any]]:
    async def checked(*args: Any, **kwargs: Any) -> Any:
        return call(*args, **kwargs)
    return checked


async def check_bot(bot: Bot) -> User:
    """Ask Telegram who we are; a wrong token stops the start, an unreachable Telegram is waited for."""
    delay = 1.0
    while True:
        try:
            return await bot.get_me()
        except TelegramUnauthorizedError:
            raise StartupError(_("Telegram kent dit token niet. Controleer OMZIEN_BOT_TOKEN.")) from None
        except TelegramNetworkError:
            log.warning("Telegram is not reachable; trying again in %.0f s", delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 60.0)


async def check_keys(engine: AsyncEngine, settings: Settings) -> None:
    """What is stored must open with the keys we have: stop with one sentence if not, before anything is sent."""
    keys = keys_of(engine.dialect)
    async with engine.connect() as connection:
        in_use = await connection.run_sync(keys_in_use)
    if missing := in_use - set(keys.ids):
        raise StartupError(_("Een deel van de gegevens is versleuteld met een sleutel die Omzien nu niet heeft "
                             "({keys}). Zet die sleutel terug in OMZIEN_SECRET_KEY of in {file}.").format(
            keys=", ".join(sorted(missing)), file=settings.key_file))
    if in_use - {keys.current}:
        log.warning("Some data is still sealed with an older key: run 'omzien privacy rotate-key' to finish")


async def check_groups(bot: Bot, sessions: async_sessionmaker[AsyncSession]) -> None:
    """Each linked group: the bot must be an administrator there to hear who leaves; say so where it is not."""
    async with sessions() as session:
        groups = [(p.name, p.group_chat_id) for p in await points.all_points(session) if p.group_chat_id]
    for name, chat_id in groups:
        if not await is_administrator(bot, chat_id):
            log.warning("%s (group %s): %s", name, chat_id, not_an_administrator_text())


async def register_commands(bot: Bot, i18n: I18n) -> None:
    """The command menu, in every language, for private chats and for groups."""
    for locale in LANGUAGES:
        with i18n.use_locale(locale):
            private = [
                BotCommand(command="start", description=_("Begin of kies opnieuw")),
                BotCommand(command="melden", description=_("Ik maak me zorgen om iemand")),
                BotCommand(command="taal", description=_("Taal kiezen")),
                BotCommand(command="cancel", description=_("Stoppen met wat u aan het doen bent")),
                BotCommand(command="tips", description=_("Tips: eenzaamheid opmerken")),
                BotCommand(command="maandbericht", description=_("Elke maand: wat er in uw buurt is opgepakt")),
                BotCommand(command="help", description=_("Uitleg")),
                BotCommand(command="privacy", description=_("Wat Omzien bewaart, en hoe lang")),
            ]
            group = [BotCommand(command="open", description=_("Overzicht van de signalen die wachten")),
                     BotCommand(command="koppel", description=_("Deze groep koppelen aan een signaalpunt"))]
        language = None if locale == i18n.default_locale else locale
        await bot.set_my_commands(private, scope=BotCommandScopeAllPrivateChats(), language_code=language)
        await bot.set_my_commands(group, scope=BotCommandScopeAllGroupChats(), language_code=language)


async def housekeeping(sessions: async_sessionmaker[AsyncSession]) -> None:
    """Every hour: forget update ids after two days (Telegram redelivers for at most one) and
    half-written reports after one day (they hold an address); anonymise what has had its time."""
    while True:
        try:
            async with sessions.begin() as session:
                await forget_handled_before(session, utcnow() - timedelta(days=2))
                await forget_drafts_before(session, utcnow() - timedelta(days=1))
            purged = await privacy.purge(sessions.kw["bind"], utcnow())
            if purged.anything:
                log.info("privacy: %s signals anonymised, %s accounts removed", purged.signals, purged.accounts)
        except Exception as error:
            log.error("Housekeeping failed: %s", error_summary(error))
        await asyncio.sleep(3600)


async def sweep_now(sessions: async_sessionmaker[AsyncSession], i18n: I18n, wake_outbox: Callable[[], None],
                    clock: Callable[[], datetime] = utcnow, metrics: Metrics | None = None) -> None:
    """One sweep of the clock; a failure is logged and the next minute tries again."""
    try:
        started = time.perf_counter()
        if await sweep.sweep(sessions, i18n, clock()):
            wake_outbox()
        if metrics is not None:
            metrics.sweep.observe(time.perf_counter() - started)
    except Exception as error:
        log.error("Sweep failed: %s", error_summary(error))


def start_scheduler(sessions: async_sessionmaker[AsyncSession], i18n: I18n,
                    wake_outbox: Callable[[], None], metrics: Metrics | None = None) -> AsyncIOScheduler:
    """The scheduler only triggers sweeps; the deadlines live in the database (see omzien.storage.sla)."""
    scheduler = AsyncIOScheduler(timezone="UTC")
    scheduler.add_job(sweep_now, IntervalTrigger(minutes=1), args=[sessions, i18n, wake_outbox, utcnow, metrics],
                      id="sweep", coalesce=True, max_instances=1, next_run_time=utcnow())
    scheduler.add_job(monthly_figures_now, IntervalTrigger(minutes=15), args=[sessions, i18n, wake_outbox],
                      id="monthly_figures", coalesce=True, max_instances=1)
    scheduler.start()
    return scheduler


async def monthly_figures_now(sessions: async_sessionmaker[AsyncSession], i18n: I18n,
                              wake_outbox: Callable[[], None]) -> None:
    """The coordinators' monthly figures, on the first working day of a month (the point row remembers them), and
    the signallers' monthly thank-you (the account row remembers it)."""
    try:
        if await monthly_figures.send_monthly(sessions, i18n, utcnow()) \
                + await monthly_figures.thank_signallers(sessions, i18n, utcnow()):
            wake_outbox()
    except Exception as error:
        log.error("Monthly figures failed: %s", error_summary(error))


async def run(settings: Settings, token: str, handle_signals: bool = True) -> None:
    """Create or migrate the database, check Telegram, then poll (or serve the webhook) until stopped (Ctrl-C)."""
    try:
        with only_runner(settings.database_url):
            await _run(settings, token, handle_signals)
    except InUse as error:
        raise StartupError(_("Er draait al een Omzien op deze database ({file}). Stop die eerst, of gebruik "
                             "PostgreSQL om er meer tegelijk te laten draaien.").format(file=error)) from None


async def _run(settings: Settings, token: str, handle_signals: bool) -> None:
    try:
        engine = engine_for(settings)
    except NoKeys as error:
        raise StartupError(str(error)) from None
    await prepare(engine)
    await check_keys(engine, settings)
    sessions = session_factory(engine)
    i18n = load_i18n(settings.language)
    bot = make_bot(token, settings.telegram_api_url)
    background: list[asyncio.Task[None]] = []
    scheduler: AsyncIOScheduler | None = None
    server: web.WebServer | None = None
    metrics = Metrics(sessions)
    dispatcher: Dispatcher | None = None
    try:
        with i18n.context():
            me = await check_bot(bot)
            await register_commands(bot, i18n)
            await check_groups(bot, sessions)
        log.info("Omzien runs as @%s", me.username)
        sender = Sender(bot, sessions)
        dispatcher = make_dispatcher(sessions, i18n, settings, sender.wake, metrics=metrics)
        background = [asyncio.create_task(sender.run()), asyncio.create_task(housekeeping(sessions)),
                      asyncio.create_task(dispatcher["catalogue"].current())]  # the offer index, before anyone asks
        scheduler = start_scheduler(sessions, i18n, sender.wake, metrics)
        with i18n.context():
            server = await web.start(settings, token, bot, dispatcher, sessions, metrics)
        if settings.webhook_url:  # Telegram posts the updates; the web server hands them to the dispatcher
            await web.until_stopped(handle_signals)
            return
        # Updates side by side, each chat's in order; one is confirmed to Telegram only after it was
        # handled (and committed), so a crash never loses one; the handled-updates table stops a repeat.
        await poll(dispatcher, bot, allowed_updates=dispatcher.resolve_used_update_types(),
                   handle_signals=handle_signals)
    finally:
        if server is not None:
            await server.stop()
        if scheduler is not None:
            scheduler.shutdown(wait=False)
        for task in background:
            task.cancel()
        await asyncio.gather(*background, return_exceptions=True)
        if dispatcher is not None:
            await dispatcher["catalogue"].close()
        await bot.session.close()
        await engine.dispose()
