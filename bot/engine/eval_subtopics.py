"""make eval-subtopics: does a specific question get its specific answer? (issue #16)

For every sentence of tests/nlu/subtopics.yml (written apart from the training data and
from the keywords), the trained model names the topic and locales/subtopics.yml picks
the answer. Prints, per language and split: the share whose topic (intent) is right, the
share whose answer is right end to end (and, for answers with a part per country, whose
country part is right), and the same with the right topic given, which measures the
keywords alone. With --min-accuracy it exits 1 when an end-to-end test figure is lower.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.core.subtopics import Choice, SubtopicBook
from bot.core.types import LOCALES
from bot.engine.fingerprint import model_path
from bot.engine.nlu_eval import predict, quiet_rasa
from bot.settings import LOCALES_DIR, PROJECT_DIR

CASES = PROJECT_DIR / "tests" / "nlu" / "subtopics.yml"


@dataclass(frozen=True)
class Case:
    """One held-out sentence and the answer it must get."""

    locale: str
    split: str
    intent: str
    answer: str
    text: str
    country: str = ""  # the country part the answer must add, if it has parts


def read_cases(path: Path = CASES) -> list[Case]:
    """Every row of tests/nlu/subtopics.yml."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return [Case(str(locale), *map(str, row)) for locale, rows in data.items() for row in rows]


def right(book: SubtopicBook, case: Case, choice: Choice) -> bool:
    """The answer is the expected one, with the expected country part when it has parts."""
    if choice.answer != case.answer:
        return False
    if not case.country:
        return True
    return choice.country_parts == (book.countries[case.answer][case.country],)


@dataclass(frozen=True)
class Figures:
    """One language and split."""

    n: int
    intent: float  # the model named the right topic
    answer: float  # end to end: the right specific answer
    keywords: float  # the right specific answer when the topic is given


def figures(book: SubtopicBook, cases: list[Case], predicted: list[str]) -> Figures:
    """Shares of right topics and answers over cases (same order as predicted)."""
    pairs = list(zip(cases, predicted, strict=True))
    n = max(1, len(pairs))
    ends = [right(book, c, book.choose(p, c.text, c.locale)) for c, p in pairs]
    given = [right(book, c, book.choose(c.intent, c.text, c.locale)) for c, _ in pairs]
    topics = [c.intent == p for c, p in pairs]
    return Figures(len(pairs), sum(topics) / n, sum(ends) / n, sum(given) / n)


def show_misses(book: SubtopicBook, cases: list[Case], predicted: list[str]) -> None:
    """The dev sentences that miss their answer (never the test ones: they stay unseen)."""
    for case, intent in zip(cases, predicted, strict=True):
        choice = book.choose(intent, case.text, case.locale)
        if case.split == "dev" and not right(book, case, choice):
            print(f"    miss: {case.text!r} -> {intent}, {choice.answer} {choice.country_parts}")


def main() -> int:
    """Parse every case with the trained model and print the table."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", type=Path, default=None, help="default: the current model")
    parser.add_argument("--min-accuracy", type=float, default=0.0)
    parser.add_argument("--show-misses", action="store_true", help="list the dev misses")
    args = parser.parse_args()
    quiet_rasa()
    book = SubtopicBook.load(LOCALES_DIR / "subtopics.yml")
    cases = read_cases()
    predicted = predict(args.model or model_path(), [(c.text, c.intent) for c in cases]).predicted
    failed = []
    print(f"{'split':<6}{'lang':<6}{'n':>4}{'topic':>8}{'answer':>8}{'keywords':>10}")
    for split in ("dev", "test"):
        for locale in LOCALES:
            index = [i for i, c in enumerate(cases) if c.split == split and c.locale == locale]
            f = figures(book, [cases[i] for i in index], [predicted[i] for i in index])
            print(
                f"{split:<6}{locale:<6}{f.n:>4}{f.intent:>8.3f}{f.answer:>8.3f}{f.keywords:>10.3f}"
            )
            if split == "test" and f.answer < args.min_accuracy:
                failed.append(locale)
    if args.show_misses:
        show_misses(book, cases, predicted)
    if failed:
        print(f"below {args.min_accuracy}: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
