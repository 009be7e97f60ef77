"""The specific answer inside a broad topic (locales/subtopics.yml), chosen by the bot.

The engine classifies a message into one of the spec's intents and names its answer
(shared/spec/intents.md: "how much does MOU cost?" is ask_legal_migration, "when must I
renew my pink card?" is ask_documents). Inside such a topic the person asked something
specific; this module picks the answer for it from the person's own words:

- a sub-topic (e.g. `renew_documents` inside ask_documents) when one of its keywords, in
  the person's language, is in the message; keywords are data staff edit, no retraining;
- for answers with a part per country of origin (MOU costs, going home, embassies), the
  countries the message names, else the country of the person's language (Burmese ->
  Myanmar, Khmer -> Cambodia, Lao -> Laos); Thai and English readers get buttons instead.

Why not the engine: a Rasa slot filled by an entity keeps its value on later turns, so a
stale sub-topic would colour the next question; keywords here need no retraining, and
staff see and edit them beside the answers.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bot.core.answers import AnswerBook
from bot.core.types import LOCALES, BotReply
from bot.text.normalize import normalize

COUNTRIES = ("mm", "kh", "la")  # the origin countries the bot serves, in menu order
HOME_COUNTRY = {"my": "mm", "km": "kh", "lo": "la"}  # the country a language points to
KEY = re.compile(r"^[a-z][a-z0-9_]{0,40}$")
INFORMATION = "ask_"  # sub-topics only ever refine information answers, never a risk one
OPEN = "answer:"  # button data that opens a sub-topic or a country part directly
LATIN = re.compile(r"^[\x00-\x7f]+$")


@dataclass(frozen=True)
class Subtopic:
    """A specific answer, shown instead of the topic's general one when a keyword fits."""

    answer: str  # the answer's name in locales/answers.yml
    within: frozenset[str]  # the intents (information topics) whose answer it can replace
    keywords: Mapping[str, tuple[str, ...]]  # locale -> words, lower-case


@dataclass(frozen=True)
class Choice:
    """What to show for one named answer: the answer, then one part per origin country."""

    answer: str
    country_parts: tuple[str, ...] = ()
    countries_known: bool = False  # False: the answer keeps its "which country?" buttons


@dataclass(frozen=True)
class SubtopicBook:
    """Sub-topics in file order (the first that fits wins) and the per-country parts."""

    subtopics: tuple[Subtopic, ...] = ()
    countries: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    country_words: Mapping[str, Mapping[str, tuple[str, ...]]] = field(default_factory=dict)

    @classmethod
    def empty(cls) -> SubtopicBook:
        """No sub-topics: every answer is shown as the engine named it."""
        return cls()

    @classmethod
    def load(cls, path: Path) -> SubtopicBook:
        """Read and check locales/subtopics.yml; ValueError names the first problem."""
        return parse(yaml.safe_load(path.read_text(encoding="utf-8")) or {})

    def specific(self, intent: str, text: str, locale: str) -> str | None:
        """The sub-topic answer for a message the engine put under `intent`, if one of its
        keywords (in the person's language) is in the message; the first that fits wins."""
        words = folded(text)
        return next(
            (
                s.answer
                for s in self.subtopics
                if intent in s.within and _mentions(words, s.keywords.get(locale, ()))
            ),
            None,
        )

    def choose(self, intent: str, text: str, locale: str, answer: str = "") -> Choice:
        """The answer to show (the sub-topic's, else `answer`, else the intent's own name)
        and the country parts to add after it."""
        chosen = self.specific(intent, text, locale) or answer or intent
        parts = self.countries.get(chosen)
        if not parts:
            return Choice(chosen)
        home = HOME_COUNTRY.get(locale)
        countries = self.countries_named(folded(text), locale) or ((home,) if home else ())
        return Choice(chosen, tuple(parts[c] for c in countries), bool(countries))

    def countries_named(self, words: str, locale: str) -> tuple[str, ...]:
        """The origin countries a (folded) message names, in COUNTRIES order."""
        return tuple(
            c for c in COUNTRIES if _mentions(words, self.country_words.get(c, {}).get(locale, ()))
        )

    def bubbles(self, book: AnswerBook, choice: Choice) -> tuple[BotReply, ...]:
        """The chosen answer's bubbles, then each country part. When the country is known,
        the "which country?" bubble (whose buttons open the parts) is left out."""
        bubbles = book.bubbles(choice.answer)
        if choice.countries_known:
            parts = {OPEN + p for p in self.countries.get(choice.answer, {}).values()}
            bubbles = tuple(b for b in bubbles if not parts & {x.data for x in b.buttons})
        added = tuple(p for name in choice.country_parts for p in book.bubbles(name))
        return (*bubbles, *added)

    def opened(self, book: AnswerBook, data: str, locale: str) -> tuple[BotReply, ...] | None:
        """The bubbles an `answer:<name>` button opens (with the country part of the
        reader's language, if it has parts); None for data that is not such a button, or
        names no answer this file offers (stale or forged)."""
        name = data.removeprefix(OPEN) if _opens(data) else ""
        if name not in self.answers() or not book.knows(name):
            return None
        return self.bubbles(book, self.choose(name, "", locale, name))

    def answers(self) -> set[str]:
        """Every answer name this file names (each must exist in answers.yml)."""
        found = {s.answer for s in self.subtopics} | set(self.countries)
        for parts in self.countries.values():
            found |= set(parts.values())
        return found


