"""Thin handlers: build the turn, ask the core, send what it says."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from weakref import WeakValueDictionary

from telegram import Message, Update
from telegram.constants import ChatAction
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot.campaign import hooks
from bot.core import messages
from bot.core import privacy as consent
from bot.core.identity import pseudonym
from bot.core.router import Conversation, Outcome
from bot.core.types import BotReply, as_locale
from bot.i18n import Catalogs
from bot.settings import LOCALES_DIR
from bot.storage.privacy import SqlPrivacyStore
from bot.storage.session import StorageUnavailable
from bot.telegram.render import keyboard, text_chunks

if TYPE_CHECKING:
    from bot.campaign.service import Campaign
    from bot.telegram.operators import HandoffDesk

log = logging.getLogger(__name__)
TYPING_EVERY = 4.5  # Telegram shows "typing…" for about 5 s per chat action
# most turns are answered faster than this; skipping their chat action halves the Bot API
# calls, which matters under Telegram's 30 requests/s and 1 message/s-per-chat limits.
TYPING_AFTER = 0.4


@dataclass
class Services:
    """What handlers need, built once in post_init and kept in bot_data."""

    conversation: Conversation
    catalogs: Catalogs  # replaced as a whole by a staff reload
    pseudonym_key: bytes
    staff_ids: frozenset[int] = frozenset()
    locales_dir: Path = LOCALES_DIR  # where catalogs, facts and safety net are (re)loaded from
    privacy_store: SqlPrivacyStore | None = None  # message ids for /hide, consented texts
    handoff: HandoffDesk | None = None  # hand-off to operators (#6), set in post_init
    campaign: Campaign | None = None  # campaign tools (#14), set in post_init
    # one lock per user keeps a person's turns in order while users run concurrently.
    locks: WeakValueDictionary[str, asyncio.Lock] = field(default_factory=WeakValueDictionary)


def services(context: ContextTypes.DEFAULT_TYPE) -> Services:
    """The Services object of this application."""
    found: Services = context.bot_data["services"]
    return found


@contextlib.asynccontextmanager
async def typing(message: Message) -> AsyncIterator[None]:
    """Show "typing…" if the block takes a while; a failed chat action never blocks a reply."""

    async def keep_typing() -> None:
        await asyncio.sleep(TYPING_AFTER)
        while True:
            with contextlib.suppress(TelegramError):
                await message.chat.send_action(ChatAction.TYPING)
            await asyncio.sleep(TYPING_EVERY)

    task = asyncio.create_task(keep_typing())
    try:
        yield
    finally:
        task.cancel()


async def send(message: Message, outcome: Outcome, catalogs: Catalogs) -> list[int]:
    """Send every reply of an outcome, in order, as separate chat bubbles; their ids."""
    sent: list[int] = []
    for reply in outcome.replies:
        sent += await send_reply(message, reply, outcome, catalogs)
    return sent


async def send_reply(
    message: Message, reply: BotReply, outcome: Outcome, cat: Catalogs
) -> list[int]:
    """Send one reply; its buttons go under its last piece of text."""
    chunks = list(text_chunks(reply, outcome.locale, cat))
    sent = []
    for index, chunk in enumerate(chunks):
        markup = keyboard(reply, outcome.locale, cat) if index == len(chunks) - 1 else None
        sent.append((await message.chat.send_message(chunk, reply_markup=markup)).message_id)
    return sent


async def _run(update: Update, context: ContextTypes.DEFAULT_TYPE, work: str, arg: str) -> None:
    """Serialise one user's turns, ask the core, and reply in the user's language."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    svc = services(context)
    sender = pseudonym(svc.pseudonym_key, user.id)
    lock = svc.locks.setdefault(sender, asyncio.Lock())
    convo, code = svc.conversation, user.language_code
    typed = update.message is not None and update.message.message_id == message.message_id
    async with lock:
        if svc.handoff is not None:  # hand-off (#6): an open case relays instead of the engine
            handed = await svc.handoff.on_user_turn(message, sender, work, arg, code)
            if handed is not None:
                sent = await send(message, handed, svc.catalogs)
                await _keep(svc, sender, [message.message_id, *sent] if typed else sent)
                return
        if svc.handoff is not None and work == "button" and arg == consent.FORGET_YES:
            await svc.handoff.close_for_forget(sender)  # hand-off (#6): end the case first
        outcome = await _ask_core(convo, work, sender, arg, code, message)
        if svc.handoff is not None:  # hand-off (#6): "a person, please" becomes consent steps
            outcome = await svc.handoff.adapt(sender, outcome)
        sent = await send(message, outcome, svc.catalogs)
        hooks.after_reply(context.bot_data, sender, outcome.locale, outcome.replies)
        if outcome.record is not None:
            await convo.record(outcome.record)
        # after the reply is out: what /hide may delete later, and, with consent, the words;
        # nothing at all right after /forget, which would leave a trace of the person again
        if outcome.leave_no_trace:
            return
        await _keep(svc, sender, [message.message_id, *sent] if typed else sent)
        if work == "text" and convo.privacy is not None:
            await convo.privacy.keep_turn(sender, arg, outcome.replies)


