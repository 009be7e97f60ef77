"""Wire the Telegram application: handlers, services, commands, polling or webhook."""

from __future__ import annotations

import asyncio
import logging
import re
import signal
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlparse

import httpx
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

from bot.campaign import optin
from bot.campaign.counting import (
    CountingConsentStore,
    CountingDialogue,
    CountingHandoffStore,
    CountingQuizStore,
)
from bot.campaign.limiter import PriorityRateLimiter
from bot.campaign.service import Campaign
from bot.campaign.tally import Tally
from bot.core import content, messages, privacy
from bot.core.answers import AnswerBook
from bot.core.dialogue import Replicas
from bot.core.learning import Learning
from bot.core.quiz import load_book
from bot.core.router import Conversation
from bot.core.routing import load_ages
from bot.core.types import LOCALES
from bot.core.urgency import Gate, SafetyNet
from bot.core.urgency.model import load_or_train
from bot.handoff import escalation
from bot.handoff.cases import CaseBook
from bot.handoff.desks import DeskError, Desks, load_desks
from bot.handoff.engine import EngineControl
from bot.i18n import Catalogs
from bot.settings import LOCALES_DIR, MODELS_DIR, PROJECT_DIR, Settings, SettingsError
from bot.storage.broadcasts import SqlOptInStore
from bot.storage.campaign import SqlTallyStore
from bot.storage.handoff import HandoffStore
from bot.storage.quiz import SqlQuizStore
from bot.storage.retention import keep_purging
from bot.storage.session import StorageUnavailable, migrate, new_engine, new_sessionmaker
from bot.storage.users import SqlUserStore
from bot.telegram import campaign, campaign_staff, handlers, operators, staff
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


def domain_intents(domain: Path = PROJECT_DIR / "domain.yml") -> frozenset[str]:
    """Intents a button may trigger: exactly those the engine's domain declares."""
    data = yaml.safe_load(domain.read_text(encoding="utf-8"))
    return frozenset(str(i if isinstance(i, str) else next(iter(i))) for i in data["intents"])


async def register_commands(app: Application, catalogs: Catalogs) -> None:  # type: ignore[type-arg]
    """setMyCommands once per language, so the "/" menu reads in the user's language."""
    for locale in LOCALES:
        commands = [BotCommand(name, catalogs.gettext(desc, locale)) for name, desc in COMMANDS]
        await app.bot.set_my_commands(commands, language_code=locale)
    default = [BotCommand(name, catalogs.gettext(desc, "en")) for name, desc in COMMANDS]
    await app.bot.set_my_commands(default)


def load_safety_net(folder: Path = LOCALES_DIR / "safety_net") -> SafetyNet:
    """The danger phrases; an unreadable file is logged and the classifier carries on alone."""
    try:
        return SafetyNet.load(folder)
    except (OSError, ValueError, yaml.YAMLError, re.error) as error:
        log.error("safety net phrases unreadable, running without them: %s", error)
        return SafetyNet.empty()


async def load_gate_model(conversation: Conversation) -> None:
    """The gate's model (bot/core/urgency/model.py), read or trained off the event loop;
    the phrases screen alone until it is there, and if it cannot be had."""
    try:
        model = await asyncio.to_thread(load_or_train, PROJECT_DIR, MODELS_DIR)
    except Exception as error:  # the model must never keep the bot from answering
        log.error("gate model unavailable, the phrases screen alone: %s", type(error).__name__)
        return
    conversation.gate = Gate(conversation.gate.net, model)
    log.info("gate model loaded")


def load_answers(locales_dir: Path) -> AnswerBook:
    """What the engine's answers say; unreadable content is logged, and the bot still
    routes every risk answer by its intent (bot/core/router.py)."""
    try:
        return AnswerBook.load(locales_dir / "answers.yml")
    except (OSError, ValueError, yaml.YAMLError) as error:
        log.error("answers.yml unreadable, running without the engine's answers: %s", error)
        return AnswerBook.empty()


def load_lessons(locales_dir: Path, store: SqlQuizStore) -> Learning | None:
    """Sector tips and quizzes; unreadable content is logged and the bot runs without them."""
    try:
        return Learning(load_book(locales_dir / "quiz.yml"), store)
    except (OSError, ValueError, yaml.YAMLError) as error:
        log.error("quiz.yml unreadable, running without tips and quizzes: %s", error)
        return None


