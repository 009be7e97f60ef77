"""The bot's own answers to a turn: language, the engine, routed risk answers, the floor.

The pipeline (bot/core/pipeline.py) calls this after the gate, the budget and the person's
lock, when no hand-off case takes the turn. What a person at risk is told is built in
bot/core/risk.py; tips and quizzes in bot/core/learning.py; consent in bot/core/privacy.py;
the language and place memo in bot/core/people.py; the conversation tier in
bot/core/tierbook.py (every tier sign seen here is noted there).
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import re
from typing import Protocol

from bot.core import learning, messages, routing, screening
from bot.core import privacy as consent
from bot.core.age import AgeReader, AgeStatement
from bot.core.answers import HOTLINES, LANGUAGES, TIER, AnswerBook, EngineAnswer
from bot.core.dialogue import DialogueClient, EngineUnavailable
from bot.core.directory import Directory
from bot.core.people import People, UserStore
from bot.core.privacy import Privacy
from bot.core.record import Recorder
from bot.core.risk import (
    CHECK_OFFER,
    OPTIONS,
    WHERE,
    WHERE_PREFIX,
    WHERE_QUESTION,
    RiskAnswers,
    menu_button,
)
from bot.core.state import LocalState, State
from bot.core.subtopics import SubtopicBook
from bot.core.tierbook import TierBook, TierStore
from bot.core.turn import Outcome
from bot.core.types import (
    LANGUAGE_NAMES,
    LOCALES,
    BotReply,
    Button,
    Locale,
    Profile,
    UserTurn,
    as_locale,
    as_where,
)
from bot.core.urgency import Gate, SafetyNet, Verdict, intent_tier
from bot.core.urgency.conversation import ConversationTier
from bot.text.normalize import normalize
from bot.text.script import detect_script_locale

log = logging.getLogger(__name__)
_INTENT_PAYLOAD = re.compile(r"^/([a-z_]{2,40})$")
LANGUAGE_PREFIX = "lang:"
SHARE = "share"
EMERGENCY_INTENT = "/emergency_help"  # how the engine hears of a turn the gate answered
SMALL_TALK = "/small_talk"  # what the engine hears for "I am 40" (its answer: a friendly word)
MEDIA_MESSAGES = {
    "voice": messages.VOICE,
    "photo": messages.PHOTO,
    "sticker": messages.STICKER,
    "document": messages.DOCUMENT,
    "location": messages.LOCATION,
    "contact": messages.CONTACT,
}
ENGINE_DOWN = BotReply(messages.ENGINE_DOWN)
FLOOR = (ENGINE_DOWN, BotReply(messages.HOTLINES_LIST))
URGENT_MSGIDS = frozenset({messages.TIER1, messages.TIER2})
# a privacy notice would crowd out help: never after these
NO_NOTICE_AFTER = URGENT_MSGIDS | {
    messages.ENGINE_DOWN,
    messages.ROUTED_ENGINE_DOWN,
    messages.ROUTED_TIER1,
    messages.ROUTED_TIER1_ELSEWHERE,
    messages.ROUTED_TIER2,
}


class PeopleStore(UserStore, TierStore, Protocol):
    """The user table as the conversation needs it: language, place, age, tier."""


@dataclasses.dataclass(frozen=True)
class Asked:
    """What the engine answered to a person's turn, and whom the replies are built for."""

    user: str
    answers: tuple[EngineAnswer, ...]
    locale: Locale
    profile: Profile
    words: str = ""  # what the person typed (a sub-topic is chosen by it); "" for a command


def language_menu() -> BotReply:
    """The language picker: five buttons, each language written in its own script."""
    buttons = tuple(
        Button(LANGUAGE_NAMES[locale], f"{LANGUAGE_PREFIX}{locale}", literal=True)
        for locale in LOCALES
    )
    return BotReply(messages.CHOOSE_LANGUAGE, buttons=buttons)


