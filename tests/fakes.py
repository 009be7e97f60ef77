"""In-memory stand-ins for the engine and the user store; they record their calls."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

from bot.core.answers import AnswerBook, EngineAnswer
from bot.core.chatlog import ChatLog
from bot.core.dialogue import EngineUnavailable
from bot.core.learning import QuizAnswer, QuizCell
from bot.core.pipeline import Pipeline
from bot.core.router import Conversation
from bot.core.turn import Kind, Outcome, Turn
from bot.core.types import Locale, Profile, UserTurn
from bot.handoff.desk import HandoffDesk

# answers the fake engine may name, as locales/answers.yml would define them
BOOK = AnswerBook.parse(
    {
        "answers": {
            "greet": {"bubbles": [{"text": "Hello!"}]},
            "about_documents": {"bubbles": [{"text": "About documents…"}]},
            "brochure": {"bubbles": [{"text": "brochure"}]},
            "choose_language": {"composed": "languages"},
            "tier1": {"composed": "tier"},
            "tier2": {"composed": "tier"},
            "hotlines": {"composed": "hotlines"},
        }
    }
)
HELLO = EngineAnswer("greet", "greet")


class FakeDialogue:
    """Answers each turn with scripted answers, or fails like a dead engine."""

    def __init__(self, replies: list[EngineAnswer] | None = None, down: bool = False) -> None:
        self.replies = replies if replies is not None else [HELLO]
        self.down = down
        self.calls: list[UserTurn] = []

    async def send(self, turn: UserTurn) -> tuple[EngineAnswer, ...]:
        self.calls.append(turn)
        if self.down:
            raise EngineUnavailable("down")
        return tuple(self.replies)


class FakeStore:
    """A user store in a dict; `down` makes every call behave like a dead database."""

    def __init__(self, down: bool = False) -> None:
        self.locales: dict[str, Locale] = {}
        self.profiles: dict[str, Profile] = {}
        self.tiers: dict[str, str] = {}
        self.down = down

    async def get_locale(self, user: str) -> Locale | None:
        return None if self.down else self.locales.get(user)

    async def remember(self, user: str, locale: Locale) -> None:
        if not self.down:
            self.locales[user] = locale

    async def get_profile(self, user: str) -> Profile | None:
        return None if self.down else self.profiles.get(user)

    async def remember_profile(self, user: str, profile: Profile) -> None:
        if not self.down:
            self.profiles[user] = profile

    async def get_tier(self, user: str) -> str | None:
        return None if self.down else self.tiers.get(user)

    async def remember_tier(self, user: str, record: str) -> None:
        if not self.down:
            self.tiers[user] = record


class FakeQuizStore:
    """Quiz answers and tips views in memory, with the database's once-only rule."""

    def __init__(self, down: bool = False) -> None:
        self.answers: list[QuizAnswer] = []
        self.seen: set[tuple[str, str]] = set()
        self.down = down

    async def tips_seen(self, user: str, sector: str) -> bool:
        return not self.down and (user, sector) in self.seen

    async def mark_tips_seen(self, user: str, sector: str) -> None:
        if not self.down:
            self.seen.add((user, sector))

    async def report(self) -> list[QuizCell]:
        return []

    async def record(self, answer: QuizAnswer) -> bool:
        if self.down:
            return True
        key = (answer.user, answer.sector, answer.question, answer.phase, answer.version)
        if any((a.user, a.sector, a.question, a.phase, a.version) == key for a in self.answers):
            return False
        self.answers.append(answer)
        return True


class RecordingOutbox:
    """The adapter's side of a turn, recorded: what was sent, in order, and deleted."""

    def __init__(self) -> None:
        self.sent: list[tuple[Turn, Outcome]] = []
        self.deleted: list[int] = []
        self.something_sent = asyncio.Event()
        self._next_id = 1000

    async def send(self, turn: Turn, outcome: Outcome) -> list[int]:
        self.sent.append((turn, outcome))
        self.something_sent.set()
        ids = list(range(self._next_id, self._next_id + len(outcome.replies)))
        self._next_id += len(outcome.replies)
        return ids

    @contextlib.asynccontextmanager
    async def typing(self, turn: Turn) -> AsyncIterator[None]:
        yield

    async def delete(self, turn: Turn, message_ids: list[int]) -> int:
        self.deleted += message_ids
        return len(message_ids)

    def msgids(self, sender: str | None = None) -> list[str]:
        """Every reply's msgid, in the order sent (to one person, if given)."""
        return [
            reply.msgid
            for turn, outcome in self.sent
            if sender is None or turn.sender == sender
            for reply in outcome.replies
        ]


def text(sender: str, words: str, hint: str | None = "en", **extra: Any) -> Turn:
    """A typed message as the adapter would hand it over."""
    return Turn(sender, Kind.TEXT, words, locale_hint=hint, chat_id=1, message_id=1, **extra)


def press(sender: str, data: str, hint: str | None = "en") -> Turn:
    """A button press."""
    return Turn(sender, Kind.BUTTON, data, locale_hint=hint, chat_id=1)


def command(sender: str, name: str, args: str = "", hint: str | None = "en") -> Turn:
    """A command such as /start or /help they locked us in."""
    return Turn(sender, Kind.COMMAND, args, command=name, locale_hint=hint, chat_id=1,
                message_id=1)  # fmt: skip


def pipeline(convo: Conversation, chat_log: ChatLog | None = None) -> Pipeline:
    """The pipeline as the bot runs without a desk: "talk to a person" gives the hotlines."""
    return Pipeline(convo, HandoffDesk(None, convo), chat_log=chat_log)