def start_handoff(
    app: Application,  # type: ignore[type-arg]
    settings: Settings,
    desks: Desks | None,
    svc: handlers.Services,
    book_parts: tuple[HandoffStore, EngineControl],
) -> None:
    """Wire the hand-off (#6): the case book, the user's hook, the escalation loop."""
    store, engine_control = book_parts
    book = None
    if desks is not None:
        book = CaseBook(
            desks,
            store,
            operators.TelegramChannel(app.bot, lambda: svc.catalogs, app.bot_data["guard"]),
            engine_control,
            settings.keys,
            settings.operator_ids,
            settings.staff_chat_id,
            timedelta(minutes=settings.handoff_escalate_minutes),
        )
        app.bot_data["escalation"] = escalation.start(book)
    svc.handoff = operators.HandoffDesk(book, svc.conversation, lambda: svc.catalogs)
    app.bot_data["handoff"] = svc.handoff


async def reseal_cases(book: CaseBook | None) -> None:
    """SEAL_KEYS rotation: at every start, open cases' chat ids move to the newest key."""
    if book is None:
        return
    try:
        count = await book.reseal()
    except StorageUnavailable:
        log.warning("sealed chat ids not re-sealed now: the database is unavailable")
        return
    if count:
        log.info("re-sealed %d open case(s) under the newest key", count)


