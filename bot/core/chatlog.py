"""/hide: delete the chat's recent messages on both sides, then one harmless line.

Telegram lets a bot delete private-chat messages younger than 48 hours; the bot knows the
ids of those it has seen in that time (ids only, kept 48 hours: bot/storage/privacy.py).
It says how many went and that older ones stay.
"""

from __future__ import annotations

from typing import Protocol

from bot.core import privacy as consent
from bot.core.turn import Outbox, Outcome, Turn
from bot.core.types import BotReply, Locale


class ChatLog(Protocol):
    """The ids of a chat's recent messages (bot.storage.privacy.SqlPrivacyStore)."""

    async def remember_message_ids(self, pseudonym: str, message_ids: list[int]) -> None:
        """Keep ids for /hide; a failure only means fewer messages can be hidden."""
        ...

    async def deletable_message_ids(self, pseudonym: str) -> list[int]:
        """Ids /hide may still delete; raises when the store cannot be reached."""
        ...

    async def forget_message_ids(self, pseudonym: str) -> None:
        """After /hide: the deleted messages' ids are no longer needed."""
        ...


async def hide(turn: Turn, locale: Locale, chat_log: ChatLog | None, out: Outbox) -> Outcome:
    """Delete what can be deleted; the reply says how many went (its own id is kept, so a
    second /hide removes this line too)."""
    known: list[int] = []
    storage_down = chat_log is None
    if chat_log is not None:
        try:
            known = await chat_log.deletable_message_ids(turn.sender)
        except Exception:  # any store failure: say honestly that the chat was not cleared
            storage_down = True
    ids = sorted({*known, turn.message_id} - {0})
    deleted = await out.delete(turn, ids)
    if chat_log is not None:
        await chat_log.forget_message_ids(turn.sender)
    if storage_down or not deleted:
        return Outcome(locale, (BotReply(consent.HIDE_FAILED),))
    return Outcome(locale, (BotReply(consent.HIDDEN, params={"count": str(deleted)}),))