def _opens(data: str) -> bool:
    return data.startswith(OPEN)


def folded(text: str) -> str:
    """The message as keywords are compared with it: normalised, lower-case, one space."""
    return " " + re.sub(r"\s+", " ", normalize(text).casefold()).strip() + " "


def _mentions(words: str, keywords: tuple[str, ...]) -> bool:
    """Latin keywords match whole words; the other scripts have no spaces between words,
    so their keywords match anywhere."""
    for keyword in keywords:
        if LATIN.match(keyword):
            if re.search(rf"(?<![a-z0-9]){re.escape(keyword)}(?![a-z0-9])", words):
                return True
        elif keyword in words:
            return True
    return False


def _words(raw: Any, where: str) -> dict[str, tuple[str, ...]]:
    """locale -> lower-case keywords; every language must have at least one."""
    if not isinstance(raw, dict) or set(raw) != set(LOCALES):
        raise ValueError(f"subtopics.yml: {where}: keywords for each of {', '.join(LOCALES)}")
    found = {}
    for locale, words in raw.items():
        if not isinstance(words, list) or not words or not all(isinstance(w, str) for w in words):
            raise ValueError(f"subtopics.yml: {where}.{locale}: a list of words")
        found[str(locale)] = tuple(folded(w).strip() for w in words if w.strip())
    return found


def _name(value: Any, where: str) -> str:
    if not isinstance(value, str) or not KEY.match(value):
        raise ValueError(f"subtopics.yml: {where}: an answer name (a-z, 0-9, _), got {value!r}")
    return value


def parse(data: dict[str, Any]) -> SubtopicBook:
    """A SubtopicBook from the file's parsed content; ValueError names the first problem."""
    subtopics = []
    for name, entry in (data.get("subtopics") or {}).items():
        within = entry.get("within") if isinstance(entry, dict) else None
        if not isinstance(within, list) or not within:
            raise ValueError(f"subtopics.yml: {name}: `within:` lists the topics it refines")
        topics = frozenset(_name(t, f"{name}.within") for t in within)
        if not all(t.startswith(INFORMATION) for t in topics):
            # a person who tells of danger or abuse always gets the answer for that
            raise ValueError(f"subtopics.yml: {name}: refines information intents (ask_*) only")
        subtopics.append(Subtopic(_name(name, name), topics, _words(entry.get("keywords"), name)))
    countries: dict[str, dict[str, str]] = {}
    for name, parts in (data.get("countries") or {}).items():
        if not isinstance(parts, dict) or set(parts) != set(COUNTRIES):
            raise ValueError(f"subtopics.yml: countries.{name}: one answer for each of mm kh la")
        countries[_name(name, name)] = {c: _name(a, f"{name}.{c}") for c, a in parts.items()}
    words = data.get("country_words") or {}
    if countries and set(words) != set(COUNTRIES):
        raise ValueError("subtopics.yml: country_words: words for each of mm kh la")
    return SubtopicBook(
        tuple(subtopics),
        countries,
        {str(c): _words(w, f"country_words.{c}") for c, w in words.items()},
    )
