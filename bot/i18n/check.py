"""The catalogs' own checks: what would hurt a user in a translation.

Refuses: a message id used by the engine or the bot that a catalog lacks, an empty or
fuzzy translation, placeholders that differ from the source, a message longer than
Telegram allows, Zawgyi text in the Burmese catalog, digits in a non-ASCII script, an
alarming word (locales/discreet.yml) in a first line, which notification previews show,
and in the first line of a tier reply also a word that names what was disclosed.
`make texts-check` runs these with the checks of the values placeholders take
(bot/core/content.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path

import yaml
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from bot.i18n import PLACEHOLDER, po_path
from bot.settings import PROJECT_DIR
from bot.text.normalize import is_zawgyi

TELEGRAM_TEXT_LIMIT = 4096
# Thai, Lao, Khmer and Myanmar digits: a phone number must be dialable everywhere.
LOCAL_DIGITS = re.compile("[\u0e50-\u0e59\u0ed0-\u0ed9\u17e0-\u17e9\u1040-\u1049\u1090-\u1099]")
# a run of Myanmar digits is never a word; a single ၀ may be the letter "wa" mistyped.
MYANMAR_DIGIT_RUN = re.compile("[\u1040-\u1049]{2,}")
DISCLOSURES = "disclosures"  # the section of discreet.yml for tier replies' first lines


def used_msgids(root: Path = PROJECT_DIR) -> set[str]:
    """Every msgid the engine's answers and the bot's code can show to a user."""
    method_map = [
        ("locales/answers.yml", "bot.core.extract:extract_answers"),
        ("locales/quiz.yml", "bot.core.extract:extract_quiz"),
        ("bot/**.py", "python"),
    ]
    found = extract_from_dir(
        str(root),
        method_map=method_map,
        keywords={"N_": None},
        directory_filter=lambda path: ".venv" not in path and "tests" not in path,
    )
    return {str(message) for _file, _line, message, _comments, _context in found}


def alarming_words(locales_dir: Path) -> dict[str, list[str]]:
    """Per language, words a notification preview must not show (locales/discreet.yml)."""
    path = locales_dir / "discreet.yml"
    if not path.exists():
        return {}
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {str(k): [str(w).lower() for w in v or []] for k, v in data.items() if k != DISCLOSURES}


def disclosure_words(locales_dir: Path) -> dict[str, list[str]]:
    """Per language, words that say what a person disclosed (locales/discreet.yml
    `disclosures`): never in the first line of a tier reply, which answers a disclosure."""
    path = locales_dir / "discreet.yml"
    if not path.exists():
        return {}
    data = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get(DISCLOSURES) or {}
    return {str(k): [str(w).lower() for w in v or []] for k, v in data.items()}


def alarming_first_line(text: str, words: list[str]) -> str | None:
    """The alarming word in a message's first line (what a locked phone shows), if any.

    The bot is used on phones that an employer may see; the rest of a message may be
    frank, its first line must not give the user away.
    """
    first = text.split("\n", 1)[0].lower()
    return next((w for w in words if w in first), None)


def problems_in(
    path: Path,
    locale: str,
    needed: set[str],
    alarming: list[str] | None = None,
    listed_inside: frozenset[str] = frozenset(),
    tier_replies: dict[str, list[str]] | None = None,
) -> Iterator[str]:
    """Every problem of one catalog, as a line naming the message."""
    with path.open("rb") as handle:
        catalog = read_po(handle)
    present = {str(m.id): m for m in catalog if m.id and isinstance(m.id, str)}
    for msgid in sorted(needed - present.keys()):
        yield f"{locale}: missing message {msgid[:60]!r}"
    for msgid, message in present.items():
        text, short = str(message.string or ""), msgid[:60]
        if not text:
            yield f"{locale}: untranslated {short!r}"
            continue
        if message.fuzzy:
            yield f"{locale}: fuzzy {short!r}"
        if sorted(PLACEHOLDER.findall(text)) != sorted(PLACEHOLDER.findall(msgid)):
            yield f"{locale}: placeholders differ from the source in {short!r}"
        elif not fills(text):  # the bot would fall back to English for this message
            yield f"{locale}: a % that is no placeholder (write 'percent') in {short!r}"
        if len(text) > TELEGRAM_TEXT_LIMIT:
            yield f"{locale}: longer than {TELEGRAM_TEXT_LIMIT} characters: {short!r}"
        if locale == "my" and is_zawgyi(text):
            yield f"{locale}: Zawgyi text (use Unicode) in {short!r}"
        digits = MYANMAR_DIGIT_RUN if locale == "my" else LOCAL_DIGITS
        if digits.search(text):
            yield f"{locale}: digits must be ASCII (0-9) in {short!r}"
        word = alarming_first_line(text, alarming or [])
        if word and msgid in needed and msgid not in listed_inside:
            yield f"{locale}: first line (notification preview) says {word!r} in {short!r}"
        if tier_replies is not None and msgid in tier_replies:
            word = alarming_first_line(text, [*(alarming or []), *tier_replies[msgid]])
            if word:
                yield f"{locale}: a tier reply's first line says {word!r} in {short!r}"


def fills(text: str) -> bool:
    """True when the bot can fill the text's placeholders (a stray % breaks it)."""
    try:
        text % {name: "" for name in PLACEHOLDER.findall(text)}
    except (KeyError, ValueError, TypeError):
        return "%" not in text
    return True


def check(
    locales_dir: Path,
    languages: Iterable[str],
    needed: set[str],
    listed_inside: frozenset[str] = frozenset(),
    tier_replies: frozenset[str] = frozenset(),
) -> list[str]:
    """All problems of every language's catalog; empty when every language is ready.
    `needed`: the msgids the bot uses (used_msgids); `listed_inside`: msgids only ever
    shown inside a message (hotline names), never at its top, where a notification
    preview could show them; `tier_replies`: msgids that answer a disclosure, whose first
    line must not name it either (discreet.yml `disclosures`)."""
    alarming = alarming_words(locales_dir)
    disclosing = disclosure_words(locales_dir)
    problems: list[str] = []
    for locale in languages:
        path = po_path(locales_dir, locale)
        if not path.exists():
            problems.append(f"{locale}: no catalog at {path}")
            continue
        try:
            words = disclosing.get(locale, [])
            replies = {msgid: words for msgid in tier_replies}
            found = problems_in(path, locale, needed, alarming.get(locale), listed_inside, replies)
            problems.extend(found)
        except Exception as error:  # a syntax error in a .po is a problem to report
            problems.append(f"{locale}: unreadable catalog ({error})")
    return problems
