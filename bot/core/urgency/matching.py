"""Separator-insensitive phrase matching, compiled once, linear in the text's length.

Phrases and messages are both brought to a *match form*: lower case, letters spaced out or
split by punctuation joined again ("s o s", "S.O.S", "h-e-l-p"), spaces and punctuation
between Thai, Lao, Khmer or Burmese letters dropped (those scripts do not separate words,
and the same phrase is typed with and without spaces), doubled Latin letters single
("heeelp", "kkeep"). A phrase list compiles into one regular expression shaped like a
trie, so a message is scanned once whatever the number of phrases (an alternation of
hundreds of phrases costs a try of each at every position: seconds on a long message).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

_SEA = "\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u19e0-\u19ff"
_SEPARATORS = r"[\s.\-_*·•,|/\\~+'’‘`´^:;!?=]"
# punctuation inside a Latin word: "s.o.s", "he-lp", "can't"
_INSIDE_WORD = re.compile(r"(?<=[a-z])[.\-_*·•|~+'’‘`´^/\\:]+(?=[a-z])")
# three or more single letters in a row, each on its own: "s o s", "h e l p m e",
# "s. o. s."; two spaces end a word ("h e l p  m e" is two words)
_LETTER_GAP = r"(?: |[.\-_*·•,|/\\~+'’‘`´^:;!?=] ?)"
_SPACED_LETTERS = re.compile(rf"(?<![a-z0-9])[a-z](?:{_LETTER_GAP}[a-z](?![a-z0-9])){{1,}}")
_SEA_SEPARATED = re.compile(rf"(?<=[{_SEA}]){_SEPARATORS}+(?=[{_SEA}])")
_DOUBLED = re.compile(r"([a-z])\1+")
_SPACES = re.compile(r"\s+")
_NOT_LETTER = re.compile(r"[^a-z]")
_WORD_CHAR = re.compile("[a-z0-9]")
# Thai, Lao, Khmer and Burmese vowel, tone and stacking marks. A context cue does not end
# inside a syllable ("ບໍ", a question, is not the start of "ບໍ່", not; Burmese "ငါ", I, is
# not "ငါး", fish or five; Khmer "អញ", I, is not "អញ្ជើញ", please come); danger phrases may
# ("ຊ່ວຍແດ" matches "ຊ່ວຍແດ່", "မရ" matches "မရှိ", as their lists expect).
_SYLLABLE_SCRIPTS = ((0x0E00, 0x0F00), (0x1000, 0x10A0), (0x1780, 0x1800))
_SYLLABLE_MARKS = "".join(
    chr(c)
    for start, end in _SYLLABLE_SCRIPTS
    for c in range(start, end)
    if unicodedata.category(chr(c)).startswith("M")
)
_SYLLABLE_LETTER = re.compile("[\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff]")
Trie = dict[str, "Trie"]


def match_form(normalized: str) -> str:
    """The form phrases are looked for in (input: bot.text.normalize.normalize's output)."""
    text = _INSIDE_WORD.sub("", normalized.lower())
    text = _SPACED_LETTERS.sub(lambda m: _NOT_LETTER.sub("", m.group()), text)
    text = _SEA_SEPARATED.sub("", text)
    text = _DOUBLED.sub(r"\1", text)
    return _SPACES.sub(" ", text).strip()


def _atoms(form: str, whole_syllables: bool) -> list[str]:
    """A phrase as regex pieces: a space may be left out, Latin ends are word ends."""
    atoms = [" ?" if char == " " else re.escape(char) for char in form]
    if _WORD_CHAR.match(form[0]):
        atoms.insert(0, "(?<![a-z0-9])")
    if _WORD_CHAR.match(form[-1]):
        atoms.append("(?![a-z0-9])")
    elif whole_syllables and _SYLLABLE_LETTER.match(form[-1]):
        atoms.append(f"(?![{_SYLLABLE_MARKS}])")
    return atoms


def _emit(node: Trie) -> str:
    """The regex of a trie node: its branches, optional if a phrase may end here."""
    branches = [atom + _emit(child) for atom, child in sorted(node.items()) if atom]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    return f"(?:{body})?" if "" in node else body


def compile_phrases(forms: Iterable[str], whole_syllables: bool = False) -> re.Pattern[str] | None:
    """One trie-shaped regex matching any of the phrases (already in match form);
    whole_syllables: a Thai, Lao, Khmer or Burmese phrase must not end inside a syllable
    (for cues)."""
    trie: Trie = {}
    for form in {f for f in forms if f}:
        node = trie
        for atom in _atoms(form, whole_syllables):
            node = node.setdefault(atom, {})
        node[""] = {}  # a phrase ends here
    return re.compile(_emit(trie)) if trie else None
