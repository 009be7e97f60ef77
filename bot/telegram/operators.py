"""The hand-off on Telegram: the operators' groups, the user's side of a case, /cases.

- `TelegramChannel` is what CaseBook (bot/handoff/cases.py) uses to reach Telegram:
  forum topics, posts in a topic, copies of messages (copyMessage, never forwardMessage,
  which would reveal the user's name and account), and replies in the user's language.
- the person's side of a case (relay, consent steps) is core-level: bot/handoff/desk.py,
  called by the pipeline (bot/core/pipeline.py) for every turn.
- `on_operator_message` / `on_operator_button`: read who wrote or pressed what, in which
  topic, and hand it to the hand-off's rules (bot/handoff/operators.py: only members of
  the case's desk act, a button acts only on the case whose topic it sits in).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Sequence
from datetime import timedelta

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update, User
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot.campaign.figures import case_figures as figures
from bot.core import messages
from bot.core.types import BotReply, Button, Locale, as_locale
from bot.handoff import operators as desk_side
from bot.handoff import texts
from bot.handoff.cases import Actor, CaseBook, OperatorButton, StoreUnavailable, now_utc
from bot.handoff.operators import Topic
from bot.i18n import Catalogs
from bot.telegram.handlers import on_button, send_reply
from bot.telegram.membership import DeskGuard
from bot.telegram.render import keyboard

log = logging.getLogger(__name__)
FIGURE_DAYS = 30


def _markup(buttons: Sequence[Sequence[OperatorButton]]) -> InlineKeyboardMarkup | None:
    if not buttons:
        return None
    rows = [
        [InlineKeyboardButton(label, callback_data=data) for label, data in row] for row in buttons
    ]
    return InlineKeyboardMarkup(rows)


class TelegramChannel:
    """CaseBook's Channel on a PTB Bot; every failure is logged by type and returns None."""

    def __init__(
        self, bot: Bot, catalogs: Callable[[], Catalogs], guard: DeskGuard | None = None
    ) -> None:
        self._bot = bot
        self._catalogs = catalogs
        self._guard = guard  # no case content to a desk group with unlisted members

    async def _may_post(self, chat_id: int) -> bool:
        if self._guard is None or await self._guard.may_post(chat_id):
            return True
        log.warning("hand-off: case content held back from a desk group (unlisted members)")
        return False

    async def create_topic(self, chat_id: int, name: str) -> int | None:
        """A new forum topic in a desk's group."""
        if not await self._may_post(chat_id):
            return None
        try:
            topic = await self._bot.create_forum_topic(chat_id, name[:128])
        except TelegramError as error:
            log.error("hand-off: createForumTopic failed: %s", type(error).__name__)
            return None
        return int(topic.message_thread_id)

    async def close_topic(self, chat_id: int, thread_id: int) -> None:
        """Close a case's topic (operators can still read it)."""
        try:
            await self._bot.close_forum_topic(chat_id, thread_id)
        except TelegramError as error:
            log.warning("hand-off: closeForumTopic failed: %s", type(error).__name__)

    async def post(
        self,
        chat_id: int,
        thread_id: int | None,
        text: str,
        buttons: Sequence[Sequence[OperatorButton]] = (),
    ) -> int | None:
        """Operator-facing text in a group (a topic when thread_id is set)."""
        if not await self._may_post(chat_id):
            return None
        markup = _markup(buttons)
        try:
            sent = await self._bot.send_message(
                chat_id, text[:4096], message_thread_id=thread_id, reply_markup=markup
            )
        except TelegramError as error:
            log.warning("hand-off: post to a desk failed: %s", type(error).__name__)
            return None
        return int(sent.message_id)

    async def edit(
        self, chat_id: int, message_id: int, text: str, buttons: Sequence[Sequence[OperatorButton]]
    ) -> None:
        """Update a case card in place."""
        if not await self._may_post(chat_id):
            return
        try:
            await self._bot.edit_message_text(
                text[:4096], chat_id, message_id, reply_markup=_markup(buttons)
            )
        except TelegramError as error:
            log.warning("hand-off: card update failed: %s", type(error).__name__)

    async def tell_user(self, chat_id: int, locale: str, replies: Sequence[BotReply]) -> bool:
        """Replies to the user, sent as the outbox sends them (bot/telegram/handlers.py)."""
        code: Locale = as_locale(locale) or "en"
        catalogs = self._catalogs()
        try:
            for reply in replies:
                await send_reply(self._bot, chat_id, reply, code, catalogs)
        except TelegramError as error:
            log.warning("hand-off: message to a user failed: %s", type(error).__name__)
            return False
        return True

    async def copy(
        self, from_chat: int, message_id: int, to_chat: int, thread_id: int | None
    ) -> int | None:
        """Copy any message kind; the copy does not name its sender. The copy's id."""
        if not await self._may_post(to_chat):
            return None
        try:
            copied = await self._bot.copy_message(
                to_chat, from_chat, message_id, message_thread_id=thread_id
            )
        except TelegramError as error:
            log.warning("hand-off: copyMessage failed: %s", type(error).__name__)
            return None
        return int(copied.message_id)

    async def delete(self, chat_id: int, message_id: int) -> bool:
        """Delete one of the bot's posts (/forget); False when Telegram refuses."""
        try:
            return bool(await self._bot.delete_message(chat_id, message_id))
        except TelegramError as error:
            log.warning("hand-off: deleteMessage failed: %s", type(error).__name__)
            return False


