"""Opt-in updates: people ask for them (/subscribe, a button after useful answers) and
stop them (/stop, the button under every update, or by blocking the bot).

The bot never writes first to anyone who did not say yes (safety.md invariant 7). Each
choice is stored as a consent event with the version of this notice, like the other
consents (bot/core/privacy.py); the opt-in row holds the sealed chat id to write to.
"""

from __future__ import annotations

import logging
from typing import Protocol

from bot.campaign import tally as steps
from bot.campaign.tally import Tally
from bot.core.types import BotReply, Button
from bot.i18n import N_

log = logging.getLogger(__name__)
UPDATES = "updates"  # the consent kind
# bump when the offer's meaning changes: choices are stored against the version shown
NOTICE_VERSION = "2026-12-02"
OFFER, YES, NO, STOP = "sub:offer", "sub:yes", "sub:no", "sub:stop"

QUESTION = N_(
    "Would you like a short message from me now and then, when something changes for "
    "workers in Thailand (rules, fees, new help numbers)? At most a few times a month.\n\n"
    'The message will only say "Update" on your lock screen. You can stop them at any '
    "time with /stop or the button under each one."
)
YES_BUTTON = N_("Yes, send me updates")
NO_BUTTON = N_("No, thanks")
OFFER_BUTTON = N_("Get updates")
STOP_BUTTON = N_("Stop updates")
SUBSCRIBED = N_("Done. I'll send you an update when something changes. To stop, send /stop.")
DECLINED = N_("Okay, no updates. If you change your mind, send /subscribe.")
STOPPED = N_(
    "Done, no more updates from me. You can still ask me anything, and /subscribe turns "
    "them on again."
)
NOTHING_TO_STOP = N_("You don't get updates from me, so there is nothing to stop.")
NOT_SAVED = N_("Sorry, I couldn't save that just now. Please try again in a few minutes.")
COMMAND_SUBSCRIBE = N_("Get updates now and then")
COMMAND_STOP = N_("Stop updates")


class OptInStore(Protocol):
    """Opt-ins and their consent events (bot.storage.broadcasts.SqlOptInStore)."""

    async def opt_in(self, pseudonym: str, chat_id: int, version: str, locale: str) -> None:
        """Keep the opt-in and its consent event; raises if it could not."""
        ...

    async def opt_out(self, pseudonym: str, version: str, locale: str) -> bool:
        """Drop the opt-in (and pending copies) with a consent event; True if there was one."""
        ...


class Subscribers(OptInStore, Protocol):
    """What staff's broadcast commands need of the opt-in store."""

    async def count_audience(self) -> dict[str, int]:
        """Subscribers per language."""
        ...

    async def begin(self, key: str, progress_chat: int, progress_message: int) -> int:
        """Start a broadcast to everyone subscribed now; its number."""
        ...

    async def progress_of(self, broadcast: int) -> tuple[int, int | None] | None:
        """Where a broadcast's progress is shown: (chat, message or None)."""
        ...

    async def note_progress_message(self, broadcast: int, chat_id: int, message: int) -> None:
        """The message that shows a broadcast's progress from now on."""
        ...


def question() -> BotReply:
    """The offer, with its two answers."""
    return BotReply(QUESTION, buttons=(Button(YES_BUTTON, YES), Button(NO_BUTTON, NO)))


def stop_button() -> Button:
    """Under every update."""
    return Button(STOP_BUTTON, STOP)


def offer_button() -> Button:
    """After useful answers: leads to the question."""
    return Button(OFFER_BUTTON, OFFER)


class OptIn:
    """The opt-in rules: what each command and button does."""

    def __init__(self, store: OptInStore, tally: Tally | None = None) -> None:
        self._store = store
        self._tally = tally

    async def on_data(self, user: str, chat_id: int, data: str, locale: str) -> BotReply:
        """A /subscribe, /stop or a sub: button."""
        if data == OFFER:
            return question()
        if data == YES:
            try:
                await self._store.opt_in(user, chat_id, NOTICE_VERSION, locale)
            except Exception as error:
                log.warning("opt-in not stored: %s", type(error).__name__)
                return BotReply(NOT_SAVED)
            self._count(user, steps.SUBSCRIBE, locale)
            return BotReply(SUBSCRIBED)
        if data == NO:
            return BotReply(DECLINED)
        try:
            stopped = await self._store.opt_out(user, NOTICE_VERSION, locale)
        except Exception as error:
            log.warning("opt-out not stored: %s", type(error).__name__)
            return BotReply(NOT_SAVED)
        if stopped:
            self._count(user, steps.STOP, locale)
        return BotReply(STOPPED if stopped else NOTHING_TO_STOP)

    def _count(self, user: str, step: str, locale: str) -> None:
        if self._tally is not None:
            self._tally.count(user, step, locale=locale)
