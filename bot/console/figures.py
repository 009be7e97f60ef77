"""The Figures page: the figures staff have today, per period where they have one, with
the same small-cell suppression as the staff commands (bot/campaign/figures.py `quiz_share`:
fewer than MIN_PEOPLE people is shown as "<5 people"), and the quiz table as CSV.

The campaign report (issue #14: reach by source and language, the funnel, knowledge,
referrals, hand-off waits) comes first, from bot/console/report.py.
"""

from __future__ import annotations

import csv
import io
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.campaign.figures import MIN_PEOPLE, quiz_rows
from bot.campaign.figures import CaseEvent as Event
from bot.campaign.figures import case_figures as figures
from bot.console.html import e, page, table
from bot.console.report import ReportSource, report_section
from bot.core import clock
from bot.core.learning import QuizCell
from bot.handoff.cases import StoreUnavailable

log = logging.getLogger(__name__)
PERIODS = (7, 30, 90, 365)
HANDOFF_LABELS = {
    "cases": "Cases",
    "closed": "Closed",
    "claim": "Time to claim (median, min)",
    "reply": "Time to first operator reply (median, min)",
    "duration": "Case duration (median, min)",
    "escalated": "Escalations",
    "desks": "Per desk",
    "languages": "Per language",
}


@dataclass(frozen=True)
class Sources:
    """Where figures come from (None: that part of the bot is not running)."""

    quiz: Callable[[], Awaitable[list[QuizCell]]] | None = None
    handoff: Callable[[datetime], Awaitable[list[Event]]] | None = None
    report: ReportSource | None = None  # the campaign report of the last week or month


QUIZ_HEAD = ["Quiz version", "Sector", "Language", "Right before the tips", "Right after"]


def quiz_csv(cells: list[QuizCell]) -> str:
    """The quiz table as CSV, suppressed as on the page."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(QUIZ_HEAD)
    writer.writerows(quiz_rows(cells))
    return out.getvalue()


async def figures_page(sources: Sources, days: int, csrf: str, kind: str = "week") -> str:
    """The campaign report; quiz knowledge before/after the tips; hand-off figures for the
    chosen period."""
    days = days if days in PERIODS else 30
    parts = [
        f'<p class="notice">A group of fewer than {MIN_PEOPLE} people is never shown (in the '
        "report: x, also where it could be worked out from the totals).</p>"
    ]
    if sources.report is not None:
        try:
            parts.append(report_section(await sources.report(kind), kind))
        except Exception as error:  # a figure that cannot be read never takes the page down
            log.warning("console: campaign report unavailable: %s", type(error).__name__)
            parts.append("<p>The campaign report cannot be read right now.</p>")
    cells = await sources.quiz() if sources.quiz else []
    rows = [[e(c) for c in r] for r in quiz_rows(cells)]
    parts.append("<h2>Knowledge: quiz answers before and after the tips (all time)</h2>")
    parts.append(table(QUIZ_HEAD, rows) if rows else "<p>No quiz answers yet.</p>")
    parts.append('<p><a href="/figures.csv" download>Download CSV</a></p>')
    periods = " · ".join(
        f'<a href="/figures?days={d}"{" aria-current=page" * (d == days)}>{d} days</a>'
        for d in PERIODS
    )
    parts.append(f"<h2>Hand-off to a person, last {days} days</h2><p>{periods}</p>")
    if sources.handoff is None:
        parts.append("<p>No operator desk is configured (OPERATOR_CHAT_ID, DESKS_FILE).</p>")
    else:
        since = clock.now() - timedelta(days=days)
        try:
            found = figures(await sources.handoff(since))
        except StoreUnavailable:
            parts.append("<p>The database is not reachable right now.</p>")
        else:
            rows = [[e(label), e(found[key])] for key, label in HANDOFF_LABELS.items()]
            parts.append(table(["Figure", "Value"], rows))
    return page("Figures", "".join(parts), csrf, "/figures")
