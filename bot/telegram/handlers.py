"""The adapter: every update becomes one `Turn` for the core; replies go out as told.

It decides nothing. `turn_of` reduces an update to a plain value (the pseudonym, never the
Telegram id), `on_update` hands it to the core's pipeline (bot/core/pipeline.py), and
`TelegramOutbox` is how the core reaches the person: rendered from the catalogs in their
language, "typing…" while a turn takes a while, deletions for /hide.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from telegram import Bot, CallbackQuery, InlineKeyboardMarkup, Message, MessageEntity, Update
from telegram.constants import ChatAction
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot.aio import beside, set_within
from bot.campaign import hooks
from bot.core.identity import pseudonym
from bot.core.pipeline import Pipeline
from bot.core.router import Conversation
from bot.core.turn import Kind, Outcome, Turn
from bot.core.types import BotReply, Locale
from bot.i18n import Catalogs
from bot.settings import LOCALES_DIR
from bot.telegram.intake import joining
from bot.telegram.limiter import PriorityRateLimiter, urgent_sends
from bot.telegram.render import joined, keyboard, split_text, translated
from bot.text.wellformed import well_formed

if TYPE_CHECKING:
    from bot.campaign.service import Campaign

log = logging.getLogger(__name__)
TYPING_EVERY = 4.5  # Telegram shows "typing…" for about 5 s per chat action
# most turns are answered faster than this; skipping their chat action halves the Bot API
# calls, which matters under Telegram's 30 requests/s and 1 message/s-per-chat limits.
TYPING_AFTER = 0.4
TYPING_STOP = 2.0  # seconds a finished turn waits for its "typing…" helper to end
DELETE_BATCH = 100  # deleteMessages takes at most 100 ids


@dataclass
class Services:
    """What handlers need, built once in post_init and kept in bot_data."""

    pipeline: Pipeline
    catalogs: Catalogs  # replaced as a whole by a staff reload
    pseudonym_key: bytes
    staff_ids: frozenset[int] = frozenset()
    locales_dir: Path = LOCALES_DIR  # where catalogs, facts and safety net are (re)loaded from
    campaign: Campaign | None = None  # campaign tools (#14), set in post_init

    @property
    def conversation(self) -> Conversation:
        """The core's conversation (staff tools swap its content on reload)."""
        return self.pipeline.conversation


def services(context: ContextTypes.DEFAULT_TYPE) -> Services:
    """The Services object of this application."""
    found: Services = context.bot_data["services"]
    return found


# -- Update -> Turn ------------------------------------------------------------------------


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


def _command(message: Message) -> tuple[str, str] | None:
    """(name, arguments) when the text starts with a bot command, else None."""
    text = message.text or ""
    for entity in message.entities:
        if entity.type == MessageEntity.BOT_COMMAND and entity.offset == 0:
            name = text[1 : entity.length].split("@", 1)[0].lower()
            return name, text[entity.length :].strip()
    return None


def _message_turn(message: Message, sender: str, edited: bool) -> Turn:
    """A message (or its edit) as a Turn."""
    base = Turn(
        sender,
        Kind.TEXT,
        chat_type=message.chat.type,
        chat_id=message.chat.id,
        message_id=message.message_id,
        topic=message.message_thread_id if message.is_topic_message else None,
    )
    text, caption = message.text, message.caption
    if edited:
        return replace(base, kind=Kind.EDIT, text=text or caption or "")
    command = _command(message) if text is not None else None
    if command is not None:
        return replace(base, kind=Kind.COMMAND, command=command[0], text=command[1])
    if text is not None:
        return replace(base, kind=Kind.TEXT, text=text)
    if caption:
        return replace(base, kind=Kind.CAPTION, text=caption, media=media_kind(message))
    return replace(base, kind=Kind.MEDIA, media=media_kind(message))


def turn_of(update: Update, key: bytes) -> Turn | None:
    """The Turn of an update from a person; None for anything else (channel posts, bots)."""
    user = update.effective_user
    if user is None or user.is_bot:
        return None
    sender = pseudonym(key, user.id)
    query = update.callback_query
    if query is not None:
        if not isinstance(query.message, Message):
            return None  # the message is too old to reply under; nothing useful to do
        chat = query.message.chat
        turn = Turn(sender, Kind.BUTTON, text=query.data or "", chat_type=chat.type,
                    chat_id=chat.id)  # fmt: skip
    elif update.message is not None:
        turn = _message_turn(update.message, sender, edited=False)
    elif update.edited_message is not None:
        turn = _message_turn(update.edited_message, sender, edited=True)
    else:
        return None
    # a lone surrogate in Telegram's JSON would break the first encoder after this (#13.10)
    return replace(turn, text=well_formed(turn.text), locale_hint=user.language_code)


def urgent_on_arrival(update: Update, svc: Services) -> bool:
    """Whether the gate reads danger now (tier 1) in an update as it arrives, so that it
    is answered before the updates waiting for a slot (bot/telegram/intake.py). The turn's
    own screening in the pipeline decides what the answer is; this only decides when."""
    turn = turn_of(update, svc.pseudonym_key)  # the turn's words, as the pipeline reads them
    return (
        turn is not None
        and bool(turn.words)
        and svc.conversation.gate.screen(turn.words).tier == 1
    )


