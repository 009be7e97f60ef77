"""Campaign tools in Telegram (issue #14): arrivals from deep links, the opt-in to
updates (/subscribe, /stop, their buttons), and the wiring of counters, the report
schedule and broadcasts. Staff commands are in bot/telegram/campaign_staff.py."""

from __future__ import annotations

import contextlib
import logging
from typing import Any

from telegram import Message, Update
from telegram.error import TelegramError
from telegram.ext import Application, ContextTypes

from bot.campaign import messages as texts
from bot.campaign.optin import STOP, YES, OptIn, Subscribers, stop_button
from bot.campaign.report import Report
from bot.campaign.sender import Broadcaster
from bot.campaign.service import Campaign
from bot.core.identity import pseudonym
from bot.core.turn import Outcome
from bot.core.types import BotReply, Locale, as_locale
from bot.settings import Settings
from bot.telegram.handlers import on_update, send, services
from bot.telegram.render import keyboard

log = logging.getLogger(__name__)
REPORT_CHECK_SECONDS = 3600.0


def campaign(context: ContextTypes.DEFAULT_TYPE | Application) -> Campaign | None:  # type: ignore[type-arg]
    """The campaign service, if the bot has one."""
    found: Campaign | None = context.bot_data.get("campaign")
    return found


async def on_optin(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/subscribe, /stop and the sub: buttons."""
    message, user = update.effective_message, update.effective_user
    optin: OptIn | None = context.bot_data.get("optin")
    if message is None or user is None or optin is None:
        return
    query = update.callback_query
    if query is not None:
        with contextlib.suppress(TelegramError):
            await query.answer()
        data = query.data or ""
    else:
        command = (message.text or "").split()[0].split("@")[0].lower()
        data = "sub:offer" if command == "/subscribe" else STOP
    svc = services(context)
    words = " ".join(context.args or []) if query is None else ""
    if words and svc.conversation.gate.screen(words).tier in (1, 2):
        await on_update(update, context)  # words of danger after the command go first
    sender = pseudonym(svc.pseudonym_key, user.id)
    locale = await svc.conversation.locale_for(sender, user.language_code)
    reply = await optin.on_data(sender, message.chat_id, data, locale)
    await send(message, Outcome(locale, (reply,)), svc.catalogs)
    if data == YES and query is not None:  # the question's buttons have done their work
        with contextlib.suppress(TelegramError):
            await message.edit_reply_markup(None)


def broadcast_sender(app: Application) -> Any:  # type: ignore[type-arg]
    """How one broadcast copy goes out: the header, the text, a Stop button, as bulk."""
    msgids: dict[str, str] = {}  # read once per broadcast, not once per copy

    async def send_copy(chat_id: int, locale: str, key: str) -> None:
        svc, found = app.bot_data["services"], campaign(app)
        lang: Locale = as_locale(locale) or "en"
        if key not in msgids and found is not None:
            msgids.update(texts.load(found.locales_dir / "broadcasts.yml"))
        msgid = msgids.get(key, key)
        body = svc.catalogs.fill(msgid, {}, lang)
        text = f"{svc.catalogs.gettext(texts.HEADER, lang)}\n\n{body}"
        markup = keyboard(BotReply(msgid, buttons=(stop_button(),)), lang, svc.catalogs)
        await app.bot.send_message(
            chat_id, text, reply_markup=markup, rate_limit_args={"bulk": True}
        )

    return send_copy


def progress_shower(app: Application, optins: Subscribers) -> Any:  # type: ignore[type-arg]
    """How staff see progress: the stored message is edited (or written once)."""

    async def show(broadcast: int, text: str) -> None:
        where = await optins.progress_of(broadcast)
        if where is None:
            return
        chat, message = where
        if message is not None:
            with contextlib.suppress(TelegramError):  # "message is not modified"
                await app.bot.edit_message_text(text, chat, message)
            return
        sent: Message = await app.bot.send_message(chat, text)
        await optins.note_progress_message(broadcast, chat, sent.message_id)

    return show


async def post_report(app: Application, chat_id: int, report: Report) -> None:  # type: ignore[type-arg]
    """Post a report as documents: the summary, then every CSV and chart."""
    await app.bot.send_message(chat_id, report.summary)
    for name, data in report.files:
        await app.bot.send_document(chat_id, data, filename=name)


async def start(
    app: Application,  # type: ignore[type-arg]
    settings: Settings,
    found: Campaign,
) -> None:
    """In post_init: counters, sources, opt-in, broadcasts (resumed), the report schedule."""
    found.bot_username = app.bot.username or ""
    found.tally.start()
    try:
        problems = await found.sync_sources()
    except Exception as error:  # the campaign's tools never keep the bot from answering
        problems = [f"the database could not be read ({type(error).__name__})"]
    if problems:
        log.error("sources.yml refused, sources unchanged: %s", "; ".join(problems))
    app.bot_data["campaign"] = app.bot_data["services"].campaign = found
    optins = found.optins
    if optins is None:
        return
    app.bot_data["optin"] = OptIn(optins, found.tally)
    shower = progress_shower(app, optins)
    broadcaster = found.broadcaster(optins, broadcast_sender(app), shower)
    app.bot_data["broadcaster"] = broadcaster
    app.bot_data["optins"] = optins
    try:
        await broadcaster.resume()
    except Exception as error:  # resumed at the next start; people are answered meanwhile
        log.error("campaign: broadcasts not resumed: %s", type(error).__name__)
    staff_chat = settings.staff_chat_id
    if staff_chat is not None:

        async def post(report: Report) -> None:
            await post_report(app, staff_chat, report)

        found.start_schedule(post, REPORT_CHECK_SECONDS)


async def stop(app: Application) -> None:  # type: ignore[type-arg]
    """In post_shutdown: stop sending and write the last counts."""
    broadcaster: Broadcaster | None = app.bot_data.get("broadcaster")
    if broadcaster is not None:
        await broadcaster.stop()
    found = campaign(app)
    if found is not None:
        await found.close()
