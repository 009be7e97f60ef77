"""Wire the Telegram application: handlers, services, commands, polling or webhook."""

from __future__ import annotations

import asyncio
import functools
import logging
import signal
import socket
from urllib.parse import urlparse

import yaml
from telegram import BotCommand, Update
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot import assembly
from bot.campaign import optin
from bot.core import messages, privacy
from bot.core.dialogue import engine_session
from bot.core.types import LOCALES
from bot.handoff.desks import DeskError, load_desks
from bot.i18n import Catalogs
from bot.settings import Settings, SettingsError
from bot.telegram import campaign, campaign_staff, console, handlers, operators, receive, staff
from bot.telegram.aiohttp_request import AiohttpRequest
from bot.telegram.intake import Intake, JournalProcessor, LedgerRequest
from bot.telegram.limiter import PriorityRateLimiter
from bot.telegram.membership import MEMBER_READS, DeskGuard

log = logging.getLogger(__name__)
COMMANDS = (
    ("start", messages.COMMAND_START),
    ("help", messages.COMMAND_HELP),
    ("language", messages.COMMAND_LANGUAGE),
    ("quiz", messages.COMMAND_QUIZ),
    ("privacy", privacy.COMMAND_PRIVACY),
    ("hide", privacy.COMMAND_HIDE),
    ("forget", privacy.COMMAND_FORGET),
    ("subscribe", optin.COMMAND_SUBSCRIBE),
    ("stop", optin.COMMAND_STOP),
)
# chat_member: joins and leaves in desk groups (Telegram sends them only when asked)
UPDATES = [
    Update.MESSAGE,
    Update.EDITED_MESSAGE,
    Update.CALLBACK_QUERY,
    Update.CHANNEL_POST,
    Update.CHAT_MEMBER,
]


async def register_commands(app: Application, catalogs: Catalogs) -> None:  # type: ignore[type-arg]
    """setMyCommands once per language, so the "/" menu reads in the user's language."""
    for locale in LOCALES:
        commands = [BotCommand(name, catalogs.gettext(desc, locale)) for name, desc in COMMANDS]
        await app.bot.set_my_commands(commands, language_code=locale)
    default = [BotCommand(name, catalogs.gettext(desc, "en")) for name, desc in COMMANDS]
    await app.bot.set_my_commands(default)


def build_application(settings: Settings, intake: Intake) -> Application:  # type: ignore[type-arg]
    """The whole bot, ready to run; connections open in post_init, close in post_shutdown.
    Updates come in through the durable intake (bot/telegram/receive.py), not PTB's Updater."""
    try:
        desks = load_desks(settings.desks_file, settings.operator_chat_id)
    except (DeskError, OSError, yaml.YAMLError) as error:
        raise SettingsError(f"DESKS_FILE: {error}") from None

    async def post_init(app: Application) -> None:  # type: ignore[type-arg]
        http = engine_session()  # the bot's connections to its engines
        app.bot_data["http"] = http
        svc: handlers.Services | None = None

        def channel() -> operators.TelegramChannel:
            live = lambda: svc.catalogs if svc else catalogs  # noqa: E731
            return operators.TelegramChannel(app.bot, live, app.bot_data["guard"])

        core = await assembly.build(settings, http, desks, channel)
        catalogs = core.catalogs
        core.conversation.bot_link = f"https://t.me/{app.bot.username}"
        svc = handlers.Services(
            core.pipeline, catalogs, settings.pseudonym_key, settings.staff_ids,
            settings.locales_dir,
        )  # fmt: skip
        app.bot_data.update(services=svc, core=core, book=core.book)
        app.bot_data["staff_chat_id"] = settings.staff_chat_id  # where /cases may answer
        if isinstance(processor := app.update_processor, JournalProcessor):  # danger first
            processor.screen_with(functools.partial(handlers.urgent_on_arrival, svc=svc))
        await campaign.start(app, settings, core.campaign)
        await register_commands(app, catalogs)
        app.bot_data["console"] = await console.start_console(settings, http, core, svc)
        # `kill -HUP <bot pid>` reloads content like /reload does, validating it first.
        asyncio.get_running_loop().add_signal_handler(
            signal.SIGHUP, lambda: app.create_task(staff.reload_content(svc))
        )

    async def post_shutdown(app: Application) -> None:  # type: ignore[type-arg]
        # post_init may not have run (a token the server refused): stop what exists
        await campaign.stop(app)  # the last counts are written before the database closes
        if app.bot_data.get("console") is not None:
            await app.bot_data["console"].stop()
        if "core" in app.bot_data:
            await app.bot_data["core"].close()
        if "http" in app.bot_data:
            await app.bot_data["http"].close()

    app = (
        ApplicationBuilder()
        .token(settings.token)
        .base_url(f"{settings.api_base_url}/bot")
        .base_file_url(f"{settings.api_base_url}/file/bot")
        .rate_limiter(PriorityRateLimiter.for_broadcasts(settings.broadcast_rate, MEMBER_READS))
        .updater(None)
        .request(LedgerRequest(AiohttpRequest(connection_pool_size=256), intake))
        .get_updates_request(AiohttpRequest(connection_pool_size=1))
        .concurrent_updates(JournalProcessor(intake))
        .post_init(post_init)
        .post_shutdown(post_shutdown)
        .build()
    )
    guard = None
    if desks is not None:  # who is in the desks' groups, checked before case content goes
        guard = DeskGuard(
            app.bot,
            desks,
            settings.operator_ids,
            settings.desk_member_check,
            settings.staff_chat_id,
        )
    app.bot_data["guard"] = guard
    add_handlers(app, guard, settings.staff_chat_id)
    return app


