"""The campaign report of one period: a CSV per table and PNG charts.

`make report` (this module's main) writes them to `reports/<period>/` from the database in
DATABASE_URL; the bot posts the same files to STAFF_CHAT_ID on a schedule and on /report.
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from bot.campaign import charts
from bot.campaign.figures import TOTAL, Counts, Period, Table, last_complete, tables
from bot.core import clock


@dataclass(frozen=True)
class Report:
    """Files of one report and a short summary for the message that carries them."""

    period: Period
    files: tuple[tuple[str, bytes], ...]
    summary: str


def csv_bytes(table: Table) -> bytes:
    """One table as CSV (UTF-8 with BOM, so that spreadsheet programs read it right)."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(table.csv_rows())
    return buffer.getvalue().encode("utf-8-sig")


def build(counts: Counts, period: Period) -> Report:
    """Every table as CSV and every chart as PNG."""
    found = {table.name: table for table in tables(counts, period)}
    files = [(f"{name}.csv", csv_bytes(table)) for name, table in found.items()]
    stem = period.first.isoformat()
    files += [
        (f"reach-{stem}.png", charts.reach(found["reach_by_day"], found["reach"], period)),
        (f"funnel-{stem}.png", charts.totals_chart(found["funnel"], period, "Funnel")),
        (f"knowledge-{stem}.png", charts.knowledge(found["knowledge"], period)),
        (
            f"referrals-{stem}.png",
            charts.totals_chart(found["referrals"], period, "Referrals: numbers shown by tier"),
        ),
        (
            f"handoff-waits-{stem}.png",
            charts.totals_chart(found["handoff_waits"], period, "Wait for a person's first reply"),
        ),
    ]
    return Report(period, tuple(files), summary(found, period))


def summary(found: dict[str, Table], period: Period) -> str:
    """A few lines for staff: the period and its headline numbers."""

    def total(name: str, row: str = TOTAL) -> str:
        value = found[name].get(row, TOTAL)
        return "x" if value is None else str(value)

    return (
        f"Campaign report, {period.label} to {period.last.isoformat()}\n"
        f"arrivals {total('reach')}, topics read {total('funnel', 'topic')}, "
        f"numbers shown {total('referrals')}, asked for a person "
        f"{total('funnel', 'handoff_asked')}\n"
        "x = hidden: fewer than 5, or hidden so that such a cell cannot be worked out."
    )


def main() -> None:
    """make report: write the CSV files and charts of the last complete period."""
    from bot.settings import PROJECT_DIR, SettingsError, load_settings
    from bot.storage import campaign
    from bot.storage.session import migrate, new_engine, new_sessionmaker

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--period", choices=("day", "week", "month"), default="week")
    parser.add_argument("--out", type=Path, default=PROJECT_DIR / "reports")
    args = parser.parse_args()
    try:
        settings = load_settings(require_token=False)
    except SettingsError as error:
        sys.exit(f"error: {error}")
    started = time.perf_counter()
    period = last_complete(args.period, clock.bangkok_now().date())
    engine = new_engine(settings.database_url)
    migrate(engine)
    with new_sessionmaker(engine)() as session:
        counts = campaign.counts(session, period.first, period.last)
    report = build(counts, period)
    folder = args.out / f"{period.kind}-{period.first.isoformat()}"
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in report.files:
        (folder / name).write_bytes(data)
    print(report.summary)
    print(f"{len(report.files)} files in {folder} ({time.perf_counter() - started:.2f} s)")


if __name__ == "__main__":
    main()
