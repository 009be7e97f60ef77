"""The user's say over their data: the notice and consent, /privacy, /forget, /hide texts.

Help never depends on consent. Without a "yes" the bot keeps only the user's language,
their choices, and, for 48 hours, the ids of the chat's messages (so /hide works). With a
"yes" it also keeps what they write for the retention period, for a person they may ask
to talk with. Other consents (a person reading, a referral) are asked where they arise.
"""

from __future__ import annotations

import logging
from typing import Protocol

from bot.core.state import DAY, LocalState, State, key
from bot.core.types import BotReply, Button
from bot.i18n import N_

log = logging.getLogger(__name__)
# bump when the notice's meaning changes: consents are stored against the version shown.
NOTICE_VERSION = "2026-12-02"
STORE = "store"  # the consent kind for keeping what the user writes
CONSENT_YES, CONSENT_NO = "consent:store:yes", "consent:store:no"
FORGET_YES, FORGET_NO = "forget:yes", "forget:no"
BUTTON_DATA = frozenset({CONSENT_YES, CONSENT_NO, FORGET_YES, FORGET_NO})

NOTICE = N_(
    "Before we go on, a word about your privacy 🔒\n\n"
    "• I'm an information service of a safe-migration campaign. I'm not the police or "
    "immigration, and I don't need your name.\n"
    "• I remember which language you use. For 2 days I also note which messages are in this "
    "chat (not what they say), so that /hide can clear it.\n"
    "• If you say yes, I also keep what you write for %(days)s days, so that a counsellor "
    "can read it if you ask to talk with a person. Nobody else reads it.\n"
    "• Information and help numbers work the same, whatever you choose.\n"
    "• I also count how often things happen here, for example how many people read a "
    "topic, but never who did what. These totals hold nothing about you, so /forget has "
    "nothing to erase there.\n"
    "• /forget erases everything I have about you. /privacy shows this again.\n\n"
    "May I keep what you write for %(days)s days?"
)
YES_BUTTON = N_("Yes, keep it")
NO_BUTTON = N_("No, don't keep it")
SAVED_YES = N_(
    "Thank you. I'll keep what you write for %(days)s days. You can change your mind with "
    "/privacy at any time."
)
SAVED_NO = N_("Okay, I won't keep what you write. I can still help you with everything.")
NOT_SAVED = N_(
    "Sorry, I couldn't save your choice just now, so for now I won't keep what you write. "
    "Please try /privacy again later."
)
STATUS_KEEPING = N_("Right now I keep what you write for %(days)s days.")
STATUS_NOT_KEEPING = N_("Right now I don't keep what you write.")
FORGET_QUESTION = N_(
    "Do you want me to erase everything I have about you? That means your language, your "
    "choices, anything I kept of what you wrote, and our conversation history. "
    "This can't be undone."
)
FORGET_YES_BUTTON = N_("Yes, erase everything")
FORGET_NO_BUTTON = N_("No, keep it")
FORGOTTEN = N_(
    "Done. I erased everything I had about you: your language, your choices, %(texts)s "
    "messages I had kept, and our conversation history. If you write again, we start fresh."
)
NOT_FORGOTTEN = N_("Okay, nothing was erased.")
FORGET_FAILED = N_(
    "Sorry, a technical problem stopped me from erasing your data just now. Nothing was "
    "shared. Please try /forget again in a few minutes."
)
HIDDEN = N_(
    "All clear. I removed %(count)s messages from the last 2 days. Older messages stay: to "
    "remove them too, delete this chat from your chat list."
)
HIDE_FAILED = N_(
    "Sorry, I couldn't clear the chat just now. You can delete this chat from your chat "
    "list yourself, and try /hide again later."
)
COMMAND_PRIVACY = N_("Your privacy choices")
COMMAND_FORGET = N_("Erase what I know about you")
COMMAND_HIDE = N_("Clear this chat")


class ConsentStore(Protocol):
    """Where choices and consented texts live (bot.storage.privacy.SqlPrivacyStore)."""

    async def consent(self, pseudonym: str, kind: str) -> bool | None:
        """The current choice, or None if never made or unknown."""
        ...

    async def record_consent(
        self, pseudonym: str, kind: str, granted: bool, notice_version: str, locale: str
    ) -> None:
        """Store a choice; raises if it could not be stored."""
        ...

    async def store_texts(self, pseudonym: str, lines: list[tuple[str, str]]) -> None:
        """Keep a consenting user's lines."""
        ...

    async def recent_texts(self, pseudonym: str, limit: int = 20) -> list[tuple[str, str]]:
        """The newest kept (role, text) lines, oldest first (empty when unreachable)."""
        ...

    async def forget(self, pseudonym: str) -> Erasure:
        """Erase everything about one user; raises if it could not."""
        ...


