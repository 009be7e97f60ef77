"""One turn in, the replies out: language, safety net, engine, and the floor when it fails.

What a person at risk is told (routed lines, the short check, options) is built in
bot/core/risk.py; tips and quizzes in bot/core/learning.py; consent in bot/core/privacy.py.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import re
from collections import OrderedDict
from dataclasses import dataclass
from typing import Protocol

from bot.core import learning, messages, routing, screening
from bot.core import privacy as consent
from bot.core.age import AgeReader, AgeStatement
from bot.core.answers import HOTLINES, LANGUAGES, TIER, AnswerBook, EngineAnswer
from bot.core.dialogue import DialogueClient, EngineUnavailable
from bot.core.directory import Directory
from bot.core.privacy import Privacy
from bot.core.recent import remember_recent
from bot.core.risk import (
    CHECK_OFFER,
    HANDOFF,
    OPTIONS,
    WHERE,
    WHERE_PREFIX,
    WHERE_QUESTION,
    RiskAnswers,
    menu_button,
)
from bot.core.subtopics import SubtopicBook
from bot.core.types import (
    DEFAULT_LOCALE,
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
from bot.core.urgency import Gate, SafetyNet, intent_tier
from bot.text.normalize import normalize
from bot.text.script import detect_script_locale

log = logging.getLogger(__name__)
_INTENT_PAYLOAD = re.compile(r"^/([a-z_]{2,40})$")
LANGUAGE_PREFIX = "lang:"
SHARE = "share"
MEDIA_MESSAGES = {
    "voice": messages.VOICE,
    "photo": messages.PHOTO,
    "sticker": messages.STICKER,
    "document": messages.DOCUMENT,
    "location": messages.LOCATION,
    "contact": messages.CONTACT,
}


class UserStore(Protocol):
    """Remembers each pseudonymous user's language and routing profile; may fail, the
    router copes."""

    async def get_locale(self, user: str) -> Locale | None:
        """The stored locale, or None for a new user."""
        ...

    async def remember(self, user: str, locale: Locale) -> None:
        """Store the locale and mark the user as seen now."""
        ...

    async def get_profile(self, user: str) -> Profile | None:
        """Where the user is and whether they are under 18, as they told us; None if unknown."""
        ...

    async def remember_profile(self, user: str, profile: Profile) -> None:
        """Store the profile (the user row exists: the locale is remembered first)."""
        ...


@dataclass(frozen=True)
class Outcome:
    """What to send back, in which language, and a turn to record with the engine after."""

    locale: Locale
    replies: tuple[BotReply, ...]
    record: UserTurn | None = None
    # after /forget: the adapter must not note anything about the person again
    leave_no_trace: bool = False


def language_menu() -> BotReply:
    """The language picker: five buttons, each language written in its own script."""
    buttons = tuple(
        Button(LANGUAGE_NAMES[locale], f"{LANGUAGE_PREFIX}{locale}", literal=True)
        for locale in LOCALES
    )
    return BotReply(messages.CHOOSE_LANGUAGE, buttons=buttons)


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


class Conversation:
    """Routes turns to the engine; owns language choice, hotline routing and every fallback."""

    def __init__(
        self,
        dialogue: DialogueClient,
        store: UserStore,
        intents: frozenset[str],
        net: SafetyNet | None = None,
        *,
        privacy: Privacy | None = None,
        lessons: learning.Learning | None = None,
        directory: Directory | None = None,
        ages: AgeReader | None = None,
        answers: AnswerBook | None = None,
        subtopics: SubtopicBook | None = None,
    ) -> None:
        self._dialogue = dialogue
        # what each answer the engine names says (locales/answers.yml; swapped by /reload)
        self.answers = answers or AnswerBook.empty()
        # the specific answer inside a topic, from the person's words (locales/subtopics.yml)
        self.subtopics = subtopics or SubtopicBook.empty()
        self.privacy = privacy
        self._store = store
        self._intents = intents
        self.gate = Gate(net)  # the one place a turn's words are screened for urgency
        self.lessons = lessons  # sector tips and quizzes (None: the bot runs without them)
        self.risk = RiskAnswers(directory)
        self.ages = ages or AgeReader.empty()
        self.bot_link = ""  # https://t.me/<username>, known once the bot has called getMe
        # recent users' languages, so a dead database never loses a language mid-chat.
        self._recent: OrderedDict[str, Locale] = OrderedDict()
        # recent users' place and age, for the same reason
        self._profiles: OrderedDict[str, Profile] = OrderedDict()

    async def locale_for(self, user: str, language_code: str | None) -> Locale:
        """The user's language: remembered, else Telegram's guess, else English."""
        if user in self._recent:
            self._recent.move_to_end(user)
            return self._recent[user]
        stored = await self._store.get_locale(user)
        locale = stored or as_locale(language_code) or DEFAULT_LOCALE
        await self._set_locale(user, locale)
        return locale

    async def _set_locale(self, user: str, locale: Locale) -> None:
        remember_recent(self._recent, user, locale)
        await self._store.remember(user, locale)

    async def profile_for(self, user: str) -> Profile:
        """Where the user is and their age group, as far as they told us."""
        if user in self._profiles:
            return self._profiles[user]
        profile = await self._store.get_profile(user) or Profile()
        remember_recent(self._profiles, user, profile)
        return profile

    async def _set_profile(self, user: str, profile: Profile) -> None:
        remember_recent(self._profiles, user, profile)
        await self._store.remember_profile(user, profile)

    def forget_user(self, user: str) -> None:
        """Drop what the router holds in memory about a user (for an erase command)."""
        for cache in (self._recent, self._profiles):
            cache.pop(user, None)
        self.risk.forget(user)

    @property
    def directory(self) -> Directory | None:
        """The hotline directory routing reads (swapped by a staff reload)."""
        return self.risk.directory

    @directory.setter
    def directory(self, directory: Directory | None) -> None:
        self.risk.directory = directory

    async def on_text(self, user: str, text: str, language_code: str | None) -> Outcome:
        """Handle typed text: switch language if the script says so, then ask the engine."""
        clean = normalize(text)
        locale = await self.locale_for(user, language_code)
        written_in = detect_script_locale(clean)
        if written_in and written_in != locale:
            locale = written_in  # type: ignore[assignment]  # detect_* returns our locales
            await self._set_locale(user, locale)
        if not clean:
            return Outcome(locale, (BotReply(messages.OTHER_MEDIA),))
        profile, told_child = await self._read_age(user, clean)
        danger = self.gate.screen(clean).tier
        if danger == 1:
            # numbers first, before the engine has a say; it hears of the turn afterwards.
            replies = self.risk.routed(user, 1, locale, profile)
            return Outcome(locale, replies, UserTurn(user, "/emergency_help", locale))
        if told_child and told_child.whole_message:
            return Outcome(locale, (self.risk.child_noted(locale, profile),))
        try:
            answers = await self._dialogue.send(UserTurn(user, clean, locale))
        except EngineUnavailable:
            if danger == 2:
                return Outcome(locale, self.risk.routed(user, 2, locale, profile))
            return Outcome(locale, self.risk.floor(locale, profile))
        replies = self._render(user, answers, locale, profile, clean)
        if danger == 2 and not any(intent_tier(a.intent) <= 2 for a in answers):
            # the classifier missed what the net saw
            replies = (*self.risk.routed(user, 2, locale, profile), *replies)
        return Outcome(locale, replies)

    async def _read_age(self, user: str, text: str) -> tuple[Profile, AgeStatement | None]:
        """Notice an age statement; returns the profile and the statement if it is news."""
        profile = await self.profile_for(user)
        statement = self.ages.read(text)
        if statement is None or profile.child is statement.under_18:
            return profile, None
        profile = dataclasses.replace(profile, child=statement.under_18)
        await self._set_profile(user, profile)
        return profile, statement if statement.under_18 else None

    async def _with_notice(self, user: str, replies: tuple[BotReply, ...]) -> tuple[BotReply, ...]:
        """Add the privacy notice after the greeting of a user who has not chosen yet.

        Telegram sends /start at a person's first contact, so that is where it goes; never
        after urgent help, and never in the middle of a conversation."""
        if self.privacy is None or NO_NOTICE_AFTER.intersection(r.msgid for r in replies):
            return replies
        if await self.privacy.notice_due(user):
            return (*replies, self.privacy.notice())
        return replies

    async def on_privacy_command(self, user: str, language_code: str | None) -> Outcome:
        """/privacy: what is kept now, and the choice again."""
        locale = await self.locale_for(user, language_code)
        if self.privacy is None:
            return Outcome(locale, (BotReply(messages.NOT_UNDERSTOOD),))
        return Outcome(locale, await self.privacy.status(user))

    async def on_forget_command(self, user: str, language_code: str | None) -> Outcome:
        """/forget: ask before erasing anything."""
        return Outcome(await self.locale_for(user, language_code), (Privacy.forget_question(),))

    async def _on_privacy_button(self, user: str, data: str, locale: Locale) -> Outcome:
        if self.privacy is None:
            return Outcome(locale, (BotReply(messages.BUTTON_EXPIRED, buttons=(menu_button(),)),))
        if data in (consent.CONSENT_YES, consent.CONSENT_NO):
            return Outcome(locale, (await self.privacy.choose(user, data, locale),))
        if data == consent.FORGET_NO:
            return Outcome(locale, (BotReply(consent.NOT_FORGOTTEN),))
        reply = await self.privacy.forget(user)
        forgotten = reply.msgid == consent.FORGOTTEN
        if forgotten:
            self.forget_user(user)  # language, place, age too; the reply still uses the language
        return Outcome(locale, (reply,), leave_no_trace=forgotten)

    async def record(self, turn: UserTurn) -> None:
        """Tell the engine about a turn the bot already answered; its replies are dropped."""
        with contextlib.suppress(EngineUnavailable):
            await self._dialogue.send(turn)

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

    async def on_button(self, user: str, data: str, language_code: str | None) -> Outcome:
        """Handle a button press; unknown or forged data gets the menu, never an error."""
        locale = await self.locale_for(user, language_code)
        profile = await self.profile_for(user)
        if data.startswith(LANGUAGE_PREFIX):
            chosen = as_locale(data.removeprefix(LANGUAGE_PREFIX))
            if chosen and data.removeprefix(LANGUAGE_PREFIX) == chosen:
                await self._set_locale(user, chosen)
                return Outcome(chosen, (BotReply(messages.LANGUAGE_SET),))
        if data in consent.BUTTON_DATA:
            return await self._on_privacy_button(user, data, locale)
        if data == OPTIONS:
            return Outcome(locale, self.risk.options(locale, profile))
        if data == HANDOFF:
            # the hand-off (bot/telegram/operators.py) answers this button before the router
            # when it is wired in; without it, the person still gets the lines to call
            return Outcome(locale, self.risk.routed(user, routing.HOTLIST, locale, profile))
        if data == WHERE:
            return Outcome(locale, (WHERE_QUESTION,))
        if data.startswith(WHERE_PREFIX):
            where = as_where(data.removeprefix(WHERE_PREFIX))
            if where is not None:
                profile = dataclasses.replace(profile, where=where)
                await self._set_profile(user, profile)
                replies = self.risk.routed(user, self.risk.last_tier(user), locale, profile)
                # the answer again, for the new place: without the offers already made
                return Outcome(locale, tuple(r for r in replies if r is not CHECK_OFFER))
        if data.startswith(screening.PREFIX):
            step = self.risk.check(user, data, locale, profile)
            if step is not None:
                return Outcome(locale, *step)
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
        log.info("refused button data that is not ours")
        return Outcome(locale, (BotReply(messages.BUTTON_EXPIRED, buttons=(menu_button(),)),))

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
        return self._render(turn.sender, answers, turn.locale, profile, turn.text)

    def _render(
        self,
        user: str,
        answers: tuple[EngineAnswer, ...],
        locale: Locale,
        profile: Profile,
        text: str = "",
    ) -> tuple[BotReply, ...]:
        """Each named answer's bubbles, or what the bot composes for it (answers.yml)."""
        replies: list[BotReply] = []
        for answer in answers:
            how, tier = self.answers.composed(answer.name), intent_tier(answer.intent)
            # a specific question inside an information topic gets its own answer, and
            # answers with a part per country get the person's (locales/subtopics.yml)
            choice = self.subtopics.choose(answer.intent, text, locale, answer.name)
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