def build_application(settings: Settings) -> Application:  # type: ignore[type-arg]
    """The whole bot, ready to run; connections open in post_init, close in post_shutdown."""
    engine = new_engine(settings.database_url)
    try:
        desks = load_desks(settings.desks_file, settings.operator_chat_id)
    except (DeskError, OSError, yaml.YAMLError) as error:
        raise SettingsError(f"DESKS_FILE: {error}") from None

    async def post_init(app: Application) -> None:  # type: ignore[type-arg]
        try:
            await asyncio.wait_for(asyncio.to_thread(migrate, engine), 30)
        except Exception as error:  # the bot must still answer without its database
            log.error("database migration failed, running without storage: %s", error)
        http = httpx.AsyncClient()
        app.bot_data["http"] = http
        # what is broken is logged and replaced by built-in texts or numbers, never shown
        loaded = content.start(settings.locales_dir)
        catalogs = loaded.catalogs
        sessions = new_sessionmaker(engine)
        # campaign figures (#14): the stores and the engine client count as they work
        tally = Tally(SqlTallyStore(sessions))
        privacy_store = CountingConsentStore(sessions, tally)
        replicas = Replicas(settings.rasa_url, settings.rasa_auth_token)
        conversation = Conversation(
            CountingDialogue(replicas, settings.rasa_timeout, http, tally),
            SqlUserStore(sessions),
            domain_intents(),
            load_safety_net(settings.locales_dir / "safety_net"),
            privacy=privacy.Privacy(privacy_store, settings.retention_days),
            lessons=load_lessons(settings.locales_dir, CountingQuizStore(sessions, tally)),
            directory=loaded.directory,
            ages=load_ages(settings.locales_dir),
            answers=load_answers(settings.locales_dir),
        )
        conversation.bot_link = f"https://t.me/{app.bot.username}"
        app.bot_data["gate_model"] = asyncio.create_task(load_gate_model(conversation))
        svc = handlers.Services(
            conversation,
            catalogs,
            settings.pseudonym_key,
            settings.staff_ids,
            settings.locales_dir,
            privacy_store,
        )
        app.bot_data["services"] = svc
        app.bot_data["staff_chat_id"] = settings.staff_chat_id  # where /cases may answer
        keep_for = timedelta(days=settings.retention_days)
        app.bot_data["retention"] = asyncio.create_task(
            keep_purging(privacy_store, keep_for, settings.retention_check_seconds)
        )
        handoff_store = CountingHandoffStore(new_sessionmaker(engine), tally)
        parts = (handoff_store, EngineControl(replicas, http))
        start_handoff(app, settings, desks, svc, parts)
        await reseal_cases(svc.handoff.book if svc.handoff else None)
        found = Campaign(sessions, tally, settings.locales_dir, schedule=settings.report_schedule)
        await campaign.start(app, settings, found, SqlOptInStore(sessions, settings.keys.sealer))
        await register_commands(app, catalogs)
        # `kill -HUP <bot pid>` reloads content like /reload does, validating it first.
        asyncio.get_running_loop().add_signal_handler(
            signal.SIGHUP, lambda: app.create_task(staff.reload_content(svc))
        )

    async def post_shutdown(app: Application) -> None:  # type: ignore[type-arg]
        # post_init may not have run (a token the server refused): stop what exists
        for task in ("retention", "gate_model"):
            if task in app.bot_data:
                app.bot_data[task].cancel()
        await campaign.stop(app)
        if "escalation" in app.bot_data:
            await escalation.stop(app.bot_data["escalation"])
        if "http" in app.bot_data:
            await app.bot_data["http"].aclose()
        engine.dispose()

    app = (
        ApplicationBuilder()
        .token(settings.token)
        .base_url(f"{settings.api_base_url}/bot")
        .base_file_url(f"{settings.api_base_url}/file/bot")
        .rate_limiter(PriorityRateLimiter.for_broadcasts(settings.broadcast_rate, MEMBER_READS))
        .concurrent_updates(True)
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
    add_handlers(app, guard)
    return app


def add_handlers(app: Application, guard: DeskGuard | None = None) -> None:  # type: ignore[type-arg]
    """Private chats get the bot; operators' desks get the hand-off; other groups get an
    invitation to a private chat."""
    private = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE
    if guard is not None:
        desk = filters.Chat(chat_id=guard.chats()) & filters.UpdateType.MESSAGE
        app.add_handler(MessageHandler(desk, operators.on_operator_message))
        member_changes = ChatMemberHandler.CHAT_MEMBER
        app.add_handler(
            ChatMemberHandler(guard.on_member_change, member_changes, chat_id=guard.chats())
        )
    app.add_handler(CallbackQueryHandler(operators.on_operator_button, pattern=r"^hc:"))
    app.add_handler(CommandHandler("cases", operators.on_cases))
    app.add_handler(CommandHandler("end", handlers.on_end, filters=private))
    app.add_handler(CommandHandler("start", handlers.on_start, filters=private))
    app.add_handler(CommandHandler("help", handlers.on_help, filters=private))
    app.add_handler(CommandHandler("language", handlers.on_language, filters=private))
    app.add_handler(CommandHandler("privacy", handlers.on_privacy, filters=private))
    app.add_handler(CommandHandler("forget", handlers.on_forget, filters=private))
    app.add_handler(CommandHandler("hide", handlers.on_hide, filters=private))
    app.add_handler(CommandHandler("quiz", handlers.on_quiz, filters=private))
    app.add_handler(CommandHandler("reload", staff.on_reload, filters=private))
    app.add_handler(CommandHandler("preview", staff.on_preview, filters=private))
    app.add_handler(CommandHandler("directory", staff.on_directory, filters=private))
    app.add_handler(CommandHandler("quizreport", staff.on_quiz_report, filters=private))
    app.add_handler(CommandHandler(["subscribe", "stop"], campaign.on_optin, filters=private))
    app.add_handler(CallbackQueryHandler(campaign.on_optin, pattern=r"^sub:"))
    app.add_handler(CommandHandler("source", campaign_staff.on_source, filters=private))
    app.add_handler(CommandHandler("report", campaign_staff.on_report))
    app.add_handler(CommandHandler("broadcast", campaign_staff.on_broadcast, filters=private))
    app.add_handler(CallbackQueryHandler(campaign_staff.on_broadcast_button, pattern=r"^bc:"))
    app.add_handler(CallbackQueryHandler(handlers.on_button))
    app.add_handler(MessageHandler(private & filters.TEXT & ~filters.COMMAND, handlers.on_text))
    app.add_handler(MessageHandler(private & ~filters.TEXT, handlers.on_media))
    app.add_handler(MessageHandler(private & filters.COMMAND, handlers.on_help))
    groups = filters.ChatType.GROUPS & filters.UpdateType.MESSAGE & filters.COMMAND
    app.add_handler(MessageHandler(groups, handlers.on_group))
    app.add_error_handler(handlers.on_error)


def run(settings: Settings) -> None:
    """Long polling by default; a webhook when TELEGRAM_WEBHOOK_URL is set."""
    app = build_application(settings)
    if settings.webhook_url:
        app.run_webhook(
            listen=settings.webhook_listen,
            port=settings.webhook_port,
            url_path=urlparse(settings.webhook_url).path.lstrip("/"),
            webhook_url=settings.webhook_url,
            secret_token=settings.webhook_secret,
            allowed_updates=UPDATES,
        )
    else:
        app.run_polling(allowed_updates=UPDATES)
