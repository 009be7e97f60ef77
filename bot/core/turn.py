"""One thing a person did, as a plain value, and what the core sends back.

The Telegram adapter turns every update into one `Turn` and decides nothing; the core runs
the steps (bot/core/pipeline.py) and talks back through an `Outbox` the adapter provides.
A `CaseDesk` (the hand-off, bot/handoff/desk.py) takes the turns that belong to a case:
the core names what it needs and the assembly plugs it in, so the core never imports it.
Tests build Turns by hand and record what an Outbox was given.
"""

from __future__ import annotations

import enum
import re
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Protocol

from bot.core.types import BotReply, Locale, UserTurn
from bot.core.urgency import Verdict

# our own button data never holds white space; a "button" with words in it is screened
_WORDS = re.compile(r"\s")


class Kind(str, enum.Enum):
    """What kind of thing the person sent."""

    TEXT = "text"
    COMMAND = "command"  # "/name args": `command` holds the name, `text` the arguments
    CAPTION = "caption"  # a photo, voice note, ... with words: `media` and `text`
    BUTTON = "button"  # an inline-button press: `text` is its data
    MEDIA = "media"  # a photo, voice note, sticker, ... without words: `media`
    EDIT = "edit"  # an edited text or caption: `text` is the new version


@dataclass(frozen=True)
class Turn:
    """One update, reduced to what the core needs; the raw Telegram id is not in it."""

    sender: str  # pseudonym
    kind: Kind
    text: str = ""  # the words as sent (message text, caption, command arguments, data)
    command: str = ""  # COMMAND: lower-case name without "/" and "@bot"
    media: str = ""  # MEDIA, CAPTION: voice, photo, sticker, document, location, contact
    locale_hint: str | None = None  # Telegram's language_code
    chat_type: str = "private"  # private, group, supergroup
    chat_id: int = 0  # where replies go; used to copy messages to a desk, never stored
    message_id: int = 0  # the person's own message (0 for a button press)
    topic: int | None = None  # a forum topic (desk groups)

    @property
    def words(self) -> str:
        """Everything the person typed in this turn: what the urgency gate screens."""
        if self.kind is Kind.COMMAND:
            return f"/{self.command} {self.text}".strip()
        if self.kind is Kind.BUTTON:
            return self.text if _WORDS.search(self.text.strip()) else ""
        if self.kind is Kind.MEDIA:
            return ""
        return self.text

    @property
    def private(self) -> bool:
        """True in a one-to-one chat with the bot."""
        return self.chat_type == "private"


@dataclass(frozen=True)
class Outcome:
    """What to send back, in which language, and a turn to tell the engine afterwards."""

    locale: Locale
    replies: tuple[BotReply, ...]
    record: UserTurn | None = None
    # after /forget: nothing may be noted about the person again
    leave_no_trace: bool = False
    # tier-1 numbers: they go out ahead of everything waiting for Telegram's send rate
    # (safety.md invariant 10: danger first under load)
    urgent: bool = False


class Outbox(Protocol):
    """How the core reaches the person; the adapter renders and sends."""

    async def send(self, turn: Turn, outcome: Outcome) -> list[int]:
        """Send the replies in order, each a chat bubble; the ids of what was sent."""
        ...

    def typing(self, turn: Turn) -> AbstractAsyncContextManager[None]:
        """Show "typing…" while the block runs, if it takes a while."""
        ...

    async def delete(self, turn: Turn, message_ids: list[int]) -> int:
        """Delete messages of the person's chat (/hide); how many went."""
        ...


class CaseDesk(Protocol):
    """The person's side of the hand-off, as the pipeline uses it (bot/handoff/desk.py)."""

    async def on_turn(self, turn: Turn, verdict: Verdict, answered: bool) -> Outcome | None:
        """The answer when the turn belongs to the hand-off; None lets the bot answer."""
        ...

    async def adapt(self, sender: str, outcome: Outcome) -> Outcome:
        """The engine's "ask for a person" answer, made the offer of a person."""
        ...

    async def forget(self, sender: str) -> tuple[BotReply, ...]:
        """/forget: the open case ends and the person's words leave the desks."""
        ...