def add_handlers(
    app: Application,  # type: ignore[type-arg]
    guard: DeskGuard | None = None,
    staff_chat: int | None = None,
) -> None:
    """Operators' desks get the hand-off, staff their tools; everything else a person
    sends (messages, edits, commands, buttons; in private or in a group) is one turn for
    the core's pipeline, which invites group members to a private chat and answers words
    of danger in a group with the numbers alone. (Telegram shows a bot a group's plain
    messages only when its privacy mode is off or it is an admin.)"""
    private = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGES
    if guard is not None:
        desk = filters.Chat(chat_id=guard.chats()) & filters.UpdateType.MESSAGE
        app.add_handler(MessageHandler(desk, operators.on_operator_message))
        member_changes = ChatMemberHandler.CHAT_MEMBER
        app.add_handler(
            ChatMemberHandler(guard.on_member_change, member_changes, chat_id=guard.chats())
        )
    app.add_handler(CallbackQueryHandler(operators.on_operator_button, pattern=r"^hc:"))
    app.add_handler(CommandHandler("cases", operators.on_cases))
    staff_only = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE
    app.add_handler(CommandHandler("reload", staff.on_reload, filters=staff_only))
    app.add_handler(CommandHandler("preview", staff.on_preview, filters=staff_only))
    app.add_handler(CommandHandler("directory", staff.on_directory, filters=staff_only))
    app.add_handler(CommandHandler("quizreport", staff.on_quiz_report, filters=staff_only))
    add_campaign_handlers(app, staff_only)
    app.add_handler(CommandHandler("console", console.on_console, filters=staff_only))
    app.add_handler(CallbackQueryHandler(handlers.on_button))
    app.add_handler(MessageHandler(private, handlers.on_update))
    groups = filters.ChatType.GROUPS & filters.UpdateType.MESSAGE
    if staff_chat is not None:  # staff discuss cases there: their words get no numbers
        groups = groups & (filters.COMMAND | ~filters.Chat(chat_id=staff_chat))
    app.add_handler(MessageHandler(groups, handlers.on_update))
    app.add_error_handler(handlers.on_error)


def add_campaign_handlers(app: Application, private: filters.BaseFilter) -> None:  # type: ignore[type-arg]
    """Campaign tools (#14): people's opt-in to updates, staff's sources, reports and
    broadcasts (/report also in the staff chat)."""
    app.add_handler(CommandHandler(["subscribe", "stop"], campaign.on_optin, filters=private))
    app.add_handler(CallbackQueryHandler(campaign.on_optin, pattern=r"^sub:"))
    app.add_handler(CommandHandler("source", campaign_staff.on_source, filters=private))
    report_filter = filters.UpdateType.MESSAGE
    app.add_handler(CommandHandler("report", campaign_staff.on_report, filters=report_filter))
    app.add_handler(CommandHandler("broadcast", campaign_staff.on_broadcast, filters=private))
    app.add_handler(CallbackQueryHandler(campaign_staff.on_broadcast_button, pattern=r"^bc:"))


def run(settings: Settings) -> None:
    """Long polling by default; a webhook when TELEGRAM_WEBHOOK_URL is set. Either way an
    update is confirmed to Telegram only once it is answered or journaled."""
    webhook = None
    owner = "poller"  # Telegram allows one long-polling process per bot
    if settings.webhook_url:
        webhook = receive.Webhook(
            settings.webhook_url,
            settings.webhook_listen,
            settings.webhook_port,
            urlparse(settings.webhook_url).path.lstrip("/"),
            settings.webhook_secret,
        )
        owner = f"{socket.gethostname()}:{settings.webhook_port}"
    writer = assembly.journal(settings, owner)
    intake = Intake(writer, settings.pseudonym_key)
    receive.run(build_application(settings, intake), intake, writer, UPDATES, webhook)