async def _keep(svc: Services, sender: str, message_ids: list[int]) -> None:
    """Note the chat's message ids for /hide (48 hours, ids only)."""
    if svc.privacy_store is not None and message_ids:
        await svc.privacy_store.remember_message_ids(sender, message_ids)


async def _ask_core(
    convo: Conversation, work: str, sender: str, arg: str, code: str | None, message: Message
) -> Outcome:
    """Dispatch one piece of work to the core while showing "typing…"."""
    async with typing(message):
        if work == "text":
            outcome = await convo.on_text(sender, arg, code)
        elif work == "command":
            outcome = await convo.on_command(sender, arg, code)
        elif work == "button":
            outcome = await convo.on_button(sender, arg, code)
        elif work == "language":
            outcome = await convo.on_language_command(sender, code)
        elif work == "privacy":
            outcome = await convo.on_privacy_command(sender, code)
        elif work == "forget":
            outcome = await convo.on_forget_command(sender, code)
        else:
            outcome = await convo.on_media(sender, arg, code)
    return outcome


async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer a typed message in a private chat."""
    if update.message and update.message.text is not None:
        await _run(update, context, "text", update.message.text)


async def on_start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/start [code]: greet the user; a deep link's code counts their arrival (#14)."""
    hooks.on_start(context.bot_data, update.effective_user, context.args)
    await _run(update, context, "command", "greet")


async def on_help(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/help: show what the bot can do."""
    await _run(update, context, "command", "ask_menu")


async def on_end(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/end: leave a conversation with an operator (without one, the menu)."""
    await _run(update, context, "command", "end")


async def on_language(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/language: offer the five languages."""
    await _run(update, context, "language", "")


async def on_privacy(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/privacy: what is kept, and the choice again."""
    await _run(update, context, "privacy", "")


async def on_forget(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/forget: erase everything about the user, after a confirmation button."""
    await _run(update, context, "forget", "")


async def on_hide(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/hide: delete the chat's recent messages (both sides), then one harmless line.

    Telegram lets a bot delete private-chat messages younger than 48 hours; the bot knows
    the ids of those it has seen in that time. It says how many went and that older ones stay.
    """
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    svc = services(context)
    sender = pseudonym(svc.pseudonym_key, user.id)
    async with svc.locks.setdefault(sender, asyncio.Lock()):
        locale = await svc.conversation.locale_for(sender, user.language_code)
        known: list[int] = []
        storage_down = svc.privacy_store is None
        if svc.privacy_store is not None:
            try:
                known = await svc.privacy_store.deletable_message_ids(sender)
            except StorageUnavailable:
                storage_down = True
        ids = sorted({*known, message.message_id})
        deleted = 0
        for start in range(0, len(ids), 100):  # deleteMessages takes at most 100 ids
            batch = ids[start : start + 100]
            try:
                if await context.bot.delete_messages(message.chat_id, batch):
                    deleted += len(batch)
            except TelegramError as error:
                log.warning("hide: a batch could not be deleted: %s", type(error).__name__)
        if svc.privacy_store is not None:
            await svc.privacy_store.forget_message_ids(sender)
        reply = (
            BotReply(consent.HIDE_FAILED)
            if storage_down or not deleted
            else BotReply(consent.HIDDEN, params={"count": str(deleted)})
        )
        sent = await send(message, Outcome(locale, (reply,)), svc.catalogs)
        await _keep(svc, sender, sent)  # a second /hide removes this line too


async def on_quiz(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/quiz: the quiz picker, exactly as the menu's quiz button shows it."""
    await _run(update, context, "button", "quiz")


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Handle an inline-button press; the press itself is acknowledged at once."""
    query = update.callback_query
    if query is None:
        return
    with contextlib.suppress(TelegramError):
        await query.answer()
    if query.message is None or not isinstance(query.message, Message):
        return  # the message is too old to reply under; nothing useful to do
    await _run(update, context, "button", query.data or "")


def media_kind(message: Message) -> str:
    """Name the kind of non-text message, for the matching kind answer."""
    if message.voice or message.audio or message.video_note:
        return "voice"
    if message.photo or message.video or message.animation:
        return "photo"
    if message.sticker:
        return "sticker"
    if message.document:
        return "document"
    if message.location or message.venue:
        return "location"
    if message.contact:
        return "contact"
    return "other"


async def on_media(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer stickers, voice notes, photos and the rest; a caption is read as text."""
    message = update.message
    if message is None:
        return
    await _run(update, context, "media", media_kind(message))
    if message.caption:
        await _run(update, context, "text", message.caption)


async def on_group(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """In a group, invite the person to a private chat instead of talking there."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    svc = services(context)
    # nothing is stored about a group member, and their private chat's language would tell
    # the group something about them: Telegram's language it is
    locale = as_locale(user.language_code) or "en"
    outcome = Outcome(locale, (BotReply(messages.GROUP_ONLY_PRIVATE),))
    await send(message, outcome, svc.catalogs)


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log the failure by type only: no message text, no ids."""
    error = context.error
    log.error(
        "update failed: %s",
        type(error).__name__,
        exc_info=(type(error), error, error.__traceback__) if error else None,
    )
