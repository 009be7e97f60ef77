"""Everything staff edit, loaded and checked as one: catalogs, facts, the hotline directory.

The core computes what placeholders show (hotline numbers from the directory, with
stand-ins for withdrawn lines; dated facts) and hands these values to the catalogs,
which only render. The same checks run for `make texts-check` (python -m
bot.core.content), at start-up and before a /reload swaps anything in, so a message
never shows "%(name)s" and the safety floor always has an emergency line.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import yaml

from bot.core import clock, hotlines, routing, subtopics
from bot.core.answers import AnswerBook
from bot.core.directory import Directory, DirectoryError
from bot.core.facts import format_day, read_facts
from bot.core.risk import TIER_REPLY_MSGIDS
from bot.core.types import LOCALES
from bot.i18n import PLACEHOLDER, Catalogs, Value
from bot.i18n.check import check, used_msgids
from bot.settings import LOCALES_DIR, PROJECT_DIR
from bot.tiers import INFORMATION, tier_of

log = logging.getLogger(__name__)
# filled by the bot as it sends, not by content files
RUNTIME_PARAMS = frozenset(
    {
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
        "number",  # a stand-in line (bot/core/hotlines.py), filled with its own values
        "name",
        "language",  # routing's honest sentences (bot/core/routing.py)
        "place",
        "link",  # the staff console's one-time link (bot/telegram/console.py)
    }
)
# shown only inside a message, under its first line: notification previews never show them
LISTED_INSIDE = frozenset(
    {
        *routing.LABELS.values(),
        routing.NONE_THERE,
        routing.NOT_IN_LANGUAGE,
        routing.NOT_FOR_EVERYONE,
        routing.FROM_THAILAND,
        hotlines.STANDS_IN,
        hotlines.NO_CHECKED_NUMBER,
    }
)
FLOOR_NEEDS = (
    "hotlines.yml: no verified 24-hour tier-1 line in Thailand is left; the safety floor "
    "needs one (police 191, medical 1669 or 1300): verify one before withdrawing the last"
)


@dataclass(frozen=True)
class Content:
    """Catalogs with their values, and the directory routing reads (None: built-in)."""

    catalogs: Catalogs
    directory: Directory | None


def read_directory(locales_dir: Path) -> Directory | None:
    """The directory file; None when there is none (the built-in numbers serve)."""
    path = locales_dir / "hotlines.yml"
    return Directory.load(path) if path.exists() else None


def values(locales_dir: Path, directory: Directory | None) -> dict[str, Value]:
    """What every content placeholder shows: dated facts (a date, and each fact's check
    date as <key>_checked, written in the reader's language and calendar) and hotline
    numbers."""
    facts_file = locales_dir / "facts.yml"
    facts: dict[str, Value] = {}
    if facts_file.exists():
        found = read_facts(facts_file)
        facts = {**found.values, **{k: _written(day) for k, day in found.dates.items()}}
    return {**facts, **hotlines.line_values(directory)}


def _written(day: date) -> Callable[[str], str]:
    """A date as a value that each reader sees in their own language and calendar."""
    return functools.partial(format_day, day)


def load(locales_dir: Path) -> Content:
    """Read catalogs, facts and directory; raises if any of them is unreadable."""
    directory = read_directory(locales_dir)
    return Content(Catalogs.load(locales_dir, values(locales_dir, directory)), directory)


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
            opens = button.data.removeprefix(subtopics.OPEN)
            if button.data.startswith(subtopics.OPEN) and not book.knows(opens):
                problems.append(f"answers.yml: {name}: button {button.data!r} opens no answer")
    return problems + subtopics_problems(locales_dir, book)


def subtopics_problems(locales_dir: Path, book: AnswerBook) -> list[str]:
    """subtopics.yml must be well formed, and every answer it names must exist."""
    try:
        found = subtopics.SubtopicBook.load(locales_dir / "subtopics.yml")
    except (OSError, ValueError, yaml.YAMLError) as error:
        return [f"subtopics.yml: {error}"]
    missing = sorted(n for n in found.answers() if not book.knows(n))
    return [f"subtopics.yml: no answer {name!r} in answers.yml" for name in missing]


def tier_answer_msgids(locales_dir: Path, root: Path = PROJECT_DIR) -> frozenset[str]:
    """The bubbles answers.yml sends for a risk intent (child_support): each one answers a
    disclosure, so its first line is held to the tier replies' rule (issue #12.5)."""
    try:
        book = AnswerBook.load(locales_dir / "answers.yml")
        domain = yaml.safe_load((root / "domain.yml").read_text(encoding="utf-8")) or {}
    except (OSError, ValueError, yaml.YAMLError):
        return frozenset()  # reported by answers_problems
    found: set[str] = set()
    for variants in (domain.get("responses") or {}).values():
        for custom in (v.get("custom") or {} for v in variants or []):
            if tier_of(str(custom.get("intent", ""))) < INFORMATION:
                found.update(b.msgid for b in book.bubbles(str(custom.get("answer"))))
    return frozenset(found)


def problems(locales_dir: Path = LOCALES_DIR, root: Path = PROJECT_DIR) -> list[str]:
    """Everything that forbids using this content; empty when it is safe to go live."""
    needed = used_msgids(root)
    tier_replies = TIER_REPLY_MSGIDS | tier_answer_msgids(locales_dir, root)
    found = check(locales_dir, LOCALES, needed, LISTED_INSIDE, tier_replies)
    found += answers_problems(locales_dir, root)
    try:
        directory = read_directory(locales_dir)
        known = set(values(locales_dir, directory)) | RUNTIME_PARAMS
    except (DirectoryError, ValueError, OSError, yaml.YAMLError) as error:
        return [*found, f"content: {error}"]
    if directory is not None and not directory.floor_lines():
        found.append(FLOOR_NEEDS)
    for msgid in sorted(needed):
        for name in sorted(set(PLACEHOLDER.findall(msgid)) - known):
            where = "hotlines.yml or facts.yml"
            found.append(f"all: %({name})s in {msgid[:50]!r} has no value ({where})")
    return found


def warnings(locales_dir: Path = LOCALES_DIR, today: date | None = None) -> list[str]:
    """What staff should look at soon; nothing here stops the content going live."""
    try:
        directory = read_directory(locales_dir)
    except (DirectoryError, ValueError, OSError, yaml.YAMLError):
        return []  # reported as a problem
    today = today or clock.bangkok_now().date()
    facts_file = locales_dir / "facts.yml"
    with contextlib.suppress(ValueError, OSError, yaml.YAMLError):  # else: a problem
        stale = read_facts(facts_file).stale(today) if facts_file.exists() else []
        return [*_directory_warnings(directory, today), *_facts_warnings(stale)]
    return _directory_warnings(directory, today)


def _facts_warnings(stale: list[str]) -> list[str]:
    return [f"facts.yml: {key} last checked over 90 days ago: check it" for key in stale]


def _directory_warnings(directory: Directory | None, today: date) -> list[str]:
    """Stale, unlabelled or stood-in hotline entries."""
    if directory is None:
        return []
    found = [
        f"hotlines.yml: {e.key} last verified {e.verified_on or 'never'}: phone it and update"
        for e in directory.stale(today)
    ]
    found += [
        f"hotlines.yml: {e.key} has no label in routing.LABELS (its name is shown)"
        for e in directory.entries
        if e.key not in routing.LABELS
    ]
    shown_instead = hotlines.stand_ins(directory, directory.placeholders)
    found += [f"hotlines.yml: {line}" for line in shown_instead]
    return [*found, *directory.warnings()]


def start(locales_dir: Path) -> Content:
    """The content a starting bot runs with, whatever is broken (each problem logged):
    a directory that is unreadable, or leaves the floor without an emergency line, gives
    way to the built-in numbers; unreadable catalogs to the English source texts."""
    directory: Directory | None = None
    try:
        directory = read_directory(locales_dir)
    except (DirectoryError, ValueError, OSError, yaml.YAMLError) as error:
        log.error("hotline directory unreadable, using the built-in numbers: %s", error)
    if directory is not None and not directory.floor_lines():
        log.error("%s; using the built-in numbers", FLOOR_NEEDS)
        directory = None
    given = hotlines.line_values(directory)
    try:
        given = values(locales_dir, directory)
    except (ValueError, OSError, yaml.YAMLError) as error:
        log.error("facts unreadable, running without them: %s", error)
    try:
        return Content(Catalogs.load(locales_dir, given), directory)
    except (ValueError, OSError) as error:
        log.error("catalogs unreadable, using the English source texts: %s", error)
        return Content(Catalogs({}, given), directory)


def main() -> int:
    """`make texts-check`: print every problem and warning; exit 1 if there is a problem."""
    found = problems()
    for line in found:
        print(line)
    for line in warnings():
        print(f"warning: {line}")
    print(f"content: {len(found)} problem(s) in {len(LOCALES)} languages")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