def for_engine(clean: str) -> str:
    """What the engine may read of typed text (#13.5): never a leading "/", which Rasa would
    take as an intent to trigger (and log whole when it cannot parse it)."""
    text = clean.lstrip()
    while text.startswith("/"):
        text = text[1:].lstrip()
    return text


class Conversation:
    """The bot's answers; owns language choice, hotline routing and every fallback."""

    def __init__(
        self,
        dialogue: DialogueClient,
        store: PeopleStore,
        intents: frozenset[str],
        net: SafetyNet | None = None,
        *,
        privacy: Privacy | None = None,
        lessons: learning.Learning | None = None,
        directory: Directory | None = None,
        ages: AgeReader | None = None,
        state: State | None = None,
        recorder: Recorder | None = None,
        answers: AnswerBook | None = None,
        subtopics: SubtopicBook | None = None,
    ) -> None:
        self._dialogue = dialogue
        # what each answer the engine names says (locales/answers.yml; swapped by /reload)
        self.answers = answers or AnswerBook.empty()
        # the specific answer inside a topic, from the person's words (locales/subtopics.yml)
        self.subtopics = subtopics or SubtopicBook.empty()
        self.privacy = privacy
        self._intents = intents  # the intents the bot's own buttons may trigger
        self.state = state or LocalState()
        self.recorder = recorder or Recorder()
        self.people = People(store, self.state, self.recorder)
        self.tiers = TierBook(self.state, store, self.recorder)
        # the one place a turn's words are screened for urgency, and read for an age
        self.gate = Gate(net, ages=ages)
        self.lessons = lessons  # sector tips and quizzes (None: the bot runs without them)
        self.risk = RiskAnswers(directory, self.state)
        self.bot_link = ""  # https://t.me/<username>, known once the bot has called getMe

    @property
    def ages(self) -> AgeReader:
        """The age statements the gate reads (swapped with it by /reload)."""
        return self.gate.ages

    @property
    def directory(self) -> Directory | None:
        """The hotline directory routing reads (swapped by a staff reload)."""
        return self.risk.directory

    @directory.setter
    def directory(self, directory: Directory | None) -> None:
        self.risk.directory = directory

    async def locale_for(self, user: str, language_code: str | None) -> Locale:
        """The user's language: remembered, else Telegram's guess, else English."""
        return await self.people.locale_for(user, language_code)

    async def profile_for(self, user: str) -> Profile:
        """Where the user is and their age group, as far as they told us."""
        return await self.people.profile_for(user)

    async def tier_of(self, user: str) -> ConversationTier:
        """The conversation's tier (bot/core/tierbook.py): what a hand-off is routed by."""
        return await self.tiers.current(user)

    # -- danger first ---------------------------------------------------------------------

    async def danger(self, user: str, text: str, hint: str | None, verdict: Verdict) -> Outcome:
        """The tier-1 answer, built without the database, the lock or the engine (the
        caller keeps the verdict with `keep_verdict` once the numbers are sent)."""
        locale = await self.people.quick_locale(user, text, hint)
        profile = await self.people.quick_profile(user)
        statement = self.ages.read(normalize(text))
        if statement is not None:
            profile = dataclasses.replace(profile, child=statement.under_18)
        return Outcome(locale, self.risk.routed(user, 1, locale, profile), urgent=True)

    async def keep_verdict(self, user: str, verdict: Verdict) -> None:
        """The gate's verdict joins the person's conversation tier: for someone the memo
        does not know this reads the database, so it comes after the numbers, never before."""
        await self.tiers.verdict(user, verdict)

    async def after_danger(self, user: str, text: str, hint: str | None) -> Outcome:
        """Under the lock, after the gate's answer: keep the language, age and place
        up to date, and tell the engine (after the reply) what happened."""
        clean = normalize(text)
        locale = await self._follow_script(user, clean, hint)
        await self._read_age(user, clean)
        return Outcome(locale, (), UserTurn(user, EMERGENCY_INTENT, locale))

    async def urgent(self, user: str, hint: str | None, verdict: Verdict) -> Outcome:
        """A routed answer for the tier the gate saw where the engine is not asked (an
        edit, an unknown command)."""
        locale = await self.locale_for(user, hint)
        tier = verdict.tier or routing.HOTLIST
        await self.tiers.verdict(user, verdict)
        profile = await self.profile_for(user)
        return Outcome(locale, self.risk.routed(user, tier, locale, profile))

    # -- text -----------------------------------------------------------------------------

    async def _follow_script(self, user: str, clean: str, hint: str | None) -> Locale:
        """The user's language, switched when they write in another script."""
        locale = await self.locale_for(user, hint)
        written_in = as_locale(detect_script_locale(clean))
        if written_in and written_in != locale:
            await self.people.set_locale(user, written_in)
            return written_in
        return locale

    async def on_text(
        self, user: str, text: str, language_code: str | None, verdict: Verdict | None = None
    ) -> Outcome:
        """Typed text: switch language if the script says so, then ask the engine.

        `verdict` is the gate's, when the pipeline already screened the words."""
        clean = normalize(text)
        locale = await self._follow_script(user, clean, language_code)
        danger = verdict if verdict is not None else self.gate.screen(clean)
        profile, age, news = await self._read_age(user, clean)
        await self.tiers.verdict(user, danger)  # its tier and coercion signs, if any
        if danger.tier == 1:
            # numbers first, before the engine has a say; it hears of the turn afterwards.
            replies = self.risk.routed(user, 1, locale, profile)
            return Outcome(locale, replies, UserTurn(user, EMERGENCY_INTENT, locale), urgent=True)
        words = for_engine(clean)
        if not words:
            return Outcome(locale, (BotReply(messages.NOT_UNDERSTOOD, buttons=(menu_button(),)),))
        if age is not None and news and age.under_18 and age.whole_message:
            return Outcome(locale, (self.risk.child_noted(locale, profile),))
        if danger.tier is None and age is not None and age.adult_only:
            # "I am 40": the classifier reads any age as "I am 15"; a friendly word back
            words = SMALL_TALK
        try:
            answers = await self._dialogue.send(UserTurn(user, words, locale))
        except EngineUnavailable:
            return await self._engine_down(user, danger, locale, profile)
        replies = await self._answered(Asked(user, answers, locale, profile, words))
        if danger.tier == 2 and not any(intent_tier(a.intent) <= 2 for a in answers):
            # the classifier missed what the net saw
            replies = (*self.risk.routed(user, 2, locale, profile), *replies)
        # the engine saw danger the gate did not: its numbers jump the queue as well
        return Outcome(locale, replies, urgent=any(intent_tier(a.intent) == 1 for a in answers))

    async def _engine_down(
        self, user: str, danger: Verdict, locale: Locale, profile: Profile
    ) -> Outcome:
        if danger.tier == 2:
            return Outcome(locale, self.risk.routed(user, 2, locale, profile))
        await self.tiers.unread(user)  # nobody read these words: a hand-off must know
        return Outcome(locale, self.risk.floor(locale, profile))

    async def _answered(self, asked: Asked) -> tuple[BotReply, ...]:
        """The engine's named answers as replies; the risk intents it saw are noted in
        the conversation tier (by name, never the words)."""
        for answer in asked.answers:
            tier = intent_tier(answer.intent)
            if tier < routing.HOTLIST:
                await self.tiers.note(asked.user, tier, answer.intent)
        return self._render(asked)

    def _render(self, asked: Asked) -> tuple[BotReply, ...]:
        """Each named answer's bubbles, or what the bot composes for it (answers.yml)."""
        user, locale, profile = asked.user, asked.locale, asked.profile
        replies: list[BotReply] = []
        for answer in asked.answers:
            how, tier = self.answers.composed(answer.name), intent_tier(answer.intent)
            # a specific question inside an information topic gets its own answer, and
            # answers with a part per country get the person's (locales/subtopics.yml)
            choice = self.subtopics.choose(answer.intent, asked.words, locale, answer.name)
            if choice.answer != answer.name:
                replies.extend(self.subtopics.bubbles(self.answers, choice))
            elif how == TIER or (tier < routing.HOTLIST and not self.answers.knows(answer.name)):
                # the lines for how urgent the intent is (urgency decides), also when the
                # content file lacks the answer: a person at risk always gets numbers
                replies.extend(self.risk.routed(user, tier, locale, profile))
            elif how == HOTLINES:
                replies.extend(self.risk.routed(user, routing.HOTLIST, locale, profile))
            elif how == LANGUAGES:
                replies.append(language_menu())
            else:
                replies.extend(self.subtopics.bubbles(self.answers, choice))
        return tuple(replies) or (BotReply(messages.NOT_UNDERSTOOD, buttons=(menu_button(),)),)

    async def _read_age(self, user: str, text: str) -> tuple[Profile, AgeStatement | None, bool]:
        """Notice an age statement: the profile (updated when the statement changes it),
        the statement, and whether it was news."""
        profile = await self.profile_for(user)
        statement = self.ages.read(text)
        if statement is None or profile.child is statement.under_18:
            return profile, statement, False
        profile = dataclasses.replace(profile, child=statement.under_18)
        await self.people.set_profile(user, profile)
        return profile, statement, True

    # -- commands -------------------------------------------------------------------------

    async def _with_notice(self, user: str, replies: tuple[BotReply, ...]) -> tuple[BotReply, ...]:
        """Add the privacy notice after the greeting of a user who has not chosen yet.

        Telegram sends /start at a person's first contact, so that is where it goes; never
        after urgent help, and never in the middle of a conversation."""
        if self.privacy is None or NO_NOTICE_AFTER.intersection(r.msgid for r in replies):
            return replies
        if await self.privacy.notice_due(user):
            return (*replies, self.privacy.notice())
        return replies

    async def on_command(self, user: str, intent: str, language_code: str | None) -> Outcome:
        """A command (/start, /help) is an intent trigger for the engine."""
        locale = await self.locale_for(user, language_code)
        profile = await self.profile_for(user)
        replies = await self._ask_engine(UserTurn(user, f"/{intent}", locale), profile)
        if intent == "greet":
            replies = await self._with_notice(user, replies)
        return Outcome(locale, replies)

    async def on_language_command(self, user: str, language_code: str | None) -> Outcome:
        """/language: show the picker."""
        return Outcome(await self.locale_for(user, language_code), (language_menu(),))

    async def on_privacy_command(self, user: str, language_code: str | None) -> Outcome:
        """/privacy: what is kept now, and the choice again."""
        locale = await self.locale_for(user, language_code)
        if self.privacy is None:
            return Outcome(locale, (BotReply(messages.NOT_UNDERSTOOD),))
        return Outcome(locale, await self.privacy.status(user))

    async def on_forget_command(self, user: str, language_code: str | None) -> Outcome:
        """/forget: ask before erasing anything."""
        return Outcome(await self.locale_for(user, language_code), (Privacy.forget_question(),))

    async def record(self, turn: UserTurn) -> None:
        """Tell the engine about a turn the bot already answered; its replies are dropped."""
        with contextlib.suppress(EngineUnavailable):
            await self._dialogue.send(turn)

    # -- buttons and media ----------------------------------------------------------------

    async def on_button(self, user: str, data: str, language_code: str | None) -> Outcome:
        """Handle a button press; unknown or forged data gets the menu, never an error."""
        locale = await self.locale_for(user, language_code)
        profile = await self.profile_for(user)
        if data.startswith(LANGUAGE_PREFIX):
            chosen = as_locale(data.removeprefix(LANGUAGE_PREFIX))
            if chosen and data.removeprefix(LANGUAGE_PREFIX) == chosen:
                await self.people.set_locale(user, chosen)
                return Outcome(chosen, (BotReply(messages.LANGUAGE_SET),))
        if data in (consent.CONSENT_YES, consent.CONSENT_NO, consent.FORGET_NO):
            return await self._on_privacy_button(user, data, locale)
        if data == OPTIONS:
            return Outcome(locale, self.risk.options(locale, profile))
        if data == WHERE:
            return Outcome(locale, (WHERE_QUESTION,))
        if data.startswith(WHERE_PREFIX):
            where = as_where(data.removeprefix(WHERE_PREFIX))
            if where is not None:
                return await self._new_place(user, where, locale, profile)
        if data.startswith(screening.PREFIX):
            return await self._check(user, data, locale, profile)
        if data == SHARE and self.bot_link:
            card = BotReply(messages.SHARE_CARD, params={"bot_link": self.bot_link})
            return Outcome(locale, (card,))
        if self.lessons is not None and learning.owns(data):
            # tips and quizzes are answered here, not by the engine (button data validated)
            return Outcome(locale, await self.lessons.on_button(user, data, locale))
        opened = self.subtopics.opened(self.answers, data, locale)
        if opened:  # a sub-topic or country button under an answer (answer:<name>)
            return Outcome(locale, opened)
        match = _INTENT_PAYLOAD.match(data)
        if match and match.group(1) in self._intents:
            return Outcome(locale, await self._ask_engine(UserTurn(user, data, locale), profile))
        return self.expired(locale)

    @staticmethod
    def expired(locale: Locale) -> Outcome:
        """Stale or forged button data: a kind word and the menu."""
        log.info("refused button data that is not ours")
        return Outcome(locale, (BotReply(messages.BUTTON_EXPIRED, buttons=(menu_button(),)),))

    async def _on_privacy_button(self, user: str, data: str, locale: Locale) -> Outcome:
        if self.privacy is None:
            return self.expired(locale)
        if data == consent.FORGET_NO:
            return Outcome(locale, (BotReply(consent.NOT_FORGOTTEN),))
        return Outcome(locale, (await self.privacy.choose(user, data, locale),))

    async def _new_place(self, user: str, where: str, locale: Locale, profile: Profile) -> Outcome:
        """The person said where they are: the conversation's answer again, for that place,
        without the offers already made."""
        profile = dataclasses.replace(profile, where=as_where(where))
        await self.people.set_profile(user, profile)
        tier = (await self.tiers.current(user)).tier
        replies = self.risk.routed(user, min(tier, routing.HOTLIST), locale, profile)
        return Outcome(locale, tuple(r for r in replies if r is not CHECK_OFFER))

    async def _check(self, user: str, data: str, locale: Locale, profile: Profile) -> Outcome:
        tier = (await self.tiers.current(user)).tier
        step = await self.risk.check(user, data, locale, profile, tier)
        if step is None:
            return self.expired(locale)
        replies, record, sign = step
        if sign is not None:
            await self.tiers.note(user, *sign)
        return Outcome(locale, replies, record)

    async def on_media(self, user: str, kind: str, language_code: str | None) -> Outcome:
        """A kind answer to anything that is not text."""
        locale = await self.locale_for(user, language_code)
        msgid = MEDIA_MESSAGES.get(kind, messages.OTHER_MEDIA)
        return Outcome(locale, (BotReply(msgid),))

    async def _ask_engine(self, turn: UserTurn, profile: Profile) -> tuple[BotReply, ...]:
        """The engine's answers as replies; the floor when it fails."""
        try:
            answers = await self._dialogue.send(turn)
        except EngineUnavailable:
            return self.risk.floor(turn.locale, profile)
        return await self._answered(Asked(turn.sender, answers, turn.locale, profile))
