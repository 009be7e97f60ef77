"""Every figure for staff, in one place: the campaign's tables of aggregate counters over
fixed periods, with small cells hidden; the quiz's before/after lines (/quizreport); the
hand-off's case numbers (/cases).

Nothing here sees a person: the input is counter rows (day, language, source, step, item,
variant, n). Periods are whole calendar days, ISO weeks or months in Bangkok time, and
only complete ones: two overlapping windows could otherwise be subtracted to reveal a
hidden cell. Every table has row and column totals; a cell or total of 1-4 is hidden,
and so is, in every row, column or total line that would otherwise have exactly one
hidden member, the smallest other non-zero member (complementary suppression), so that
no hidden number can be worked out by subtracting visible ones from a total.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from statistics import median

from bot.campaign import tally
from bot.core.learning import QuizCell
from bot.core.types import LOCALES

MIN_CELL = 5
# a quiz cell describing fewer people than this is hidden (content brief §4.5 and §5)
MIN_PEOPLE = 5
CaseEvent = tuple[int, str, str, str, datetime]  # case id, kind, desk, locale, at
TOTAL = "total"
HIDDEN = "x"  # what a CSV shows for a hidden cell
Key = tuple[date, str, str, str, str, str]  # day, locale, source, step, item, variant
Counts = Iterable[tuple[Key, int]]
Cell = tuple[str, str]
FUNNEL = (
    tally.ARRIVAL,
    tally.CONSENT,
    tally.TOPIC,
    tally.TIPS,
    tally.QUIZ,
    tally.HOTLINES,
    tally.HANDOFF_ASKED,
    tally.HANDOFF_CONSENTED,
    tally.HANDOFF_CLAIMED,
    tally.SUBSCRIBE,
    tally.STOP,
    tally.FORGET,
)
PHASES = ("before", "after")
WAIT_ORDER = (*(name for _, name in tally.WAITS), tally.LONGEST_WAIT)


@dataclass(frozen=True)
class Period:
    """A fixed, complete period: a day, an ISO week (Monday-Sunday) or a month."""

    kind: str
    first: date
    last: date

    @property
    def label(self) -> str:
        """E.g. "week 2026-11-23" (the period's first day names it)."""
        return f"{self.kind} {self.first.isoformat()}"

    def days(self) -> list[date]:
        """Every day of the period."""
        return [self.first + timedelta(days=i) for i in range((self.last - self.first).days + 1)]


def last_complete(kind: str, today: date) -> Period:
    """The newest period of this kind that has ended before today."""
    if kind == "day":
        day = today - timedelta(days=1)
        return Period(kind, day, day)
    if kind == "week":
        monday = today - timedelta(days=today.weekday() + 7)
        return Period(kind, monday, monday + timedelta(days=6))
    if kind == "month":
        last = today.replace(day=1) - timedelta(days=1)
        return Period(kind, last.replace(day=1), last)
    raise ValueError(f"period must be day, week or month, not {kind!r}")


@dataclass
class Table:
    """Counts by row and column with totals; None marks a hidden number."""

    name: str
    title: str
    rows: list[str]
    cols: list[str]
    values: dict[Cell, int | None] = field(default_factory=dict)
    column_totals: bool = True  # False where adding up rows means nothing (funnel steps)

    def get(self, row: str, col: str) -> int | None:
        """A cell, a row total (col TOTAL), a column total (row TOTAL) or the total."""
        return self.values.get((row, col), 0)

    def csv_rows(self) -> list[list[str]]:
        """Header, one line per row, then the totals line; hidden numbers as "x"."""

        def shown(value: int | None) -> str:
            return HIDDEN if value is None else str(value)

        lines = [["", *self.cols, TOTAL]]
        for row in [*self.rows, TOTAL] if self.column_totals else self.rows:
            lines.append([row, *(shown(self.get(row, c)) for c in [*self.cols, TOTAL])])
        return lines


def build(
    name: str,
    title: str,
    raw: dict[Cell, int],
    rows: list[str],
    cols: list[str],
    column_totals: bool = True,
) -> Table:
    """A table with totals, small cells hidden (complementary suppression included)."""
    values: dict[Cell, int] = {}
    for r in rows:
        for c in cols:
            values[(r, c)] = raw.get((r, c), 0)
        values[(r, TOTAL)] = sum(values[(r, c)] for c in cols)
    if column_totals:
        for c in [*cols, TOTAL]:
            values[(TOTAL, c)] = sum(values[(r, c)] for r in rows)
    hidden = suppressed(values, rows, cols, column_totals)
    shown: dict[Cell, int | None] = {
        cell: (None if cell in hidden else value) for cell, value in values.items()
    }
    return Table(name, title, rows, cols, shown, column_totals)


def _lines(rows: list[str], cols: list[str], column_totals: bool) -> list[list[Cell]]:
    """Every set of published cells that adds up to a published total."""
    all_rows, all_cols = [*rows, TOTAL] if column_totals else rows, [*cols, TOTAL]
    by_row = [[(r, c) for c in all_cols] for r in all_rows]
    by_col = [[(r, c) for r in all_rows] for c in all_cols] if column_totals else []
    return by_row + by_col


def suppressed(
    values: dict[Cell, int], rows: list[str], cols: list[str], column_totals: bool = True
) -> set[Cell]:
    """Cells to hide: the small ones, then complements until no line has exactly one."""
    hidden = {cell for cell, n in values.items() if 0 < n < MIN_CELL}
    lines = _lines(rows, cols, column_totals)
    changed = True
    while changed:
        changed = False
        for line in lines:
            inside = [cell for cell in line if cell in hidden]
            if len(inside) != 1:
                continue
            others = [cell for cell in line if cell not in hidden and values[cell] > 0]
            if not others:
                continue  # the hidden one is 0 (cannot happen) or the line is all hidden
            # prefer an inner cell to a total, then the smallest number
            others.sort(key=lambda cell: (TOTAL in cell, values[cell], cell))
            hidden.add(others[0])
            changed = True
    return hidden


def _sum(counts: Counts, period: Period, step: str | None) -> dict[Key, int]:
    found: dict[Key, int] = defaultdict(int)
    for key, n in counts:
        if period.first <= key[0] <= period.last and (step is None or key[3] == step):
            found[key] += n
    return found


def _locales(found: dict[Key, int]) -> list[str]:
    seen = {k[1] for k in found}
    return [lo for lo in LOCALES if lo in seen] + sorted(seen - set(LOCALES))


def tables(counts: Counts, period: Period) -> list[Table]:
    """Every table of the report for one period."""
    rows = list(counts)
    return [
        reach(rows, period),
        reach_by_day(rows, period),
        funnel(rows, period),
        funnel(rows, period, by_source=True),
        knowledge(rows, period, by_question=False),
        knowledge(rows, period, by_question=True),
        by_item(rows, period, tally.HOTLINES, "referrals", "Hotline numbers shown, by tier"),
        by_item(
            rows,
            period,
            tally.HANDOFF_WAIT,
            "handoff_waits",
            "Time to the first operator reply",
            WAIT_ORDER,
        ),
    ]


def reach(counts: Counts, period: Period) -> Table:
    """Arrivals by source and language."""
    found = _sum(counts, period, tally.ARRIVAL)
    raw: dict[Cell, int] = defaultdict(int)
    for key, n in found.items():
        raw[(key[2], key[1])] += n
    sources = sorted({k[2] for k in found})
    return build("reach", "Arrivals by source and language", raw, sources, _locales(found))


def reach_by_day(counts: Counts, period: Period) -> Table:
    """Arrivals by day and source."""
    found = _sum(counts, period, tally.ARRIVAL)
    raw: dict[Cell, int] = defaultdict(int)
    for key, n in found.items():
        raw[(key[0].isoformat(), key[2])] += n
    days = [d.isoformat() for d in period.days()]
    return build(
        "reach_by_day", "Arrivals by day and source", raw, days, sorted({k[2] for k in found})
    )


def funnel(counts: Counts, period: Period, by_source: bool = False) -> Table:
    """How often each step happened, by language or by the source people came through
    (consent: the "yes" answers). Steps are not added up: they are not the same thing."""
    found = {k: n for k, n in _sum(counts, period, None).items() if k[3] in FUNNEL}
    raw: dict[Cell, int] = defaultdict(int)
    for key, n in found.items():
        if key[3] == tally.CONSENT and key[5] != "yes":
            continue
        raw[(key[3], key[2] if by_source else key[1])] += n
    steps = [s for s in FUNNEL if any(k[3] == s for k in found)]
    if by_source:
        cols = sorted({k[2] for k in found})
        return build("funnel_by_source", "Steps taken, by source", raw, steps, cols, False)
    return build("funnel", "Steps taken, by language", raw, steps, _locales(found), False)


def knowledge(counts: Counts, period: Period, by_question: bool) -> Table:
    """First quiz answers right and wrong, before and after the tips, per sector (or
    question); a row is one phase, its total the number of answers (n). Columns are not
    added up (right answers of different questions mean nothing together)."""
    found = _sum(counts, period, tally.QUIZ)
    raw: dict[Cell, int] = defaultdict(int)
    for key, n in found.items():
        phase, _, outcome = key[5].partition("_")
        item = key[4] if by_question else key[4].split("/")[0]
        raw[(f"{item} {phase}", outcome)] += n
    items = sorted({r.rsplit(" ", 1)[0] for r, _ in raw})
    rows = [f"{item} {phase}" for item in items for phase in PHASES]
    name = "knowledge_questions" if by_question else "knowledge"
    title = "Quiz answers per question" if by_question else "Quiz answers per sector"
    return build(name, title, raw, rows, ["right", "wrong"], column_totals=False)


def by_item(
    counts: Counts,
    period: Period,
    step: str,
    name: str,
    title: str,
    order: tuple[str, ...] = (),
) -> Table:
    """One step's items (a tier, a wait) by language."""
    found = _sum(counts, period, step)
    raw: dict[Cell, int] = defaultdict(int)
    for key, n in found.items():
        raw[(key[4], key[1])] += n
    seen = {k[4] for k in found}
    rows = [i for i in order if i in seen] + sorted(seen - set(order))
    return build(name, title, raw, rows, _locales(found))


def share(right: int | None, wrong: int | None) -> float | None:
    """Share of right answers, only when both numbers are shown."""
    if right is None or wrong is None or right + wrong == 0:
        return None
    return right / (right + wrong)


def language_label(code: str) -> str:
    """A language for chart labels: code and English name (Latin letters only)."""
    names = {"en": "English", "th": "Thai", "my": "Burmese", "km": "Khmer", "lo": "Lao"}
    return f"{code} ({names[code]})" if code in names else code


def quiz_share(cell: QuizCell | None) -> str:
    """A cell's share of right answers; hidden when it describes too few people."""
    if cell is None:
        return "-"
    if cell.people < MIN_PEOPLE:
        return f"<{MIN_PEOPLE} people"
    return f"{round(100 * cell.right / cell.answers)}% of {cell.answers} ({cell.people} people)"


def quiz_rows(found: Iterable[QuizCell]) -> list[list[str]]:
    """Version, sector, language, share right before and after the tips (small groups
    hidden): one row per version, sector and language, in that order."""
    table: dict[tuple[int, str, str], dict[str, QuizCell]] = {}
    for cell in found:
        table.setdefault((cell.version, cell.sector, cell.locale), {})[cell.phase] = cell
    return [
        [f"v{version}", sector, locale, quiz_share(phases.get("before")),
         quiz_share(phases.get("after"))]
        for (version, sector, locale), phases in sorted(table.items())
    ]  # fmt: skip


def quiz_lines(found: Iterable[QuizCell]) -> list[str]:
    """One line per version, sector and language: share right before -> after the tips."""
    lines = [
        f"{version} {sector} {locale}: before {before} -> after {after}"
        for version, sector, locale, before, after in quiz_rows(found)
    ]
    return lines or ["no quiz answers yet"]


def _median_minutes(pairs: list[tuple[datetime, datetime]]) -> str:
    values = [(end - start).total_seconds() / 60 for start, end in pairs if end >= start]
    return f"{median(values):.1f}" if values else "-"


def case_figures(events: list[CaseEvent]) -> dict[str, str]:
    """Fill the FIGURES text from events, oldest first."""
    first: dict[tuple[int, str], datetime] = {}
    desks: Counter[str] = Counter()
    languages: Counter[str] = Counter()
    escalated = 0
    for case_id, kind, desk, locale, at in events:
        first.setdefault((case_id, kind), at)
        if kind == "queued":
            desks[desk] += 1
            languages[locale] += 1
        escalated += kind == "escalated"
    cases = {case_id for case_id, kind in first if kind == "queued"}

    def spans(start: str, end: str) -> list[tuple[datetime, datetime]]:
        return [
            (first[(c, start)], first[(c, end)])
            for c in cases
            if (c, start) in first and (c, end) in first
        ]

    return {
        "cases": str(len(cases)),
        "closed": str(sum((c, "closed") in first for c in cases)),
        "claim": _median_minutes(spans("queued", "claimed")),
        "reply": _median_minutes(spans("queued", "first_reply")),  # as the person waits
        "duration": _median_minutes(spans("queued", "closed")),
        "escalated": str(escalated),
        "desks": ", ".join(f"{d} {n}" for d, n in desks.most_common()) or "-",
        "languages": ", ".join(f"{lo} {n}" for lo, n in languages.most_common()) or "-",
    }
