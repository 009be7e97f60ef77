"""Staff tools in Telegram: reload content without a restart, preview topics in any language.

Only users in STAFF_IDS reach these; for anyone else the commands do not exist.
"""

from __future__ import annotations

import asyncio
import logging
import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml
from telegram import Update
from telegram.ext import ContextTypes

from bot.core import messages
from bot.core.directory import Directory
from bot.core.router import Outcome
from bot.core.safety_net import SafetyNet
from bot.core.types import BotReply, Button, as_locale
from bot.i18n import Catalogs
from bot.i18n.check import check
from bot.settings import LOCALES_DIR, PROJECT_DIR
from bot.telegram.handlers import Services, on_help, send, services

log = logging.getLogger(__name__)
_BUBBLE = re.compile(r"^utter_(ask_[a-z_]+)_(\d+)$")
BANGKOK = ZoneInfo("Asia/Bangkok")


def load_checked(locales_dir: Path = LOCALES_DIR) -> tuple[Catalogs, SafetyNet, list[str]]:
    """New content and the problems that forbid using it (empty list: safe to swap in)."""
    problems = check(locales_dir)
    try:
        catalogs = Catalogs.load(locales_dir)
        net = SafetyNet.load(locales_dir / "safety_net")
    except (OSError, ValueError, yaml.YAMLError, re.error) as error:
        return Catalogs({}), SafetyNet.empty(), [*problems, f"unreadable: {error}"]
    return catalogs, net, problems


async def reload_content(svc: Services) -> list[str]:
    """Validate, then swap catalogs and safety net in one step; on problems keep the old."""
    catalogs, net, problems = await asyncio.to_thread(load_checked, svc.locales_dir)
    if problems:
        log.warning("content reload refused: %d problem(s)", len(problems))
        return problems
    svc.catalogs = catalogs
    svc.conversation.net = net
    log.info("content reloaded")
    return []


def topic_bubbles(domain: Path = PROJECT_DIR / "domain.yml") -> dict[str, list[BotReply]]:
    """Each topic's bubbles as the engine sends them, from domain.yml."""
    responses = yaml.safe_load(domain.read_text(encoding="utf-8"))["responses"]
    topics: dict[str, list[tuple[int, BotReply]]] = {}
    for name, variants in responses.items():
        match = _BUBBLE.match(name)
        if match:
            custom = variants[0]["custom"]
            buttons = tuple(Button(b["title"], b["payload"]) for b in custom.get("buttons", []))
            reply = BotReply(custom["msgid"], buttons=buttons)
            topics.setdefault(match.group(1), []).append((int(match.group(2)), reply))
    return {topic: [r for _, r in sorted(bubbles)] for topic, bubbles in topics.items()}


def is_staff(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    """True only for users listed in STAFF_IDS."""
    user = update.effective_user
    return bool(user and user.id in services(context).staff_ids)


async def on_reload(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/reload: re-read catalogs, facts and safety net, refusing broken content."""
    message = update.effective_message
    if message is None:
        return
    if not is_staff(update, context):
        await on_help(update, context)  # to everyone else the command does not exist
        return
    svc = services(context)
    problems = await reload_content(svc)
    locale = as_locale(update.effective_user.language_code if update.effective_user else None)
    if problems:
        reply = BotReply(messages.RELOAD_REFUSED, {"problems": "\n".join(problems[:15])})
    else:
        count = str(len(svc.catalogs.messages.get("en", {})))
        reply = BotReply(messages.RELOAD_OK, {"messages": count})
    await send(message, Outcome(locale or "en", (reply,)), svc.catalogs)


async def on_preview(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/preview <topic> <language>: the topic's bubbles as that language's users see them."""
    message = update.effective_message
    if message is None:
        return
    if not is_staff(update, context):
        await on_help(update, context)
        return
    svc, args = services(context), context.args or []
    topics = topic_bubbles()
    locale = as_locale(args[1]) if len(args) == 2 else None
    topic = args[0] if args and args[0] in topics else None
    if topic is None or locale is None:
        usage = BotReply(messages.PREVIEW_USAGE, {"topics": ", ".join(sorted(topics))})
        await send(message, Outcome("en", (usage,)), svc.catalogs)
        return
    await send(message, Outcome(locale, tuple(topics[topic])), svc.catalogs)


def directory_lines(directory: Directory, now: datetime) -> str:
    """One line per entry: status, name, numbers, verification date."""
    lines = []
    for entry in directory.entries:
        status = "✅" if entry.is_open(now) else ("⏸" if entry.hours_known else "❔")
        stale = " ⚠️" if entry.is_stale(now.date()) else ""
        numbers = " / ".join(entry.numbers)
        lines.append(f"{status} {entry.name}: {numbers} ({entry.verified_on or '-'}){stale}")
    return "\n".join(lines)


async def on_directory(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/directory: every hotline with what is open now and what needs a new phone check."""
    message = update.effective_message
    if message is None:
        return
    if not is_staff(update, context):
        await on_help(update, context)
        return
    svc = services(context)
    now = datetime.now(BANGKOK)
    try:
        lines = directory_lines(Directory.load(svc.locales_dir / "hotlines.yml"), now)
    except (OSError, ValueError, yaml.YAMLError) as error:
        lines = f"hotlines.yml: {error}"
    params = {"now": now.strftime("%Y-%m-%d %H:%M"), "lines": lines}
    locale = as_locale(update.effective_user.language_code if update.effective_user else None)
    reply = BotReply(messages.DIRECTORY_STATUS, params)
    await send(message, Outcome(locale or "en", (reply,)), svc.catalogs)
