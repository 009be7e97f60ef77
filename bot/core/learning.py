"""Sector tips and knowledge quizzes, handled by the bot itself (not by the engine).

Button data this module owns, all validated against locales/quiz.yml:
  tips                                the sector picker for tips
  tips:<sector>                       that sector's tips
  quiz                                the sector picker for quizzes (also /quiz)
  quiz:<sector>                       start (or restart) that sector's quiz
  quiz:<sector>:<question>:<choice>   an answer
Anything else starting with tips/quiz is stale or forged: a kind answer and the picker.

Every first answer to a question in a phase is stored as an event (pseudonym, sector,
question, correct, phase, version, language, time), never free text. The phase says
whether the user had opened that sector's tips before answering ("before"/"after"), so
staff can compare the share of right answers before and after the content.

The attempt in progress and the sectors whose tips a person opened are kept in the state
port (bot/core/state.py: this process, or Redis), one record per person that /forget drops.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from typing import Literal, Protocol

from bot.core import messages
from bot.core.quiz import Question, QuizBook, Sector
from bot.core.state import DAY, State, key
from bot.core.types import BotReply, Button, Locale
from bot.i18n import N_

log = logging.getLogger(__name__)
Phase = Literal["before", "after"]
TIPS, QUIZ = "tips", "quiz"
SHARE, MENU = "share", "/ask_menu"
PROGRESS_TTL = DAY  # seconds a person's quiz progress is kept

TIPS_PICK = N_("What kind of work do you do, or plan to do? Pick one and I'll share a few tips.")
QUIZ_PICK = N_(
    "A quick quiz: 4 questions to see what you already know. Your answers are counted "
    "without your name, only to make this chat better. Pick a kind of work:"
)
QUIZ_START = N_(
    "Let's go! %(total)s quick questions. Tap the answer you think is right. "
    "A wrong answer is fine: that's how we all learn."
)
RIGHT = N_("✅ That's right!")
NOT_QUITE = N_("💡 Not quite, and that's okay: many people think so.")
ALREADY = N_("You already answered this one, so your first answer counts. Let's go on.")
DONE = N_(
    "You got %(right)s of %(total)s right. Thank you for taking the time! "
    "Knowing this helps you and the people around you."
)
STALE = N_("That quiz button is old, so I can't use it. No problem: pick one again below.")
TEST_YOURSELF = N_("Test yourself: quick quiz")
READ_TIPS = N_("Read the tips")
ANOTHER_QUIZ = N_("Another quiz")
SHARE_BUTTON, MENU_BUTTON = messages.SHARE_BUTTON, messages.MENU_BUTTON


@dataclass(frozen=True)
class QuizAnswer:
    """One stored answer: nothing in it identifies the person beyond the pseudonym."""

    user: str  # pseudonym
    sector: str
    question: str
    correct: bool
    phase: Phase
    version: int
    locale: Locale


@dataclass(frozen=True)
class QuizCell:
    """Quiz answers (issue #4, /quizreport) of one version, sector, language and phase:
    counts only, so nothing in it can be traced back to one person's answers."""

    version: int
    sector: str
    locale: str
    phase: str
    answers: int
    right: int
    people: int


class QuizStore(Protocol):
    """Where answers and tips views are kept; may fail, the quiz carries on from memory."""

    async def tips_seen(self, user: str, sector: str) -> bool:
        """Whether this user ever opened this sector's tips (False if unknown)."""
        ...

    async def mark_tips_seen(self, user: str, sector: str) -> None:
        """Remember that this user opened this sector's tips."""
        ...

    async def record(self, answer: QuizAnswer) -> bool:
        """Store an answer; False only when this question was already stored for this
        user, phase and version (so it counts once). A failing store returns True."""
        ...

    async def report(self) -> list[QuizCell]:
        """The counts behind the staff figures (empty when the store is unreachable);
        bot/campaign/figures.py renders them, hiding small groups."""
        ...


@dataclass
class _Progress:
    """A person's attempts (sector -> question -> answered right) and tips opened."""

    attempts: dict[str, dict[str, bool]] = field(default_factory=dict)
    seen: list[str] = field(default_factory=list)


def owns(data: str) -> bool:
    """True for button data of tips and quizzes (valid or not: we answer it)."""
    head = data.split(":", 1)[0]
    return head in (TIPS, QUIZ)


class Learning:
    """Tips and quizzes for one bot process; answers go to the store."""

    def __init__(self, book: QuizBook, store: QuizStore, state: State) -> None:
        self.book = book
        self.store = store
        self._state = state

    async def _progress(self, user: str) -> _Progress:
        raw = await self._state.get(key("quiz", user))
        if not raw:
            return _Progress()
        data = json.loads(raw)
        return _Progress(dict(data.get("attempts", {})), list(data.get("seen", [])))

    async def _save(self, user: str, progress: _Progress) -> None:
        raw = json.dumps({"attempts": progress.attempts, "seen": progress.seen})
        await self._state.put(key("quiz", user), raw, PROGRESS_TTL)

    async def on_button(self, user: str, data: str, locale: Locale) -> tuple[BotReply, ...]:
        """Answer one tips/quiz button; stale or forged data gets a kind word and the picker."""
        parts = data.split(":")
        if parts == [TIPS]:
            return (self.picker(TIPS),)
        if parts == [QUIZ]:
            return (self.picker(QUIZ),)
        sector = self.book.sector(parts[1]) if len(parts) > 1 else None
        if sector is not None and parts[0] == TIPS and len(parts) == 2:
            return await self.tips(user, sector)
        if sector is not None and parts[0] == QUIZ and len(parts) == 2:
            return await self.start(user, sector)
        if sector is not None and parts[0] == QUIZ and len(parts) == 4:
            question = sector.question(parts[2])
            digit = parts[3]  # one ASCII digit; "²" or "٣" are digits to isdigit() alone
            choice = int(digit) if len(digit) == 1 and "0" <= digit <= "9" else -1
            if question is not None and 0 <= choice < len(question.choices):
                return await self.answer(user, sector, question, choice, locale)
        log.info("refused quiz or tips data that is not ours")
        return (BotReply(STALE), self.picker(parts[0]))

    def picker(self, kind: str) -> BotReply:
        """One button per sector, leading to its tips or its quiz."""
        buttons = tuple(Button(s.label, f"{kind}:{s.key}") for s in self.book.sectors)
        return BotReply(TIPS_PICK if kind == TIPS else QUIZ_PICK, buttons=buttons)

    async def tips(self, user: str, sector: Sector) -> tuple[BotReply, ...]:
        """The sector's bubbles; the last one offers the quiz, sharing and the menu."""
        progress = await self._progress(user)
        if sector.key not in progress.seen:
            progress.seen.append(sector.key)
            await self._save(user, progress)
            await self.store.mark_tips_seen(user, sector.key)
        buttons = (
            Button(TEST_YOURSELF, f"{QUIZ}:{sector.key}"),
            Button(SHARE_BUTTON, SHARE),
            Button(MENU_BUTTON, MENU),
        )
        *first, last = sector.tips
        story = (BotReply(sector.story),) if sector.story else ()
        return (*story, *(BotReply(t) for t in first), BotReply(last, buttons=buttons))

    async def start(self, user: str, sector: Sector) -> tuple[BotReply, ...]:
        """A fresh attempt: the intro and the first question."""
        progress = await self._progress(user)
        progress.attempts[sector.key] = {}
        await self._save(user, progress)
        intro = BotReply(QUIZ_START, {"total": str(len(sector.questions))})
        return (intro, question_reply(sector, sector.questions[0]))

    async def phase(self, user: str, sector: str, progress: _Progress) -> Phase:
        """ "after" once the user has opened this sector's tips, else "before"."""
        if sector in progress.seen or await self.store.tips_seen(user, sector):
            if sector not in progress.seen:
                progress.seen.append(sector)
            return "after"
        return "before"

    async def answer(
        self, user: str, sector: Sector, question: Question, choice: int, locale: Locale
    ) -> tuple[BotReply, ...]:
        """Explain the answer, store it once, then the next question or the score."""
        progress = await self._progress(user)
        attempt = progress.attempts.setdefault(sector.key, {})
        if question.key in attempt:  # a second tap on the same question
            seen = sector.key in progress.seen
            return (BotReply(ALREADY), self.next_step(sector, attempt, seen))
        correct = choice == question.answer
        attempt[question.key] = correct
        phase = await self.phase(user, sector.key, progress)
        await self._save(user, progress)
        event = QuizAnswer(
            user, sector.key, question.key, correct, phase, self.book.version, locale
        )
        if not await self.store.record(event):
            log.info("quiz answer already stored; counted once")
        verdict = BotReply(RIGHT if correct else NOT_QUITE)
        following = self.next_step(sector, attempt, sector.key in progress.seen)
        return (verdict, BotReply(question.explain), following)

    @staticmethod
    def next_step(sector: Sector, attempt: dict[str, bool], tips_seen: bool) -> BotReply:
        """The first question not yet answered in this attempt, or the score at the end."""
        for question in sector.questions:
            if question.key not in attempt:
                return question_reply(sector, question)
        params = {"right": str(sum(attempt.values())), "total": str(len(sector.questions))}
        if tips_seen:
            buttons: tuple[Button, ...] = (
                Button(SHARE_BUTTON, SHARE),
                Button(ANOTHER_QUIZ, QUIZ),
                Button(MENU_BUTTON, MENU),
            )
        else:  # took the quiz first: the tips are the natural next step
            buttons = (Button(READ_TIPS, f"{TIPS}:{sector.key}"), Button(MENU_BUTTON, MENU))
        return BotReply(DONE, params, buttons)


def question_reply(sector: Sector, question: Question) -> BotReply:
    """A question bubble with one button per choice."""
    buttons = tuple(
        Button(label, f"{QUIZ}:{sector.key}:{question.key}:{index}")
        for index, label in enumerate(question.choices)
    )
    return BotReply(question.text, buttons=buttons)


def preview(sector: Sector) -> tuple[tuple[BotReply, ...], tuple[BotReply, ...]]:
    """(tips, quiz) of a sector as staff preview them: each question, then its explanation."""
    story = (BotReply(sector.story),) if sector.story else ()
    tips = (*story, *(BotReply(t) for t in sector.tips))
    quiz: list[BotReply] = []
    for question in sector.questions:
        quiz += [question_reply(sector, question), BotReply(question.explain)]
    return tips, tuple(quiz)
