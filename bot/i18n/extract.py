"""Babel extractor for the engine's domain.yml: response texts and button titles are msgids."""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO, Any

import yaml

from bot.core.quiz import parse_book

# (line number, function name, message, comments), as Babel's extractor protocol wants.
Extracted = tuple[int, str, str, list[str]]


def responses_msgids(domain: dict[str, Any]) -> Iterator[tuple[str, str, list[str]]]:
    """(response name, msgid, translator comments) for every text and button title."""
    for name, variants in (domain.get("responses") or {}).items():
        for variant in variants or []:
            custom = variant.get("custom") or {}
            comments = [f"domain.yml response {name}"]
            if custom.get("source"):
                comments.append(f"source: {custom['source']}")
            for text in (variant.get("text"), custom.get("msgid")):
                if text:
                    yield name, text, comments
            for button in [*(variant.get("buttons") or []), *(custom.get("buttons") or [])]:
                title = button.get("title") or button.get("msgid")
                if title:
                    yield name, title, [f"button in domain.yml response {name}"]


def extract_responses(
    fileobj: IO[bytes], keywords: Any, comment_tags: Any, options: Any
) -> Iterator[Extracted]:
    """Babel entry point (see locales/babel.cfg)."""
    domain = yaml.safe_load(fileobj.read().decode("utf-8")) or {}
    for _name, msgid, comments in responses_msgids(domain):
        yield 0, "", msgid, comments


def extract_quiz(
    fileobj: IO[bytes], keywords: Any, comment_tags: Any, options: Any
) -> Iterator[Extracted]:
    """Babel entry point for locales/quiz.yml: sector labels, tips, questions, answers."""
    book = parse_book(yaml.safe_load(fileobj.read().decode("utf-8")) or {})
    for msgid in book.msgids():
        yield 0, "", msgid, ["locales/quiz.yml (sector tips and quizzes)"]