class Erasure(Protocol):
    """What /forget removed; the user is told how many of their messages went."""

    @property
    def texts(self) -> int:
        """Kept messages erased."""
        ...


_CHOICES = {"yes": True, "no": False, "none": None}
TRANSCRIPT_LINES = 6  # the person's last messages a desk may read, if they agree


class Privacy:
    """The consent rules in one place; the router asks it, the handlers store through it."""

    def __init__(
        self, store: ConsentStore, retention_days: float, state: State | None = None
    ) -> None:
        self._store = store
        self.params = {"days": f"{retention_days:g}"}
        # choices seen recently (memo); a user who never answers sees the notice once a day
        self._state = state or LocalState()

    async def keeps_texts(self, user: str) -> bool:
        """True only if the user said yes to keeping what they write."""
        return bool(await self._choice(user))

    async def _choice(self, user: str) -> bool | None:
        memo = await self._state.get(key("consent", user))
        if memo is None:
            choice = await self._store.consent(user, STORE)
            await self._cache(user, choice)
            return choice
        return _CHOICES.get(memo)

    async def _cache(self, user: str, choice: bool | None) -> None:
        memo = "yes" if choice else "none" if choice is None else "no"
        await self._state.put(key("consent", user), memo, DAY)

    async def notice_due(self, user: str) -> bool:
        """True the first time a user who has not chosen yet is seen (then not again)."""
        if await self._state.get(key("consent", user)) is not None:
            return False
        choice = await self._store.consent(user, STORE)
        await self._cache(user, choice)
        return choice is None

    def notice(self) -> BotReply:
        """The notice with its two choices."""
        buttons = (Button(YES_BUTTON, CONSENT_YES), Button(NO_BUTTON, CONSENT_NO))
        return BotReply(NOTICE, params=self.params, buttons=buttons)

    async def status(self, user: str) -> tuple[BotReply, ...]:
        """/privacy: the current choice, then the notice to change it."""
        line = STATUS_KEEPING if await self.keeps_texts(user) else STATUS_NOT_KEEPING
        return (BotReply(line, params=self.params), self.notice())

    async def choose(self, user: str, data: str, locale: str) -> BotReply:
        """Store a yes/no from the notice's buttons."""
        granted = data == CONSENT_YES
        try:
            await self._store.record_consent(user, STORE, granted, NOTICE_VERSION, locale)
        except Exception:
            log.warning("consent not stored")
            await self._cache(user, False)
            return BotReply(NOT_SAVED)
        await self._cache(user, granted)
        return BotReply(SAVED_YES if granted else SAVED_NO, params=self.params)

    async def record(self, user: str, kind: str, granted: bool, version: str, locale: str) -> None:
        """Store a consent asked elsewhere (a person reading, sharing the transcript);
        a failure is logged: the choice itself still governs what happens now."""
        try:
            await self._store.record_consent(user, kind, granted, version, locale)
        except Exception:
            log.warning("consent not stored: %s", kind)

    @staticmethod
    def forget_question() -> BotReply:
        """/forget asks first: erasing cannot be undone."""
        buttons = (Button(FORGET_YES_BUTTON, FORGET_YES), Button(FORGET_NO_BUTTON, FORGET_NO))
        return BotReply(FORGET_QUESTION, buttons=buttons)

    async def forget(self, user: str) -> BotReply:
        """Erase everything stored about the user and say what went, or that it failed."""
        try:
            erased = await self._store.forget(user)
        except Exception:
            log.warning("forget failed")
            return BotReply(FORGET_FAILED)
        await self._state.drop(key("consent", user))
        return BotReply(FORGOTTEN, params={"texts": str(erased.texts)})

    async def transcript(self, user: str) -> list[str]:
        """What the person wrote lately, as kept with their consent: the one source of the
        transcript a desk may read (only if they agree when asking for a person)."""
        if not await self.keeps_texts(user):
            return []
        lines = await self._store.recent_texts(user, TRANSCRIPT_LINES * 3)
        return [text for role, text in lines if role == "user"][-TRANSCRIPT_LINES:]

    async def keep_turn(self, user: str, text: str, replies: tuple[BotReply, ...]) -> None:
        """With consent, keep what the user wrote and which messages answered it."""
        if await self.keeps_texts(user):
            lines = [("user", text), *(("bot", reply.msgid) for reply in replies)]
            await self._store.store_texts(user, lines)
