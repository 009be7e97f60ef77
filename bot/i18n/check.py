"""python -m bot.i18n.check: refuse catalogs that would hurt a user (run by `make test`).

Fails on: a message id used by the engine or the bot that a catalog lacks, an empty or
fuzzy translation, placeholders that differ from the source, a message longer than
Telegram allows, Zawgyi text in the Burmese catalog, digits in a non-ASCII script, an
alarming word (locales/discreet.yml) in a first line, which notification previews show.
"""

from __future__ import annotations

import contextlib
import re
import sys
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

import yaml
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from bot.core.answers import AnswerBook
from bot.core.directory import Directory, DirectoryError
from bot.core.hotlines import numbers
from bot.core.routing import LABELS
from bot.core.types import LOCALES
from bot.i18n import Catalogs, po_path
from bot.settings import LOCALES_DIR, PROJECT_DIR
from bot.text.normalize import is_zawgyi

TELEGRAM_TEXT_LIMIT = 4096
# hotline names the bot lists inside a message, never at its top: no preview shows them
LINE_LABELS = frozenset(LABELS.values())
RUNTIME_PARAMS = {
    "bot_link",
    "messages",
    "problems",
    "topics",
    "now",
    "lines",
    "days",
    "texts",
    "count",
    "right",  # quiz score
    "total",
    "organisation",  # the hand-off desk's organisation (bot/handoff)
}  # filled by the bot as it sends
PLACEHOLDER = re.compile(r"%\((\w+)\)s")
# Thai, Lao, Khmer and Myanmar digits: a phone number must be dialable everywhere.
LOCAL_DIGITS = re.compile("[\u0e50-\u0e59\u0ed0-\u0ed9\u17e0-\u17e9\u1040-\u1049\u1090-\u1099]")
# a run of Myanmar digits is never a word; a single ၀ may be the letter "wa" mistyped.
MYANMAR_DIGIT_RUN = re.compile("[\u1040-\u1049]{2,}")


def used_msgids(root: Path = PROJECT_DIR) -> set[str]:
    """Every msgid the engine's answers and the bot's code can show to a user."""
    method_map = [
        ("locales/answers.yml", "bot.i18n.extract:extract_answers"),
        ("locales/quiz.yml", "bot.i18n.extract:extract_quiz"),
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
    return {str(k): [str(w).lower() for w in v or []] for k, v in data.items()}


def alarming_first_line(text: str, words: list[str]) -> str | None:
    """The alarming word in a message's first line (what a locked phone shows), if any.

    The bot is used on phones that an employer may see; the rest of a message may be
    frank, its first line must not give the user away.
    """
    first = text.split("\n", 1)[0].lower()
    return next((w for w in words if w in first), None)


def problems_in(
    path: Path, locale: str, needed: set[str], alarming: list[str] | None = None
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
        if len(text) > TELEGRAM_TEXT_LIMIT:
            yield f"{locale}: longer than {TELEGRAM_TEXT_LIMIT} characters: {short!r}"
        if locale == "my" and is_zawgyi(text):
            yield f"{locale}: Zawgyi text (use Unicode) in {short!r}"
        digits = MYANMAR_DIGIT_RUN if locale == "my" else LOCAL_DIGITS
        if digits.search(text):
            yield f"{locale}: digits must be ASCII (0-9) in {short!r}"
        word = alarming_first_line(text, alarming or [])
        if word and msgid in needed and msgid not in LINE_LABELS:
            yield f"{locale}: first line (notification preview) says {word!r} in {short!r}"


def unfilled_placeholders(needed: set[str], locales_dir: Path) -> Iterator[str]:
    """Placeholders the bot would have no value for (directory, facts or the bot itself)."""
    known = set(numbers())  # if the content is unreadable, other checks report it
    with contextlib.suppress(DirectoryError, ValueError, OSError, yaml.YAMLError):
        known = set(Catalogs.load(locales_dir).params)
    known |= RUNTIME_PARAMS
    for msgid in sorted(needed):
        for name in sorted(set(PLACEHOLDER.findall(msgid)) - known):
            yield f"all: %({name})s in {msgid[:50]!r} has no value (hotlines.yml or facts.yml)"


def answers_problems(locales_dir: Path, root: Path = PROJECT_DIR) -> list[str]:
    """answers.yml must be well formed and hold every answer the engine's domain names;
    a button that asks the engine must name one of its intents."""
    try:
        book = AnswerBook.load(locales_dir / "answers.yml")
        domain = yaml.safe_load((root / "domain.yml").read_text(encoding="utf-8")) or {}
    except (OSError, ValueError, yaml.YAMLError) as error:
        return [f"answers.yml: {error}"]
    intents = {str(i if isinstance(i, str) else next(iter(i))) for i in domain["intents"]}
    problems = []
    for response, variants in (domain.get("responses") or {}).items():
        for variant in variants or []:
            name = (variant.get("custom") or {}).get("answer")
            if not book.knows(str(name)):
                problems.append(f"answers.yml: no answer {name!r} (domain.yml {response})")
    for name, bubbles in book.previews().items():
        for button in (b for bubble in bubbles for b in bubble.buttons):
            asks = button.data.removeprefix("/")
            if button.data.startswith("/") and asks not in intents:
                problems.append(f"answers.yml: {name}: button data {button.data!r} is no intent")
    return problems


def directory_problems(locales_dir: Path) -> tuple[list[str], list[str]]:
    """(problems, warnings) of the hotline directory; stale entries are warnings."""
    path = locales_dir / "hotlines.yml"
    if not path.exists():
        return [], []
    try:
        directory = Directory.load(path)
    except (DirectoryError, ValueError, yaml.YAMLError) as error:
        return [f"hotlines.yml: {error}"], []
    today = datetime.now(timezone.utc).date()
    warnings = [
        f"hotlines.yml: {e.key} last verified {e.verified_on or 'never'}: phone it and update"
        for e in directory.stale(today)
    ]
    return [], warnings


def check(locales_dir: Path = LOCALES_DIR, root: Path = PROJECT_DIR) -> list[str]:
    """All problems of all catalogs; empty when every language is ready."""
    needed = used_msgids(root)
    alarming = alarming_words(locales_dir)
    problems: list[str] = list(unfilled_placeholders(needed, locales_dir))
    problems.extend(directory_problems(locales_dir)[0])
    problems.extend(answers_problems(locales_dir, root))
    for locale in LOCALES:
        path = po_path(locales_dir, locale)
        if not path.exists():
            problems.append(f"{locale}: no catalog at {path}")
            continue
        try:
            problems.extend(problems_in(path, locale, needed, alarming.get(locale)))
        except Exception as error:  # a syntax error in a .po is a problem to report
            problems.append(f"{locale}: unreadable catalog ({error})")
    return problems


def main() -> int:
    """Print every problem; exit 1 if there is any."""
    problems = check()
    for line in problems:
        print(line)
    for line in directory_problems(LOCALES_DIR)[1]:
        print(f"warning: {line}")
    print(f"catalogs: {len(problems)} problem(s) in {len(LOCALES)} languages")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
