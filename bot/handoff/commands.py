"""What an operator types in a case topic: a message for the person, or something that
must stay in the topic.

Anything that starts with "/" stays, whatever its case or spelling (`/Note`, `/NOTE`,
`/notes`, `/cases`, `/end`), also after spaces, invisible characters (zero-width, direction
marks, byte-order mark) or with a look-alike slash; a caption counts like a text. Only
exact tool names act; the rest is kept back and the operator is told.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

TOOLS = frozenset({"note", "claim", "release", "close", "transfer"})
SLASHES = "/\uff0f\u2215\u2044\u29f8"  # / and the full-width, division, fraction, big solidus
# invisible letters a keyboard or a paste can put first (Hangul fillers, braille blank)
BLANKS = "\u115f\u1160\u3164\uffa0\u2800"
_NAME = re.compile(r"([^\s@]*)(?:@\S*)?\s*(.*)", re.S)


@dataclass(frozen=True)
class OperatorCommand:
    """A slash-message: `name` in lower case ("" for a lone slash), the rest trimmed."""

    name: str
    rest: str

    @property
    def is_tool(self) -> bool:
        """True for the topic's tools (/note, /claim, /release, /close, /transfer)."""
        return self.name in TOOLS


def _is_blank(char: str) -> bool:
    return char.isspace() or char in BLANKS or unicodedata.category(char) in ("Cf", "Cc", "Zs")


def operator_command(text: str | None) -> OperatorCommand | None:
    """The command a text or caption starts with; None for words meant for the person."""
    if not text:
        return None
    start = 0
    while start < len(text) and _is_blank(text[start]):
        start += 1
    if start == len(text) or text[start] not in SLASHES:
        return None
    match = _NAME.match(text, start + 1)
    name, rest = (match.group(1), match.group(2)) if match else ("", "")
    return OperatorCommand(unicodedata.normalize("NFKC", name).lower(), rest.strip())
