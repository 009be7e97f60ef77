"""Sector tips and knowledge quizzes as data (locales/quiz.yml); every text is a msgid.

Loading validates what a user would otherwise trip over: a right answer that is not one
of the choices, keys too long for Telegram's 64-byte button data, duplicate keys.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

KEY = re.compile(r"^[a-z][a-z0-9_]{0,15}$")  # short: keys travel in button data


@dataclass(frozen=True)
class Question:
    """One quiz question: its text, its choice labels, the right one and why."""

    key: str
    text: str
    choices: tuple[str, ...]
    answer: int  # index into choices
    explain: str


@dataclass(frozen=True)
class Sector:
    """A kind of work: its picker label, its tip bubbles and its quiz."""

    key: str
    label: str
    tips: tuple[str, ...]
    questions: tuple[Question, ...]
    story: str | None = None  # a short made-up story of a person like the reader, shown first

    def question(self, key: str) -> Question | None:
        """The question with this key, or None (stale or forged button data)."""
        return next((q for q in self.questions if q.key == key), None)


@dataclass(frozen=True)
class QuizBook:
    """Every sector, in menu order, and the content version stored with each answer."""

    version: int
    sectors: tuple[Sector, ...]

    def sector(self, key: str) -> Sector | None:
        """The sector with this key, or None."""
        return next((s for s in self.sectors if s.key == key), None)

    def msgids(self) -> list[str]:
        """Every text of the book, for the i18n extractor and the tests."""
        found: list[str] = []
        for sector in self.sectors:
            found += [sector.label, *([sector.story] if sector.story else []), *sector.tips]
            for question in sector.questions:
                found += [question.text, *question.choices, question.explain]
        return found


def _key(value: Any, where: str) -> str:
    if not isinstance(value, str) or not KEY.match(value):
        raise ValueError(f"quiz.yml: {where}: key must be 1-16 of a-z, 0-9, _ (got {value!r})")
    return value


def _text(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"quiz.yml: {where}: text missing")
    return value


def _question(raw: dict[str, Any], where: str) -> Question:
    key = _key(raw.get("key"), where)
    choices = tuple(_text(c, f"{where}.{key} choice") for c in raw.get("choices") or [])
    answer = raw.get("answer")
    if not 2 <= len(choices) <= 3:
        raise ValueError(f"quiz.yml: {where}.{key}: 2 or 3 choices")
    if not isinstance(answer, int) or not 0 <= answer < len(choices):
        raise ValueError(f"quiz.yml: {where}.{key}: answer must index a choice")
    text = _text(raw.get("text"), f"{where}.{key}")
    return Question(key, text, choices, answer, _text(raw.get("explain"), f"{where}.{key}"))


def _sector(raw: dict[str, Any]) -> Sector:
    key = _key(raw.get("key"), "sector")
    tips = tuple(_text(t, f"{key} tip") for t in raw.get("tips") or [])
    questions = tuple(_question(q, key) for q in raw.get("questions") or [])
    if not tips or not questions:
        raise ValueError(f"quiz.yml: {key}: needs tips and questions")
    if len({q.key for q in questions}) != len(questions):
        raise ValueError(f"quiz.yml: {key}: two questions share a key")
    story = _text(raw["story"], f"{key} story") if "story" in raw else None
    return Sector(key, _text(raw.get("label"), key), tips, questions, story)


def parse_book(data: dict[str, Any]) -> QuizBook:
    """A QuizBook from quiz.yml's parsed content; ValueError names the first problem."""
    version = data.get("version")
    if not isinstance(version, int):
        raise ValueError("quiz.yml: version must be a whole number")
    sectors = tuple(_sector(raw) for raw in data.get("sectors") or [])
    if len({s.key for s in sectors}) != len(sectors):
        raise ValueError("quiz.yml: two sectors share a key")
    return QuizBook(version, sectors)


def load_book(path: Path) -> QuizBook:
    """Read and validate locales/quiz.yml."""
    return parse_book(yaml.safe_load(path.read_text(encoding="utf-8")) or {})
