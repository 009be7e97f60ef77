"""Babel extractors for staff-edited content: the engine's answers and the quizzes.

locales/answers.yml holds what each answer the engine names says (texts and button titles
are msgids, with their `source` as a translator comment); locales/quiz.yml the sector tips
and quizzes. See locales/babel.cfg. They live in the core, next to the parsers of those
files, so that bot/i18n depends on nothing of the core.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO, Any

import yaml

from bot.core.answers import AnswerBook
from bot.core.quiz import parse_book

# (line number, function name, message, comments), as Babel's extractor protocol wants.
Extracted = tuple[int, str, str, list[str]]


def extract_answers(
    fileobj: IO[bytes], keywords: Any, comment_tags: Any, options: Any
) -> Iterator[Extracted]:
    """Babel entry point for locales/answers.yml: every bubble text and button title."""
    book = AnswerBook.parse(yaml.safe_load(fileobj.read().decode("utf-8")) or {})
    for msgid, comments in book.msgids():
        yield 0, "", msgid, comments


def extract_quiz(
    fileobj: IO[bytes], keywords: Any, comment_tags: Any, options: Any
) -> Iterator[Extracted]:
    """Babel entry point for locales/quiz.yml: sector labels, tips, questions, answers."""
    book = parse_book(yaml.safe_load(fileobj.read().decode("utf-8")) or {})
    for msgid in book.msgids():
        yield 0, "", msgid, ["locales/quiz.yml (sector tips and quizzes)"]
