"""Where the figures come from: the stores and the engine client the bot already uses,
each counting the step it records, and one function that reads what a reply showed.

Each class below is the store the bot runs anyway, plus one count where a step is
decided (a first quiz answer, a consent, /forget, a claimed case, an operator's first
reply, an information answer of the engine), so the core needs no hook. `count_outcome`
is called once per turn after the reply is out. Every count is `Tally.count`: in
memory, never waiting, never raising.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import aiohttp
from sqlalchemy.orm import Session, sessionmaker

from bot.campaign import tally as steps
from bot.campaign.tally import Tally
from bot.core import messages
from bot.core.answers import EngineAnswer
from bot.core.clock import Clock
from bot.core.dialogue import RasaRestClient, Replicas
from bot.core.learning import QuizAnswer
from bot.core.types import BotReply, UserTurn
from bot.core.urgency import intent_tier
from bot.storage.handoff import HandoffStore
from bot.storage.privacy import Erased, SqlPrivacyStore
from bot.storage.quiz import SqlQuizStore

# what each routed answer of the bot is, for "hotline numbers shown (by tier)"
ROUTED = {
    messages.ROUTED_TIER1: "tier 1",
    messages.ROUTED_TIER1_ELSEWHERE: "tier 1",
    messages.ROUTED_TIER2: "tier 2",
    messages.ROUTED_TIER3: "tier 3",
    messages.ROUTED_CHILD: "child lines",
    messages.ROUTED_HOTLINES: "hotline list",
    messages.ROUTED_ENGINE_DOWN: "floor",
    messages.ENGINE_DOWN: "floor",
}


def count_outcome(
    tally: Tally | None, sender: str, locale: str, replies: tuple[BotReply, ...]
) -> None:
    """After a reply: which hotline numbers it showed, by tier (no text is kept)."""
    if tally is None:
        return
    for reply in replies:
        tier = ROUTED.get(reply.msgid)
        if tier is not None:
            tally.count(sender, steps.HOTLINES, tier, locale=locale)


class CountingDialogue(RasaRestClient):
    """The engine client, counting the topics it answers (ask_* intents)."""

    def __init__(
        self, replicas: Replicas, timeout: float, client: aiohttp.ClientSession, tally: Tally
    ) -> None:
        super().__init__(replicas, timeout, client)
        self._tally = tally

    async def send(self, turn: UserTurn) -> tuple[EngineAnswer, ...]:
        """Ask the engine; count each information answer by its name."""
        answers = await super().send(turn)
        for answer in answers:
            if answer.intent.startswith("ask_") and intent_tier(answer.intent) == 4:
                self._tally.count(turn.sender, steps.TOPIC, answer.name, locale=turn.locale)
        return answers


class CountingQuizStore(SqlQuizStore):
    """The quiz store, counting first answers (right or wrong, before or after the tips)
    and the first time a person opens a sector's tips."""

    def __init__(self, sessions: sessionmaker[Session], tally: Tally, *, clock: Clock) -> None:
        super().__init__(sessions, clock=clock)
        self._tally = tally

    async def record(self, answer: QuizAnswer) -> bool:
        """Store the answer; count it if it was the first one in its phase."""
        new = await super().record(answer)
        if new:
            outcome = "right" if answer.correct else "wrong"
            item = f"{answer.sector}/{answer.question}"
            variant = f"{answer.phase}_{outcome}"
            self._tally.count(answer.user, steps.QUIZ, item, variant, answer.locale)
        return new

    async def mark_tips_seen(self, user: str, sector: str) -> None:
        """Keep and count the opening of a sector's tips."""
        self._tally.count(user, steps.TIPS, sector)
        await super().mark_tips_seen(user, sector)


class CountingConsentStore(SqlPrivacyStore):
    """The privacy store, counting choices (keeping words, a person reading) and /forget."""

    def __init__(self, sessions: sessionmaker[Session], tally: Tally, *, clock: Clock) -> None:
        super().__init__(sessions, clock=clock)
        self._tally = tally

    async def record_consent(
        self, pseudonym: str, kind: str, granted: bool, notice_version: str, locale: str
    ) -> None:
        """Store the choice, then count it."""
        await super().record_consent(pseudonym, kind, granted, notice_version, locale)
        if kind == "store":
            variant = "yes" if granted else "no"
            self._tally.count(pseudonym, steps.CONSENT, variant=variant, locale=locale)
        elif kind == "human":  # answered "talk with a person?": asked; "yes": consented
            self._tally.count(pseudonym, steps.HANDOFF_ASKED, locale=locale)
            if granted:
                self._tally.count(pseudonym, steps.HANDOFF_CONSENTED, locale=locale)

    async def forget(self, pseudonym: str) -> Erased:
        """Erase the person; count that /forget was used (the counters hold nobody)."""
        self._tally.count(pseudonym, steps.FORGET)
        return await super().forget(pseudonym)


class CountingHandoffStore(HandoffStore):
    """The hand-off store, counting claimed cases and the wait for an operator's first
    reply (as a bucket: no duration per person is kept)."""

    def __init__(self, sessions: sessionmaker[Session], tally: Tally, *, clock: Clock) -> None:
        super().__init__(sessions, clock=clock)
        self._tally = tally

    async def add_event(self, case: Any, kind: str, at: datetime, desk: str = "") -> None:
        """Store the case event; count the ones the figures need."""
        await super().add_event(case, kind, at, desk)
        if kind == "claimed":
            self._tally.count(case.user, steps.HANDOFF_CLAIMED, locale=case.locale)
        elif kind == "first_reply":
            waited = (at - case.created_at).total_seconds() / 60
            self._tally.waited(case.user, waited, locale=case.locale)
