"""The optional short check after a tier-2 or tier-3 disclosure (issue #5, item 4).

A few yes/no questions from the ILO forced-labour indicators (shared/content/brief.md
§3.1, the brief's own wording, not a validated instrument), asked one at a time, only if
the user chose to start. Every question can be skipped or the check stopped. An answer
that is a sign of forced labour raises the conversation's tier and brings its advice
at once; the bot never says whether someone is a victim (safety.md invariant 5).

State: the question being asked and the keys of the signs so far, per pseudonym, in the
state port (bot/core/state.py): this process's memory by default, Redis when REDIS_URL is
set (then a restart or a second process carries on with the check). It expires after
CHECK_TTL; a button of an expired or forgotten check gets the kind "that button doesn't
work any more" answer. The answers themselves are never stored in the database
(safety.md invariant 8, minimum data); the conversation tier they raise is
(bot/core/tierbook.py).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from bot.core.state import State, key
from bot.core.urgency import intent_tier
from bot.i18n import N_

PREFIX = "check:"
START = "check:start"
STOP = "check:stop"
ANSWERS = ("yes", "no", "skip")
CHECK_TTL = 24 * 3600.0  # seconds a check in progress is kept


@dataclass(frozen=True)
class Question:
    """One yes/no question; `sign` is the answer that may point to forced labour."""

    key: str
    msgid: str
    sign: str  # "yes" or "no"
    intent: str  # the intent the engine is told about, so its tracker records the sign
    advice: str  # msgid of the advice sent with the sign ("" for the tier-1 reply)

    @property
    def tier(self) -> int:
        """The tier that answer brings: its intent's, as bot/core/urgency reads it."""
        return intent_tier(self.intent)


QUESTIONS: tuple[Question, ...] = (
    Question(
        "leave",
        N_("Can you leave your workplace or the place where you live when you are not working?"),
        "no",
        "report_confinement",
        "",
    ),
    Question(
        "documents",
        N_("Do you have your passport and work permit, or can you get them whenever you want?"),
        "no",
        "report_documents_withheld",
        N_(
            "👉 Good to know:\n"
            "Keeping a worker's passport or work permit is a crime in Thailand (Royal "
            "Ordinance 2017, section 131). The government help centre %(msdhs)s takes "
            "reports, 24 hours. If you can, keep a photo of your documents somewhere safe."
        ),
    ),
    Question(
        "debt",
        N_(
            "Do you owe money to your employer or agent that you cannot pay back, "
            "or that stops you from leaving?"
        ),
        "yes",
        "report_debt_bondage",
        N_(
            "👉 Good to know:\n"
            "A debt that keeps you in a job can be a sign of forced labour. In Thailand the "
            "employer should pay the recruitment costs, not the worker. Keep every receipt "
            "and message about the money."
        ),
    ),
    Question(
        "threats",
        N_(
            "🤔\nHas anyone threatened you or your family, or threatened to call the police "
            "or immigration on you?"
        ),
        "yes",
        "report_threats",
        N_(
            "👉 Good to know:\n"
            "Nobody has the right to threaten you or your family. If it is safe, keep the "
            "messages. If you are in danger now, call the police: %(police)s."
        ),
    ),
    Question(
        "pay",
        N_("Do you get your full pay, on time, at least once a month?"),
        "no",
        "report_unpaid_wages",
        N_(
            "👉 Good to know:\n"
            "Your pay is your right, with or without documents. Write down the days and "
            "hours you worked and what you were paid; it helps when you ask for it."
        ),
    ),
)
BY_KEY = {q.key: q for q in QUESTIONS}


@dataclass(frozen=True)
class Step:
    """What an answer led to: the sign it showed (if any) and the next question."""

    sign: Question | None
    next: Question | None  # None: the check is over
    tier: int  # most urgent tier of the signs so far (4: none)


class Screening:
    """Checks in progress, one per pseudonym, in the state port (see the module docstring)."""

    def __init__(self, state: State) -> None:
        self._state = state

    async def _save(self, user: str, asking: str, signs: list[str]) -> None:
        progress = json.dumps({"asking": asking, "signs": signs})
        await self._state.put(key("check", user), progress, CHECK_TTL)

    async def start(self, user: str) -> Question:
        """Begin (or begin again) with the first question."""
        await self._save(user, QUESTIONS[0].key, [])
        return QUESTIONS[0]

    async def answer(self, user: str, key_: str, answer: str) -> Step | None:
        """Record an answer to the question on screen; None for a stale or forged press."""
        raw = await self._state.get(key("check", user))
        progress = json.loads(raw) if raw else None
        if progress is None or progress.get("asking") != key_ or answer not in ANSWERS:
            return None
        question = BY_KEY[key_]
        signs = [k for k in progress.get("signs", []) if k in BY_KEY]
        sign = question if answer == question.sign else None
        if sign is not None:
            signs.append(key_)
        tier = min((BY_KEY[k].tier for k in signs), default=4)
        index = QUESTIONS.index(question) + 1
        following = QUESTIONS[index] if index < len(QUESTIONS) and tier > 1 else None
        if following is None:
            await self._state.drop(key("check", user))  # over: tier 1 ends it, numbers first
        else:
            await self._save(user, following.key, signs)
        return Step(sign, following, tier)

    async def stop(self, user: str) -> bool:
        """End the user's check; False when there was none."""
        running = await self._state.get(key("check", user)) is not None
        await self._state.drop(key("check", user))
        return running


def parse(data: str) -> tuple[str, str] | None:
    """("leave", "yes") from "check:leave:yes"; None for anything malformed."""
    parts = data.removeprefix(PREFIX).split(":")
    if len(parts) == 2 and parts[0] in BY_KEY and parts[1] in ANSWERS:
        return parts[0], parts[1]
    return None
