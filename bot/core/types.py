"""Value types that cross the boundaries between adapter, core, engine and storage."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from bot.i18n import Term

Locale = Literal["en", "th", "my", "km", "lo"]
LOCALES: tuple[Locale, ...] = ("en", "th", "my", "km", "lo")
DEFAULT_LOCALE: Locale = "en"
# each language named in its own script, so a reader finds theirs without reading ours.
LANGUAGE_NAMES: dict[Locale, str] = {
    "th": "ไทย",
    "my": "မြန်မာ",
    "km": "ខ្មែរ",
    "lo": "ລາວ",
    "en": "English",
}


def as_locale(value: str | None) -> Locale | None:
    """Map a Telegram language_code such as "en-US" or "my" to one of our locales."""
    if not value:
        return None
    code = value.split("-")[0].split("_")[0].lower()
    for locale in LOCALES:
        if locale == code:
            return locale
    return None


@dataclass(frozen=True)
class Button:
    """An inline button: its label (a catalog msgid or a literal) and what a press sends."""

    label: str
    data: str
    literal: bool = False  # literal labels (language names) are never translated


@dataclass(frozen=True)
class Line:
    """One hotline in a routed list: who (a msgid), the number(s), and when (a msgid)."""

    label: str  # catalog msgid, or the directory's English name for an entry without one
    numbers: str  # ASCII digits, e.g. "1300" or "1-800-010-180"
    note: str = ""  # catalog msgid such as "24 hours"; empty for none


@dataclass(frozen=True)
class BotReply:
    """One chat bubble: a catalog msgid, its parameters and optional buttons.

    `lines` fills the %(lines)s placeholder with a routed hotline list, translated when
    the reply is rendered (the router knows who, the catalogs know the words): hotlines,
    and sentences (Terms) such as "I don't know a checked line in Lao that works there".
    """

    msgid: str
    params: dict[str, str] = field(default_factory=dict)
    buttons: tuple[Button, ...] = ()
    lines: tuple[Line | Term, ...] = ()
    # the engine's answer this bubble belongs to (locales/answers.yml); empty for the bot's
    # own, so later steps recognise an answer by its name, never by its text
    answer: str = ""


Where = Literal["TH", "MM", "KH", "LA", "other"]
WHERE: tuple[Where, ...] = ("TH", "MM", "KH", "LA", "other")


@dataclass(frozen=True)
class Profile:
    """What routing needs to know about a user, each part only if the user told us."""

    where: Where | None = None  # the country the user is in now
    child: bool | None = None  # True when the user said they are under 18


def as_where(value: str | None) -> Where | None:
    """One of WHERE, or None for anything else (e.g. stale or forged data)."""
    for where in WHERE:
        if where == value:
            return where
    return None


@dataclass(frozen=True)
class UserTurn:
    """One thing the user said or pressed, already normalised."""

    sender: str  # pseudonym, never the raw Telegram id
    text: str
    locale: Locale
