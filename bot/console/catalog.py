"""The Messages page's model: every message id, its five translations as the bot renders
them, the buttons it carries, where it is used, and what is wrong with it.

Rendering is the bot's own (`Catalogs.render` with the values the core computed: hotline
numbers, dated facts); the flags reuse the checks of `make texts-check`
(bot/i18n/check.py, bot/core/content.py), so the page and the check never disagree.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from babel.messages.pofile import read_po

from bot.core import learning
from bot.core.answers import AnswerBook
from bot.core.content import LISTED_INSIDE, RUNTIME_PARAMS
from bot.core.quiz import QuizBook
from bot.core.risk import TIER_REPLY_MSGIDS
from bot.core.types import LANGUAGE_NAMES, LOCALES, BotReply
from bot.i18n import PLACEHOLDER, Catalogs, po_path
from bot.i18n.check import (
    LOCAL_DIGITS,
    MYANMAR_DIGIT_RUN,
    TELEGRAM_TEXT_LIMIT,
    alarming_first_line,
    alarming_words,
    disclosure_words,
)
from bot.text.normalize import is_zawgyi

# what a placeholder filled only as the bot sends shows here (a hotline list, a score)
SAMPLE = {name: f"‹{name}›" for name in RUNTIME_PARAMS}


@dataclass(frozen=True)
class Raw:
    """One catalog entry as written: its text and whether a translator marked it fuzzy."""

    text: str
    fuzzy: bool
    comments: tuple[str, ...] = ()


@dataclass(frozen=True)
class Translation:
    """One language of one message: as written, as sent, and its problems."""

    locale: str
    text: str
    rendered: str
    flags: tuple[str, ...]
    buttons: tuple[str, ...] = ()


@dataclass(frozen=True)
class Message:
    """One message id with its five languages."""

    msgid: str
    translations: tuple[Translation, ...]
    flags: tuple[str, ...]  # every flag of every language, plus "unused"
    used_in: tuple[str, ...] = ()
    comments: tuple[str, ...] = ()

    def matches(self, query: str) -> bool:
        """The query (any language, any case) in the id, a translation or a rendering."""
        wanted = query.casefold().strip()
        texts = [self.msgid, *(t.text for t in self.translations)]
        texts += [t.rendered for t in self.translations]
        return not wanted or any(wanted in text.casefold() for text in texts)


@dataclass(frozen=True)
class Usage:
    """Where messages appear: answers' bubbles and sectors, and each bubble's buttons."""

    places: dict[str, list[str]] = field(default_factory=dict)
    buttons: dict[str, list[BotReply]] = field(default_factory=dict)

    def add(self, msgid: str, place: str) -> None:
        self.places.setdefault(msgid, []).append(place)


def usage(answers: AnswerBook, book: QuizBook | None) -> Usage:
    """Which answer or sector shows each msgid, and the bubbles that carry buttons."""
    found = Usage()
    bubbles: list[tuple[str, BotReply]] = []
    for name, replies in answers.previews().items():
        bubbles += [(f"answer {name}", reply) for reply in replies]
    for sector in book.sectors if book else ():
        tips, quiz = learning.preview(sector)
        bubbles += [(f"tips {sector.key}", reply) for reply in tips]
        bubbles += [(f"quiz {sector.key}", reply) for reply in quiz]
    for place, reply in bubbles:
        found.add(reply.msgid, place)
        if reply.buttons:
            found.buttons.setdefault(reply.msgid, []).append(reply)
        for button in reply.buttons:
            if not button.literal:
                found.add(button.label, f"button in {place}")
    return found


def read_raw(locales_dir: Path) -> dict[str, dict[str, Raw]]:
    """Every language's catalog as written (fuzzy and empty entries included)."""
    found: dict[str, dict[str, Raw]] = {}
    for locale in LOCALES:
        path = po_path(locales_dir, locale)
        if not path.exists():
            found[locale] = {}
            continue
        with path.open("rb") as handle:
            catalog = read_po(handle)
        found[locale] = {
            str(m.id): Raw(str(m.string or ""), bool(m.fuzzy), tuple(m.auto_comments))
            for m in catalog
            if m.id and isinstance(m.id, str)
        }
    return found


@dataclass(frozen=True)
class Checks:
    """The words first lines must not say, per language (locales/discreet.yml)."""

    alarming: Mapping[str, list[str]]
    disclosing: Mapping[str, list[str]]

    @classmethod
    def load(cls, locales_dir: Path) -> Checks:
        return cls(alarming_words(locales_dir), disclosure_words(locales_dir))

    def flags(self, msgid: str, locale: str, raw: Raw | None, rendered: str) -> list[str]:
        """What `make texts-check` would say of this translation, as short flags."""
        if raw is None or not raw.text:
            return ["missing"]
        found = ["fuzzy"] if raw.fuzzy else []
        if sorted(PLACEHOLDER.findall(raw.text)) != sorted(PLACEHOLDER.findall(msgid)):
            found.append("placeholder mismatch")
        if len(rendered) > TELEGRAM_TEXT_LIMIT:
            found.append(f"over {TELEGRAM_TEXT_LIMIT} characters")
        words = list(self.alarming.get(locale, []))
        if msgid in TIER_REPLY_MSGIDS:
            words += self.disclosing.get(locale, [])
        word = alarming_first_line(raw.text, words)
        if word and msgid not in LISTED_INSIDE:
            found.append(f"alarming first line: {word}")
        if locale == "my" and is_zawgyi(raw.text):
            found.append("Zawgyi")
        if (MYANMAR_DIGIT_RUN if locale == "my" else LOCAL_DIGITS).search(raw.text):
            found.append("local digits")
        return found


def button_labels(replies: Iterable[BotReply], locale: str, catalogs: Catalogs) -> tuple[str, ...]:
    """The buttons under a bubble, labelled as the bot labels them in `locale`."""
    return tuple(
        button.label if button.literal else catalogs.gettext(button.label, locale)
        for reply in replies
        for button in reply.buttons
    )


def messages(
    locales_dir: Path,
    catalogs: Catalogs,
    used: set[str],
    where: Usage,
) -> list[Message]:
    """Every msgid of any catalog (and any the bot uses), sorted, with flags."""
    raw, checks = read_raw(locales_dir), Checks.load(locales_dir)
    msgids = sorted({*used, *(m for per in raw.values() for m in per)})
    found = []
    for msgid in msgids:
        translations = []
        for locale in LOCALES:
            entry = raw[locale].get(msgid)
            rendered = catalogs.render(BotReply(msgid, dict(SAMPLE)), locale)
            flags = checks.flags(msgid, locale, entry, rendered)
            labels = button_labels(where.buttons.get(msgid, ()), locale, catalogs)
            text = entry.text if entry else ""
            translations.append(Translation(locale, text, rendered, tuple(flags), labels))
        summary = {f.split(":")[0] for t in translations for f in t.flags}
        if msgid not in used:
            summary.add("unused")
        comments = next((r.comments for per in raw.values() if (r := per.get(msgid))), ())
        places = tuple(where.places.get(msgid, ()))
        found.append(Message(msgid, tuple(translations), tuple(sorted(summary)), places, comments))
    return found


def language_name(locale: str) -> str:
    """A language as its readers write it, with its code."""
    return f"{LANGUAGE_NAMES.get(locale, locale)} ({locale})"  # type: ignore[call-overload]
