"""Build the core from the settings: stores, shared state, conversation, hand-off, pipeline.

The Telegram adapter calls `build` in post_init (with its Channel for the desks) and
`Core.close` in post_shutdown; nothing here runs at import time. This is the only place
that knows which storage and state implementations are used: SQLAlchemy for the database,
Redis for shared state when REDIS_URL is set (else this process's memory).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import aiohttp
import yaml

from bot.campaign.counting import (
    CountingConsentStore,
    CountingDialogue,
    CountingHandoffStore,
    CountingQuizStore,
)
from bot.campaign.service import Campaign
from bot.campaign.tally import Tally
from bot.core import clock, content, privacy
from bot.core.answers import AnswerBook
from bot.core.dialogue import RasaRestClient, Replicas
from bot.core.fairness import Budget
from bot.core.learning import Learning
from bot.core.pipeline import Pipeline
from bot.core.quiz import load_book
from bot.core.record import Recorder
from bot.core.resilient import ResilientState
from bot.core.router import Conversation
from bot.core.routing import load_ages
from bot.core.state import LocalState, State
from bot.core.subtopics import SubtopicBook
from bot.core.urgency import Gate, SafetyNet
from bot.core.urgency.model import load_or_train
from bot.handoff import escalation
from bot.handoff.cases import CaseBook, Channel
from bot.handoff.desk import HandoffDesk
from bot.handoff.desks import Desks
from bot.handoff.engine import EngineControl
from bot.handoff.memo import CaseMemo
from bot.i18n import Catalogs
from bot.settings import MODELS_DIR, PROJECT_DIR, Settings
from bot.storage.broadcasts import SqlOptInStore
from bot.storage.campaign import SqlTallyStore
from bot.storage.journal_writer import JournalWriter
from bot.storage.privacy import SqlPrivacyStore
from bot.storage.quiz import SqlQuizStore
from bot.storage.redis_state import RedisState
from bot.storage.retention import keep_purging
from bot.storage.session import StorageUnavailable, migrate, new_engine, new_sessionmaker
from bot.storage.users import SqlUserStore

log = logging.getLogger(__name__)


def button_intents(domain: Path = PROJECT_DIR / "domain.yml") -> frozenset[str]:
    """Intents a button may trigger: exactly those the engine's domain declares."""
    data = yaml.safe_load(domain.read_text(encoding="utf-8"))
    return frozenset(str(i if isinstance(i, str) else next(iter(i))) for i in data["intents"])


def load_safety_net(folder: Path) -> SafetyNet:
    """The danger phrases; an unreadable file is logged and the classifier carries on alone."""
    try:
        return SafetyNet.load(folder)
    except (OSError, ValueError, yaml.YAMLError, re.error) as error:
        log.error("safety net phrases unreadable, running without them: %s", error)
        return SafetyNet.empty()


def load_answers(locales_dir: Path) -> AnswerBook:
    """What the engine's answers say; unreadable content is logged, and the bot still
    routes every risk answer by its intent (bot/core/router.py)."""
    try:
        return AnswerBook.load(locales_dir / "answers.yml")
    except (OSError, ValueError, yaml.YAMLError) as error:
        log.error("answers.yml unreadable, running without the engine's answers: %s", error)
        return AnswerBook.empty()


def load_subtopics(locales_dir: Path) -> SubtopicBook:
    """The specific answers inside topics; unreadable content is logged, and every topic
    is then answered with its general answer."""
    try:
        return SubtopicBook.load(locales_dir / "subtopics.yml")
    except (OSError, ValueError, yaml.YAMLError) as error:
        log.error("subtopics.yml unreadable, running with general answers only: %s", error)
        return SubtopicBook.empty()


def load_lessons(locales_dir: Path, store: SqlQuizStore, state: State) -> Learning | None:
    """Sector tips and quizzes; unreadable content is logged and the bot runs without them."""
    try:
        return Learning(load_book(locales_dir / "quiz.yml"), store, state)
    except (OSError, ValueError, yaml.YAMLError) as error:
        log.error("quiz.yml unreadable, running without tips and quizzes: %s", error)
        return None


def shared_state(redis_url: str | None) -> tuple[State, RedisState | None]:
    """Redis (with local fallback) when REDIS_URL is set, else this process's memory."""
    if not redis_url:
        return LocalState(), None
    redis = RedisState.from_url(redis_url)
    log.info("shared state: Redis")
    return ResilientState(redis), redis


async def load_gate_model(conversation: Conversation) -> None:
    """The gate's model (bot/core/urgency/model.py), read or trained off the event loop;
    the phrases screen alone until it is there, and if it cannot be had."""
    try:
        model = await asyncio.to_thread(load_or_train, PROJECT_DIR, MODELS_DIR)
    except Exception as error:  # the model must never keep the bot from answering
        log.error("gate model unavailable, the phrases screen alone: %s", type(error).__name__)
        return
    conversation.gate = Gate(conversation.gate.net, model, conversation.gate.ages)
    log.info("gate model loaded")


async def reseal_cases(book: CaseBook) -> None:
    """SEAL_KEYS rotation: at every start, open cases' chat ids move to the newest key."""
    try:
        count = await book.reseal()
    except StorageUnavailable:
        log.warning("sealed chat ids not re-sealed now: the database is unavailable")
        return
    if count:
        log.info("re-sealed %d open case(s) under the newest key", count)