# -- the core's way out --------------------------------------------------------------------


class TelegramOutbox:
    """Sends what the core says, rendered in the person's language."""

    def __init__(self, bot: Bot, catalogs: Catalogs) -> None:
        self._bot = bot
        self._catalogs = catalogs

    async def send(self, turn: Turn, outcome: Outcome) -> list[int]:
        """Every reply of an outcome, in order, as separate chat bubbles; their ids.

        A failure is logged by type and ends the sending; what went out is returned."""
        sent: list[int] = []
        locale, catalogs = outcome.locale, self._catalogs
        try:
            # tier-1 numbers skip the send queue; under load their answer is joined too:
            # the same words, the numbers under the neutral first line a lock screen shows,
            # in one message; each extra bubble would take a token ahead of everyone else,
            # and at Telegram's full rate that line never drains (limiter.py)
            with urgent_sends(outcome.urgent):
                if len(outcome.replies) > 1 and joining(self._busy):
                    for text, carrier in joined(outcome.replies, locale, catalogs):
                        markup = keyboard(carrier, locale, catalogs)
                        sent += await send_text(self._bot, turn.chat_id, text, markup)
                    return sent
                for reply in outcome.replies:
                    sent += await send_reply(self._bot, turn.chat_id, reply, locale, catalogs)
        except TelegramError as error:
            log.warning("a reply could not be sent: %s", type(error).__name__)
        return sent

    def _busy(self) -> bool:
        """Telegram's send rate is the queue right now (bot/telegram/limiter.py)."""
        limiter = getattr(self._bot, "rate_limiter", None)
        return isinstance(limiter, PriorityRateLimiter) and limiter.busy()

    @contextlib.asynccontextmanager
    async def typing(self, turn: Turn) -> AsyncIterator[None]:
        """Show "typing…" if the block takes a while; a failed chat action never blocks,
        and a chat action still waiting for its turn when the block ends is not sent."""

        async def keep_typing(finished: asyncio.Event) -> None:
            pause = TYPING_AFTER
            while not await set_within(finished, pause):
                with contextlib.suppress(TelegramError):
                    await self._bot.send_chat_action(turn.chat_id, ChatAction.TYPING)
                pause = TYPING_EVERY

        async with beside(keep_typing, TYPING_STOP):
            yield

    async def delete(self, turn: Turn, message_ids: list[int]) -> int:
        """Delete messages of the person's chat, in batches; how many went."""
        deleted = 0
        for start in range(0, len(message_ids), DELETE_BATCH):
            batch = message_ids[start : start + DELETE_BATCH]
            try:
                if await self._bot.delete_messages(turn.chat_id, batch):
                    deleted += len(batch)
            except TelegramError as error:
                log.warning("hide: a batch could not be deleted: %s", type(error).__name__)
        return deleted


async def send_reply(
    bot: Bot, chat_id: int, reply: BotReply, locale: Locale, catalogs: Catalogs
) -> list[int]:
    """Send one reply; its buttons go under its last piece of text."""
    text = catalogs.render(translated(reply, locale, catalogs), locale)
    return await send_text(bot, chat_id, text, keyboard(reply, locale, catalogs))


async def send_text(
    bot: Bot, chat_id: int, text: str, markup: InlineKeyboardMarkup | None
) -> list[int]:
    """Text in as many messages as Telegram's length needs; buttons under the last."""
    chunks = list(split_text(text))
    sent = []
    for index, chunk in enumerate(chunks):
        last = index == len(chunks) - 1
        message = await bot.send_message(chat_id, chunk, reply_markup=markup if last else None)
        sent.append(message.message_id)
    return sent


async def send(message: Message, outcome: Outcome, catalogs: Catalogs) -> list[int]:
    """Reply in a message's chat (staff tools); the ids of what was sent."""
    sent: list[int] = []
    for reply in outcome.replies:
        sent += await send_reply(message.get_bot(), message.chat.id, reply, outcome.locale,
                                 catalogs)  # fmt: skip
    return sent


# -- PTB handlers --------------------------------------------------------------------------


async def on_update(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Any message, edit or command from a person: one turn through the core."""
    svc = services(context)
    turn = turn_of(update, svc.pseudonym_key)
    if turn is not None:
        tally = svc.campaign.tally if svc.campaign is not None else None
        hooks.on_turn(tally, turn)  # #14: a /start's deep-link code counts the arrival
        out = hooks.CountingOutbox(TelegramOutbox(context.bot, svc.catalogs), tally)
        await svc.pipeline.handle(turn, out)


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """An inline-button press: one turn through the core, acknowledged meanwhile (the turn
    takes its place in the person's line first, so a message sent just after the press
    never overtakes it)."""
    query = update.callback_query
    if query is None:
        return
    acknowledged = asyncio.ensure_future(_acknowledge(query))
    try:
        await on_update(update, context)
    finally:
        await acknowledged


async def _acknowledge(query: CallbackQuery) -> None:
    """Stop the button's spinner; a failure changes nothing for the person."""
    with contextlib.suppress(TelegramError):
        await query.answer()


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log the failure by type only: no message text, no ids."""
    error = context.error
    log.error(
        "update failed: %s",
        type(error).__name__,
        exc_info=(type(error), error, error.__traceback__) if error else None,
    )
