"""The engine's answers by name, and the bubbles the bot sends for each (locales/answers.yml).

The dialogue engine names an answer and the intent it answers (domain.yml: `custom:
{answer: ask_documents, intent: ask_documents}`); it never sends text. Staff edit what
each answer says in locales/answers.yml, without retraining: this module reads that file,
refuses a broken one with reasons, and gives each answer's bubbles as catalog msgids.
Some answers are composed by the bot itself (the hotlines chosen for a person, the
language picker): the file names how, the caller builds them.
"""

from __future__ import annotations

import dataclasses
import logging
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from bot.core.types import BotReply, Button

log = logging.getLogger(__name__)
NAME = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
TIER = "tier"  # the lines chosen for the person by the urgency of what they said
HOTLINES = "hotlines"  # every line of the person's place
LANGUAGES = "languages"  # the language picker
COMPOSED = (TIER, HOTLINES, LANGUAGES)
# answers later steps recognise by name: the hand-off puts its consent step in its place
REQUEST_HUMAN = "request_human"
CALLBACK_DATA_LIMIT = 64  # bytes Telegram keeps of a button's data
BUBBLE_KEYS = frozenset({"text", "source", "buttons"})
BUTTON_KEYS = frozenset({"title", "data"})


@dataclass(frozen=True)
class EngineAnswer:
    """What the engine decided for one turn: an answer's name and the intent it answers."""

    name: str
    intent: str = ""  # empty when the engine placed the message under no intent


@dataclass(frozen=True)
class Answer:
    """One answer: its bubbles (catalog msgids), or how the bot composes it."""

    bubbles: tuple[BotReply, ...] = ()
    composed: str = ""  # one of COMPOSED, or empty for an answer made of bubbles
    sources: tuple[str, ...] = ()  # per bubble, for translators


class AnswerBook:
    """Every answer by name; swapped as a whole when staff reload the content."""

    def __init__(self, answers: Mapping[str, Answer]) -> None:
        self._answers = dict(answers)

    @classmethod
    def empty(cls) -> AnswerBook:
        """A book that knows no answer (tests, or before the file is readable)."""
        return cls({})

    @classmethod
    def load(cls, path: Path) -> AnswerBook:
        """Read and check the file; ValueError lists every problem found."""
        return cls.parse(yaml.safe_load(path.read_text(encoding="utf-8")) or {})

    @classmethod
    def parse(cls, data: Any) -> AnswerBook:
        """Check the file's structure; ValueError lists every problem found."""
        raw = data.get("answers") if isinstance(data, dict) else None
        if not isinstance(raw, dict) or not raw:
            raise ValueError("answers.yml: needs an `answers:` mapping of answer names")
        problems: list[str] = []
        answers = {}
        for name, entry in raw.items():
            found = _answer(str(name), entry)
            if isinstance(found, Answer):
                answers[str(name)] = found
            else:
                problems.extend(found)
        if problems:
            raise ValueError("; ".join(problems))
        return cls(answers)

    def names(self) -> frozenset[str]:
        """Every answer the book knows."""
        return frozenset(self._answers)

    def knows(self, name: str) -> bool:
        """True when the book has an answer of this name."""
        return name in self._answers

    def composed(self, name: str) -> str:
        """How the bot composes this answer; empty for bubbles or an unknown name."""
        answer = self._answers.get(name)
        return answer.composed if answer else ""

    def bubbles(self, name: str) -> tuple[BotReply, ...]:
        """The answer's bubbles; none (and a warning) for a name the book lacks."""
        answer = self._answers.get(name)
        if answer is None:
            log.warning("the engine named an answer that answers.yml lacks: %s", name)
            return ()
        return answer.bubbles

    def previews(self) -> dict[str, tuple[BotReply, ...]]:
        """Answers made of bubbles, by name (what /preview can show)."""
        return {name: a.bubbles for name, a in self._answers.items() if a.bubbles}

    def msgids(self) -> Iterator[tuple[str, list[str]]]:
        """(msgid, translator comments) of every text and button title, in file order."""
        for name, answer in self._answers.items():
            for bubble, source in zip(answer.bubbles, answer.sources, strict=True):
                comments = [f"answers.yml: {name}"] + ([f"source: {source}"] if source else [])
                yield bubble.msgid, comments
                for button in bubble.buttons:
                    yield button.label, [f"button in answers.yml: {name}"]


def _answer(name: str, entry: Any) -> Answer | list[str]:
    """One answer from the file, or the problems that make it unusable."""
    if not NAME.match(name):
        return [f"{name!r}: answer names are a-z, 0-9 and _"]
    if not isinstance(entry, dict) or set(entry) not in ({"bubbles"}, {"composed"}):
        return [f"{name}: needs either `bubbles:` (a list) or `composed:`, not both"]
    if "composed" in entry:
        if entry["composed"] not in COMPOSED:
            return [f"{name}: composed must be one of {', '.join(COMPOSED)}"]
        return Answer(composed=str(entry["composed"]))
    raw = entry["bubbles"]
    if not isinstance(raw, list) or not raw:
        return [f"{name}: bubbles must be a list of at least one bubble"]
    problems: list[str] = []
    bubbles, sources = [], []
    for number, item in enumerate(raw, 1):
        found = _bubble(f"{name} bubble {number}", item)
        if isinstance(found, BotReply):
            bubbles.append(dataclasses.replace(found, answer=name))
            sources.append(str(item.get("source") or ""))
        else:
            problems.extend(found)
    return problems or Answer(tuple(bubbles), sources=tuple(sources))


def _bubble(where: str, item: Any) -> BotReply | list[str]:
    """One bubble: a text and its buttons, or its problems."""
    if not isinstance(item, dict) or not isinstance(item.get("text"), str):
        return [f"{where}: needs `text:`"]
    problems = [f"{where}: unknown key {key!r}" for key in sorted(set(item) - BUBBLE_KEYS)]
    if not item["text"].strip():
        problems.append(f"{where}: empty text")
    buttons = []
    raw_buttons = item.get("buttons") or []
    if not isinstance(raw_buttons, list):
        return [*problems, f"{where}: buttons must be a list"]
    for button in raw_buttons:
        title = button.get("title") if isinstance(button, dict) else None
        data = button.get("data") if isinstance(button, dict) else None
        if not isinstance(title, str) or not title.strip() or not isinstance(data, str):
            problems.append(f"{where}: every button needs `title:` and `data:`")
            continue
        problems.extend(f"{where}: button {key!r}?" for key in sorted(set(button) - BUTTON_KEYS))
        if not data.strip() or len(data.encode()) > CALLBACK_DATA_LIMIT:
            problems.append(f"{where}: button data must be 1-{CALLBACK_DATA_LIMIT} bytes")
        buttons.append(Button(title, data))
    return problems or BotReply(item["text"], buttons=tuple(buttons))