@dataclass
class Core:
    """Everything a running bot holds; `close` stops what `build` started."""

    pipeline: Pipeline
    conversation: Conversation
    catalogs: Catalogs
    book: CaseBook | None
    campaign: Campaign  # sources, counters, reports, opt-ins and broadcasts (#14)
    tasks: list[asyncio.Task[None]] = field(default_factory=list)
    closers: list[Callable[[], object]] = field(default_factory=list)

    async def close(self) -> None:
        """Stop the loops, let records finish, close connections."""
        for task in self.tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self.conversation.recorder.close()
        for closer in self.closers:
            result = closer()
            if asyncio.iscoroutine(result):
                await result


def journal(settings: Settings, owner: str) -> JournalWriter:
    """The update journal (bot/storage/journal.py) on a connection pool of its own: its
    commits run on one thread, so a hanging database never ties up the other stores."""
    sessions = new_sessionmaker(new_engine(settings.database_url))
    return JournalWriter(sessions, owner, clock=clock.now)


async def build(
    settings: Settings,
    http: aiohttp.ClientSession,
    desks: Desks | None,
    channel: Callable[[], Channel],
) -> Core:
    """Open the database (migrating it), the shared state and the engine client."""
    engine = new_engine(settings.database_url)
    try:
        await asyncio.wait_for(asyncio.to_thread(migrate, engine), 30)
    except Exception as error:  # the bot must still answer without its database
        log.error("database migration failed, running without storage: %s", error)
    sessions = new_sessionmaker(engine)
    state, redis = shared_state(settings.redis_url)
    recorder = Recorder()
    # campaign figures (#14): the stores and the engine client count the steps they record
    tally = Tally(SqlTallyStore(sessions))
    privacy_store = CountingConsentStore(sessions, tally, clock=clock.now)  # one clock for all
    locales = settings.locales_dir
    # what is broken is logged and replaced by built-in texts or numbers, never shown
    loaded = content.start(locales)
    replicas = Replicas(settings.rasa_url, settings.rasa_auth_token)
    conversation = Conversation(
        CountingDialogue(replicas, settings.rasa_timeout, http, tally),
        SqlUserStore(sessions, clock=clock.now),
        button_intents(),
        load_safety_net(locales / "safety_net"),
        privacy=privacy.Privacy(privacy_store, settings.retention_days, state),
        lessons=load_lessons(locales, CountingQuizStore(sessions, tally, clock=clock.now), state),
        directory=loaded.directory,
        ages=load_ages(locales),
        state=state,
        recorder=recorder,
        answers=load_answers(locales),
        subtopics=load_subtopics(locales),
    )
    optins = SqlOptInStore(sessions, settings.keys.sealer, clock=clock.now)
    found = Campaign(sessions, tally, locales, schedule=settings.report_schedule, optins=optins)
    pipeline = Pipeline(conversation, HandoffDesk(None, conversation), chat_log=privacy_store)
    core = Core(pipeline, conversation, loaded.catalogs, None, found)
    core.tasks.append(asyncio.create_task(load_gate_model(conversation)))
    core.closers.append(engine.dispose)
    if redis is not None:
        core.closers.append(redis.close)
    keep_for = timedelta(days=settings.retention_days)
    purging = keep_purging(privacy_store, keep_for, settings.retention_check_seconds)
    core.tasks.append(asyncio.create_task(purging))
    if desks is not None:
        store = CountingHandoffStore(new_sessionmaker(engine), tally, clock=clock.now)
        core.book = CaseBook(
            desks,
            store,
            channel(),
            EngineControl(replicas, http),
            settings.keys,
            settings.operator_ids,
            settings.staff_chat_id,
            timedelta(minutes=settings.handoff_escalate_minutes),
            CaseMemo(store, state),
        )
        core.tasks.append(escalation.start(core.book))
        await reseal_cases(core.book)
    core.pipeline.handoff = HandoffDesk(core.book, conversation)
    core.pipeline.budget = Budget(state)
    return core


@dataclass
class TestBench:
    """The console's test persons: the live conversation's pipeline code and content, with
    stores of their own (bot/console/trybot.py). Their rows go to a scratch SQLite file
    that lives only while this process runs, and their short-lived state to this
    process's memory: a test person is never a user, never in the figures, never in Redis."""

    pipeline: Pipeline
    folder: Path
    close: Callable[[], None]


def test_bench(settings: Settings, http: aiohttp.ClientSession, live: Conversation) -> TestBench:
    """A pipeline for test persons: the same engine, content and code, scratch stores."""
    import tempfile  # only the console needs it

    folder = Path(tempfile.mkdtemp(prefix="console-test-persons-"))
    engine = new_engine(f"sqlite:///{folder / 'test-persons.sqlite3'}")
    migrate(engine)
    sessions = new_sessionmaker(engine)
    state = LocalState()
    privacy_store = SqlPrivacyStore(sessions, clock=clock.now)
    conversation = Conversation(
        RasaRestClient(Replicas(settings.rasa_url, settings.rasa_auth_token),
                       settings.rasa_timeout, http),
        SqlUserStore(sessions, clock=clock.now),
        button_intents(),
        live.gate.net,
        privacy=privacy.Privacy(privacy_store, settings.retention_days, state),
        lessons=Learning(live.lessons.book, SqlQuizStore(sessions, clock=clock.now), state)
        if live.lessons
        else None,
        directory=live.directory,
        ages=live.ages,
        state=state,
        answers=live.answers,
    )  # fmt: skip

    def close() -> None:
        engine.dispose()
        for leftover in folder.iterdir():
            leftover.unlink()
        folder.rmdir()

    pipeline = Pipeline(conversation, HandoffDesk(None, conversation), chat_log=privacy_store)
    return TestBench(pipeline, folder, close)
