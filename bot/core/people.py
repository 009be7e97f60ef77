"""Each person's language and routing profile: a memo in the state port, the database behind.

A recent person's language and place are read from the memo (this process or Redis), so the
common turn reads no database; the database is asked, within its deadline, only for someone
the memo does not know, and written after the reply (bot/core/record.py). `quick_locale`
never touches the database: the urgency gate answers with it before anything else runs.
"""

from __future__ import annotations

import json
import logging
from typing import Protocol

from bot.core.record import Recorder
from bot.core.state import DAY, State, key
from bot.core.types import DEFAULT_LOCALE, Locale, Profile, as_locale, as_where
from bot.text.script import detect_script_locale

log = logging.getLogger(__name__)
MEMO_TTL = DAY


class UserStore(Protocol):
    """Remembers each pseudonymous user's language and routing profile; may fail (then
    reads return None and writes are lost), the memo copes."""

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


def _profile_json(profile: Profile) -> str:
    return json.dumps({"where": profile.where, "child": profile.child})


def _profile(raw: str) -> Profile:
    data = json.loads(raw)
    child = data.get("child")
    return Profile(
        where=as_where(data.get("where")), child=child if child in (True, False) else None
    )


class People:
    """Language and profile per pseudonym: memo first, then the store."""

    def __init__(self, store: UserStore, state: State, recorder: Recorder) -> None:
        self.store = store
        self._state = state
        self._recorder = recorder

    async def quick_locale(self, user: str, text: str, hint: str | None) -> Locale:
        """The language to answer danger in, without the database: the script of the
        words, else the memo, else Telegram's language_code, else English."""
        written_in = as_locale(detect_script_locale(text) or "")
        if written_in is not None:
            return written_in
        return (
            as_locale(await self._state.get(key("locale", user)))
            or as_locale(hint)
            or (DEFAULT_LOCALE)
        )

    async def locale_for(self, user: str, hint: str | None) -> Locale:
        """The user's language: remembered, else Telegram's guess, else English."""
        memo = as_locale(await self._state.get(key("locale", user)))
        if memo is not None:
            return memo
        stored = await self.store.get_locale(user)
        locale = stored or as_locale(hint) or DEFAULT_LOCALE
        await self._state.put(key("locale", user), locale, MEMO_TTL)
        self._recorder.later(user, lambda: self.store.remember(user, locale))
        return locale

    async def set_locale(self, user: str, locale: Locale) -> None:
        """A new language: in the memo now, in the database after the reply."""
        await self._state.put(key("locale", user), locale, MEMO_TTL)
        self._recorder.later(user, lambda: self.store.remember(user, locale))

    async def quick_profile(self, user: str) -> Profile:
        """The profile from the memo only (the gate's answer); empty if not there."""
        raw = await self._state.get(key("profile", user))
        return _profile(raw) if raw else Profile()

    async def profile_for(self, user: str) -> Profile:
        """Where the user is and their age group, as far as they told us."""
        raw = await self._state.get(key("profile", user))
        if raw:
            return _profile(raw)
        profile = await self.store.get_profile(user) or Profile()
        await self._state.put(key("profile", user), _profile_json(profile), MEMO_TTL)
        return profile

    async def set_profile(self, user: str, profile: Profile) -> None:
        """A new profile: in the memo now, in the database after the reply."""
        await self._state.put(key("profile", user), _profile_json(profile), MEMO_TTL)
        self._recorder.later(user, lambda: self.store.remember_profile(user, profile))
