"""What an operator types that must stay in the topic (issue #13.3)."""

from __future__ import annotations

import pytest

from bot.handoff.commands import operator_command


@pytest.mark.parametrize(
    ("typed", "name", "rest"),
    [
        ("/note she is scared", "note", "she is scared"),
        ("/Note x", "note", "x"),
        ("/NOTE", "note", ""),
        ("/notes: later", "notes:", "later"),
        ("  /note spaces", "note", "spaces"),
        ("\n\t/close", "close", ""),
        ("\u200b/note zero width", "note", "zero width"),
        ("\ufeff\u200e\u2067/note marks", "note", "marks"),
        ("\u3164/note hangul filler", "note", "hangul filler"),
        ("／ＮＯＴＥ full width", "note", "full width"),
        ("∕close", "close", ""),
        ("/transfer@DeskBot  other ", "transfer", "other"),
        ("/cases", "cases", ""),
        ("/end", "end", ""),
        ("/", "", ""),
        ("/ my passport number", "", "my passport number"),
    ],
)
def test_anything_starting_with_a_slash_is_a_command(typed: str, name: str, rest: str) -> None:
    command = operator_command(typed)
    assert command is not None and (command.name, command.rest) == (name, rest)


@pytest.mark.parametrize("typed", [None, "", "hello /note", "1/2 of the pay", "   ", "\u200b"])
def test_words_for_the_person_are_not_commands(typed: str | None) -> None:
    assert operator_command(typed) is None


def test_only_exact_tool_names_act() -> None:
    tools = {"/note", "/claim", "/release", "/close", "/transfer x"}
    for typed in tools:
        assert operator_command(typed).is_tool  # type: ignore[union-attr]
    for typed in ("/notes", "/closed", "/cases", "/end", "/"):
        assert not operator_command(typed).is_tool  # type: ignore[union-attr]
