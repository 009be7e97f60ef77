"""Turn BotReply values into Telegram message text and inline keyboards."""

from __future__ import annotations

from collections.abc import Iterator

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.core.types import BotReply, Locale
from bot.i18n import Catalogs

TELEGRAM_TEXT_LIMIT = 4096
LONG_MENU = 6


def keyboard(reply: BotReply, locale: Locale, catalogs: Catalogs) -> InlineKeyboardMarkup | None:
    """One button per row (labels in our scripts get long), two per row for long menus."""
    if not reply.buttons:
        return None
    buttons = [
        InlineKeyboardButton(
            button.label if button.literal else catalogs.gettext(button.label, locale),
            callback_data=button.data,
        )
        for button in reply.buttons
    ]
    width = 2 if len(buttons) > LONG_MENU else 1
    return InlineKeyboardMarkup([buttons[i : i + width] for i in range(0, len(buttons), width)])


def split_text(text: str) -> Iterator[str]:
    """Pieces of text, cut at line breaks, none longer than Telegram takes."""
    while len(text) > TELEGRAM_TEXT_LIMIT:
        cut = text.rfind("\n", 0, TELEGRAM_TEXT_LIMIT)
        cut = cut if cut > 0 else TELEGRAM_TEXT_LIMIT
        yield text[:cut]
        text = text[cut:].lstrip("\n")
    yield text


def translated(reply: BotReply, locale: Locale, catalogs: Catalogs) -> BotReply:
    """The reply with its parameters that are message ids (an organisation) translated."""
    params = {k: catalogs.gettext(v, locale) for k, v in reply.params.items()}
    return BotReply(reply.msgid, params, reply.buttons, reply.lines)


def joined(
    replies: tuple[BotReply, ...], locale: Locale, catalogs: Catalogs
) -> list[tuple[str, BotReply]]:
    """Replies as few messages as their buttons allow: texts joined by a blank line up to
    each reply that carries buttons (they stay under their own text); each message's
    text with the reply whose buttons it carries. Used when Telegram's send rate is the
    queue: one message instead of three reaches the person sooner, and everyone else."""
    messages: list[tuple[str, BotReply]] = []
    texts: list[str] = []
    for reply in replies:
        texts.append(catalogs.render(translated(reply, locale, catalogs), locale))
        if reply.buttons or reply is replies[-1]:
            messages.append(("\n\n".join(texts), reply))
            texts = []
    return messages
