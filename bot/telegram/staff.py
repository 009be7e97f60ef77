"""Staff tools in Telegram: reload content without a restart, preview topics in any language.

Only users in STAFF_IDS reach these; for anyone else the commands do not exist.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable, Coroutine
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml
from telegram import Update
from telegram.ext import ContextTypes

from bot.campaign import sources
from bot.campaign.figures import quiz_lines
from bot.core import clock, content, learning, messages
from bot.core.answers import AnswerBook
from bot.core.content import Content
from bot.core.directory import Directory, Entry
from bot.core.hotlines import stand_ins
from bot.core.quiz import load_book
from bot.core.routing import load_ages
from bot.core.subtopics import SubtopicBook
from bot.core.turn import Outcome
from bot.core.types import BotReply, Locale, as_locale
from bot.core.urgency import Gate, SafetyNet
from bot.settings import LOCALES_DIR
from bot.telegram.handlers import Services, on_update, send, services

log = logging.getLogger(__name__)


def load_checked(locales_dir: Path = LOCALES_DIR) -> tuple[Content | None, SafetyNet, list[str]]:
    """New content and the problems that forbid using it (empty list: safe to swap in)."""
    problems = content.problems(locales_dir)
    try:
        loaded = content.load(locales_dir)
        net = SafetyNet.load(locales_dir / "safety_net")
    except (OSError, ValueError, yaml.YAMLError, re.error) as error:
        return None, SafetyNet.empty(), [*problems, f"unreadable: {error}"]
    return loaded, net, problems


async def reload_content(svc: Services) -> list[str]:
    """Validate, then swap catalogs, safety net, directory, age phrases, the engine's
    answers and quizzes in one step; on any problem keep the old content."""
    loaded, net, problems = await asyncio.to_thread(load_checked, svc.locales_dir)
    book, answers, subtopics = None, None, SubtopicBook.empty()
    try:  # tips and quizzes: their structure is reloaded with their texts
        book = load_book(svc.locales_dir / "quiz.yml")
    except (OSError, ValueError, yaml.YAMLError) as error:
        problems = [*problems, f"quiz.yml: {error}"]
    try:  # what the engine's answers say, and the specific answers inside them
        answers = AnswerBook.load(svc.locales_dir / "answers.yml")
        subtopics = SubtopicBook.load(svc.locales_dir / "subtopics.yml")
    except (OSError, ValueError, yaml.YAMLError) as error:
        problems = [*problems, f"answers or subtopics: {error}"]
    problems = [*problems, *sources.problems(svc.locales_dir / "sources.yml")]  # #14
    if problems or loaded is None:
        log.warning("content reload refused: %d problem(s)", len(problems))
        return problems or ["content unreadable"]
    svc.catalogs = loaded.catalogs
    # same intents, same model; the age statements are content, reloaded with the phrases
    svc.conversation.gate = Gate(net, svc.conversation.gate.model, load_ages(svc.locales_dir))
    # routing reads the same directory the catalogs' numbers were computed from
    svc.conversation.directory = loaded.directory
    if book is not None and svc.conversation.lessons is not None:
        svc.conversation.lessons.book = book
    if answers is not None:
        svc.conversation.answers = answers
        svc.conversation.subtopics = subtopics
    if svc.campaign is not None:  # campaign sources (#14), checked above
        await svc.campaign.sync_sources()
    log.info("content reloaded")
    return []


def is_staff(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    """True only for users listed in STAFF_IDS."""
    user = update.effective_user
    return bool(user and user.id in services(context).staff_ids)


StaffTool = Callable[[Services, list[str], Locale], Awaitable[Outcome]]
Handler = Callable[[Update, ContextTypes.DEFAULT_TYPE], Coroutine[Any, Any, None]]


def staff_command(tool: StaffTool) -> Handler:
    """A command handler for staff; to everyone else the command does not exist (help)."""

    async def handler(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message, user = update.effective_message, update.effective_user
        if message is None or user is None:
            return
        if not is_staff(update, context):
            await on_update(update, context)
            return
        svc = services(context)
        outcome = await tool(svc, context.args or [], as_locale(user.language_code) or "en")
        await send(message, outcome, svc.catalogs)

    handler.__doc__ = tool.__doc__
    return handler


@staff_command
async def on_reload(svc: Services, args: list[str], locale: Locale) -> Outcome:
    """/reload: re-read catalogs, facts, directory and safety net, refusing broken content."""
    problems = await reload_content(svc)
    if problems:
        reply = BotReply(messages.RELOAD_REFUSED, {"problems": "\n".join(problems[:15])})
    else:
        count = str(len(svc.catalogs.messages.get("en", {})))
        reply = BotReply(messages.RELOAD_OK, {"messages": count})
    return Outcome(locale, (reply,))


def lesson_bubbles(svc: Services) -> dict[str, list[BotReply]]:
    """tips_<sector> and quiz_<sector> as previews (the quiz with every explanation)."""
    lessons = svc.conversation.lessons
    found: dict[str, list[BotReply]] = {}
    for sector in lessons.book.sectors if lessons else ():
        tips, quiz = learning.preview(sector)
        found[f"tips_{sector.key}"], found[f"quiz_{sector.key}"] = list(tips), list(quiz)
    return found


@staff_command
async def on_preview(svc: Services, args: list[str], locale: Locale) -> Outcome:
    """/preview <topic> <language>: the topic's bubbles as that language's users see them."""
    previews = svc.conversation.answers.previews()
    topics = {**{name: list(b) for name, b in previews.items()}, **lesson_bubbles(svc)}
    shown_in = as_locale(args[1]) if len(args) == 2 else None
    topic = args[0] if args and args[0] in topics else None
    if topic is None or shown_in is None:
        usage = BotReply(messages.PREVIEW_USAGE, {"topics": ", ".join(sorted(topics))})
        return Outcome(locale, (usage,))
    return Outcome(shown_in, tuple(topics[topic]))


def entry_line(entry: Entry, now: datetime) -> str:
    """One entry for staff: status, numbers, where they work, who it is for, checks."""
    status = "✅" if entry.is_open(now) else ("⏸" if entry.hours_known else "❔")
    if entry.verified_on is None:
        status = "🚫"
    reach = f"dial in {entry.country}"
    if entry.from_abroad:
        reach += f"; from abroad {' / '.join(entry.from_abroad)}"
    who = "+".join(entry.serves) + (f" {entry.ages[0]}-{entry.ages[1]}" if entry.ages else "")
    offered = f" · offered to {' '.join(entry.offer_to)} readers" if entry.offer_to else ""
    stale = " ⚠️" if entry.is_stale(now.date()) else ""
    return (
        f"{status} {entry.name}: {' / '.join(entry.numbers)} · {reach} · "
        f"{' '.join(entry.languages)} · for {who}{offered} · {entry.hours} · "
        f"verified {entry.verified_on or '-'}{stale}"
    )


def directory_lines(directory: Directory, now: datetime) -> str:
    """One line per entry, then the placeholders that show a stand-in for a withdrawn one."""
    lines = [entry_line(entry, now) for entry in directory.entries]
    lines += ["", "🚫 withdrawn: never shown", *stand_ins(directory, directory.placeholders)]
    return "\n".join(lines)


@staff_command
async def on_directory(svc: Services, args: list[str], locale: Locale) -> Outcome:
    """/directory: every hotline with what is open now and what needs a new phone check."""
    now = clock.bangkok_now()
    try:
        lines = directory_lines(Directory.load(svc.locales_dir / "hotlines.yml"), now)
    except (OSError, ValueError, yaml.YAMLError) as error:
        lines = f"hotlines.yml: {error}"
    params = {"now": now.strftime("%Y-%m-%d %H:%M"), "lines": lines}
    return Outcome(locale, (BotReply(messages.DIRECTORY_STATUS, params),))


@staff_command
async def on_quiz_report(svc: Services, args: list[str], locale: Locale) -> Outcome:
    """/quizreport: share of right quiz answers before vs after the tips, per sector and
    language; groups too small to stay anonymous are hidden."""
    lessons = svc.conversation.lessons
    found = await lessons.store.report() if lessons else []
    params = {"lines": "\n".join(quiz_lines(found))}
    return Outcome(locale, (BotReply(messages.QUIZ_REPORT, params),))
