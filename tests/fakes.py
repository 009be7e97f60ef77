"""In-memory stand-ins for the engine and the user store; they record their calls."""

from __future__ import annotations

from bot.core.answers import AnswerBook, EngineAnswer
from bot.core.dialogue import EngineUnavailable
from bot.core.learning import QuizAnswer
from bot.core.types import Locale, Profile, UserTurn

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

    async def record(self, answer: QuizAnswer) -> bool:
        if self.down:
            return True
        key = (answer.user, answer.sector, answer.question, answer.phase, answer.version)
        if any((a.user, a.sector, a.question, a.phase, a.version) == key for a in self.answers):
            return False
        self.answers.append(answer)
        return True
