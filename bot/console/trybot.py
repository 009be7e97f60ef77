"""Try the bot: a staff member chats with the bot as a test person, through the same
pipeline a Telegram user's turn takes (`Pipeline.handle` with a `Turn`).

A test person is flagged by construction: its pseudonym is "console-" and random hex (a
real person's is a keyed hash of a Telegram id, 32 hex characters, so the two never
meet), and its pipeline (bot/assembly.py `test_bench`) runs the live content and code
over stores of its own: a scratch SQLite file that is deleted when the bot stops, and
this process's memory for state. So a test person is never stored as a user, never
counted in any figure, never reaches an operator desk (no desks in its pipeline). The
engine sees it as one more sender and keeps its usual intent-only tracker.

The transcript (the staff member's own test messages and the bot's rendered bubbles) is
kept per console session in the state port until logout or SESSION_TTL.
"""

from __future__ import annotations

import contextlib
import json
import secrets
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

from bot.console.access import SESSION_TTL
from bot.core.pipeline import Pipeline
from bot.core.router import Conversation
from bot.core.state import State
from bot.core.turn import Kind, Outcome, Turn
from bot.core.types import LOCALES, BotReply, Profile, as_locale, as_where
from bot.i18n import Catalogs

TEST_PREFIX = "console-"


def is_test_person(sender: str) -> bool:
    """True for the console's test persons, whose pseudonyms no real person can have."""
    return sender.startswith(TEST_PREFIX)


@dataclass
class Chat:
    """One test person's conversation as the page shows it."""

    sender: str
    locale: str
    where: str = ""
    age: str = ""
    bubbles: list[dict[str, Any]] = field(default_factory=list)

    def next_id(self) -> int:
        return len(self.bubbles) + 1

    def dump(self) -> str:
        return json.dumps(self.__dict__, ensure_ascii=False)

    @classmethod
    def load(cls, raw: str) -> Chat:
        return cls(**json.loads(raw))


class ConsoleOutbox:
    """The pipeline's way out for a test person: bubbles rendered exactly as the Telegram
    adapter renders them (parameters that are message ids translated, then the catalogs'
    `render`), buttons labelled the same way."""

    def __init__(self, chat: Chat, catalogs: Catalogs) -> None:
        self.chat = chat
        self.catalogs = catalogs

    async def send(self, turn: Turn, outcome: Outcome) -> list[int]:
        sent = []
        for reply in outcome.replies:
            locale = outcome.locale
            params = {k: self.catalogs.gettext(v, locale) for k, v in reply.params.items()}
            shown = BotReply(reply.msgid, params, reply.buttons, reply.lines)
            buttons = [
                [b.label if b.literal else self.catalogs.gettext(b.label, locale), b.data]
                for b in reply.buttons
            ]
            bubble_id = self.chat.next_id()
            self.chat.bubbles.append(
                {
                    "id": bubble_id,
                    "from": "bot",
                    "text": self.catalogs.render(shown, locale),
                    "msgid": reply.msgid,
                    "locale": locale,
                    "buttons": buttons,
                }
            )
            sent.append(bubble_id)
        return sent

    @contextlib.asynccontextmanager
    async def typing(self, turn: Turn) -> AsyncIterator[None]:
        yield

    async def delete(self, turn: Turn, message_ids: list[int]) -> int:
        gone = set(message_ids)
        for bubble in self.chat.bubbles:
            if bubble["id"] in gone:
                bubble["deleted"] = True
        return len(gone)


class TryBot:
    """Test persons per console session; every turn through the test pipeline."""

    def __init__(
        self,
        pipeline: Pipeline,
        live: Callable[[], tuple[Conversation, Catalogs]],
        state: State,
    ) -> None:
        self.pipeline = pipeline
        self.live = live  # the running bot's conversation and catalogs (swapped by reload)
        self.state = state

    async def chat(self, session_key: str) -> Chat | None:
        raw = await self.state.get(f"console-try:{session_key}")
        return Chat.load(raw) if raw else None

    async def new_person(self, session_key: str, locale: str, where: str, age: str) -> Chat:
        """A fresh test person (language as Telegram would say it, place and age as if
        told), greeted by /start like a person opening the bot."""
        chosen = as_locale(locale) or "en"
        chat = Chat(TEST_PREFIX + secrets.token_hex(16), chosen, where, age)
        place, child = as_where(where), {"child": True, "adult": False}.get(age)
        if place is not None or child is not None:
            people = self.pipeline.conversation.people
            await people.set_locale(chat.sender, chosen)
            await people.set_profile(chat.sender, Profile(place, child))
        return await self._turn(
            session_key, chat, Turn(chat.sender, Kind.COMMAND, command="start")
        )

    async def say(self, session_key: str, text: str) -> Chat | None:
        """The test person writes (a "/command" is a command, as in Telegram)."""
        chat = await self.chat(session_key)
        if chat is None or not text.strip():
            return chat
        words = text.strip()
        turn = Turn(chat.sender, Kind.TEXT, text=words)
        if words.startswith("/") and len(words) > 1:
            name, _, rest = words[1:].partition(" ")
            turn = Turn(chat.sender, Kind.COMMAND, command=name.lower(), text=rest.strip())
        chat.bubbles.append({"id": chat.next_id(), "from": "person", "text": words})
        return await self._turn(session_key, chat, turn)

    async def press(self, session_key: str, data: str) -> Chat | None:
        """The test person presses a button with this data."""
        chat = await self.chat(session_key)
        if chat is None or not data:
            return chat
        label = next(
            (b[0] for bubble in chat.bubbles for b in bubble.get("buttons", []) if b[1] == data),
            data,
        )
        chat.bubbles.append({"id": chat.next_id(), "from": "person", "text": f"[{label}]"})
        return await self._turn(session_key, chat, Turn(chat.sender, Kind.BUTTON, text=data))

    async def _turn(self, session_key: str, chat: Chat, turn: Turn) -> Chat:
        live, catalogs = self.live()
        self._follow(live)
        hinted = Turn(
            turn.sender, turn.kind, turn.text, turn.command, locale_hint=chat.locale,
            message_id=chat.next_id() - 1,
        )  # fmt: skip
        await self.pipeline.handle(hinted, ConsoleOutbox(chat, catalogs))
        await self.state.put(f"console-try:{session_key}", chat.dump(), SESSION_TTL)
        return chat

    def _follow(self, live: Conversation) -> None:
        """The test pipeline reads what the live bot reads, after every /reload too."""
        mine = self.pipeline.conversation
        mine.gate, mine.directory = live.gate, live.directory  # the gate holds the ages
        mine.answers, mine.bot_link = live.answers, live.bot_link
        if mine.lessons is not None and live.lessons is not None:
            mine.lessons.book = live.lessons.book


CHOICES = {
    "locale": LOCALES,
    "where": ("", "TH", "MM", "KH", "LA", "other"),
    "age": ("", "adult", "child"),
}