# -- the operators' groups ----------------------------------------------------------------


def _book(context: ContextTypes.DEFAULT_TYPE) -> CaseBook | None:
    book: CaseBook | None = context.bot_data.get("book")
    return book


def _topic(message: Message, user: User, context: ContextTypes.DEFAULT_TYPE) -> Topic:
    """Where and by whom, as the hand-off's rules read it (bot/handoff/operators.py)."""
    thread = message.message_thread_id if message.is_topic_message else None
    actor = Actor(user.id, user.first_name or "operator")
    return Topic(message.chat.id, thread, actor, _staff_ids(context))


async def on_operator_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A message in a desk's group: relayed, a tool command, or ignored (the rules:
    bot/handoff/operators.py)."""
    message, user, book = update.message, update.effective_user, _book(context)
    if message is None or user is None or book is None or user.is_bot:
        return
    typed = message.text if message.text is not None else message.caption
    topic = _topic(message, user, context)
    await desk_side.on_message(book, topic, message.message_id, typed, message.text is None)


def _staff_ids(context: ContextTypes.DEFAULT_TYPE) -> frozenset[int]:
    svc = context.bot_data.get("services")
    return frozenset(getattr(svc, "staff_ids", frozenset()))


async def on_operator_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Claim, release, close or a canned reply, pressed under a case card."""
    query, book = update.callback_query, _book(context)
    if query is None:
        return
    if not (query.data or "").startswith("hc:"):
        # PTB hands a press with empty data to every pattern handler: it is the user's
        # (forged or stale) button, so the usual button handler answers it with the menu.
        await on_button(update, context)
        return
    message = query.message if isinstance(query.message, Message) else None
    answer = texts.STALE_BUTTON
    if book is not None and message is not None:
        topic = _topic(message, query.from_user, context)
        answer = await desk_side.on_button(book, topic, query.data or "")
    with contextlib.suppress(TelegramError):
        await query.answer(answer or None)


async def on_cases(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/cases: hand-off figures, for STAFF_IDS in a private chat or the staff chat only;
    anyone else hears, kindly and in their language, that the command is for staff."""
    message, user, book = update.effective_message, update.effective_user, _book(context)
    if message is None or user is None:
        return
    if user.id not in _staff_ids(context):
        await _for_staff_only(message, as_locale(user.language_code) or "en", context)
        return
    if message.chat.type != ChatType.PRIVATE and message.chat.id != context.bot_data.get(
        "staff_chat_id"
    ):  # figures are for staff eyes: never in a group whose members nobody checked
        await message.reply_text("Figures are shown only in a private chat or the staff chat.")
        return
    if book is None:
        await message.reply_text("No operator desk is configured (OPERATOR_CHAT_ID, DESKS_FILE).")
        return
    try:
        events = await book.store.events(now_utc() - timedelta(days=FIGURE_DAYS))
    except StoreUnavailable:
        await message.reply_text("The database is not reachable right now.")
        return
    await message.reply_text(texts.FIGURES.format(days=FIGURE_DAYS, **figures(events)))


async def _for_staff_only(
    message: Message, locale: Locale, context: ContextTypes.DEFAULT_TYPE
) -> None:
    """The kind "this is for the team" line with the menu, from the catalogs."""
    catalogs: Catalogs = context.bot_data["services"].catalogs
    reply = BotReply(messages.STAFF_ONLY, buttons=(Button(messages.MENU_BUTTON, "/ask_menu"),))
    with contextlib.suppress(TelegramError):
        await message.reply_text(
            catalogs.render(reply, locale), reply_markup=keyboard(reply, locale, catalogs)
        )
