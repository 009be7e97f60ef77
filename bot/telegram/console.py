"""The staff console's wiring in the Telegram adapter: started with the bot when STAFF_IDS
names someone, and `/console`, which answers staff with a one-time link.

The console (bot/console) reads the live content through Services, so what it shows is
what users get, after every /reload too, and its reload button is /reload's.
"""

from __future__ import annotations

import logging

import aiohttp
from telegram import LinkPreviewOptions, Update
from telegram.ext import ContextTypes

from bot import assembly
from bot.assembly import Core
from bot.console.access import Access
from bot.console.figures import Sources
from bot.console.trybot import TryBot
from bot.console.web import Console, Deps
from bot.core import messages
from bot.core.router import Conversation
from bot.core.types import BotReply, as_locale
from bot.i18n import Catalogs
from bot.settings import Settings
from bot.telegram.handlers import Services, on_update, services
from bot.telegram.staff import is_staff, reload_content

log = logging.getLogger(__name__)


def figure_sources(core: Core) -> Sources:
    """The figures the running bot keeps: quiz answers, hand-off case events."""
    lessons = core.conversation.lessons
    # the database's quiz store has the cells behind /quizreport (the figures module's)
    quiz = getattr(lessons.store, "report", None) if lessons else None
    handoff = core.book.store.events if core.book is not None else None
    return Sources(quiz, handoff, core.campaign.report)


async def start_console(
    settings: Settings, http: aiohttp.ClientSession, core: Core, svc: Services
) -> Console | None:
    """The console, listening; None (logged) when nobody is staff or the port is taken:
    the bot itself must start whatever happens to its console."""
    if not settings.staff_ids:
        log.info("staff console off: STAFF_IDS is empty")
        return None

    def live() -> tuple[Conversation, Catalogs]:
        return svc.conversation, svc.catalogs

    bench = assembly.test_bench(settings, http, core.conversation)
    core.closers.append(bench.close)
    deps = Deps(
        access=Access(core.conversation.state, settings.pseudonym_key),
        live=live,
        locales_dir=settings.locales_dir,
        reload=lambda: reload_content(svc),
        trybot=TryBot(bench.pipeline, live, core.conversation.state),
        figures=figure_sources(core),
        secure=settings.console_url.startswith("https://"),
    )
    console = Console(deps, settings.console_url, settings.console_listen, settings.console_port)
    try:
        await console.start()
    except OSError as error:
        log.error("staff console not started (port %d): %s", settings.console_port, error)
        await console.stop()
        return None
    return console


async def on_console(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/console: staff get a link that opens the console once, within 10 minutes; for
    anyone else (or without a console) the command does not exist."""
    message, user = update.effective_message, update.effective_user
    console: Console | None = context.bot_data.get("console")
    if message is None or user is None:
        return
    if not is_staff(update, context) or console is None:
        await on_update(update, context)
        return
    svc = services(context)
    reply = BotReply(messages.CONSOLE_LINK, {"link": await console.link()})
    locale = as_locale(user.language_code) or "en"
    text = svc.catalogs.render(reply, locale)
    # no link preview: a preview fetch must not even see the login page
    await message.reply_text(text, link_preview_options=LinkPreviewOptions(is_disabled=True))
    log.info("staff console: a link was issued")
