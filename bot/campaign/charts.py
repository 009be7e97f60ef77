"""PNG charts of the figures, drawn with matplotlib's object API (a Figure and the Agg
canvas, never pyplot): pyplot keeps every figure in a global registry, which leaks in a
bot that runs for months. Labels are Latin only (language codes with English names,
source codes): the pinned matplotlib 3.5 does not shape Burmese, Khmer, Lao or Thai
(no complex text layout), so their scripts would come out broken. Hidden cells are gaps,
never zeros.
"""

from __future__ import annotations

import io
from typing import Any

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from bot.campaign.figures import TOTAL, Period, Table, language_label, share

WIDTH, HEIGHT, DPI = 8.0, 4.5, 120


def _png(figure: Figure) -> bytes:
    FigureCanvasAgg(figure)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, bbox_inches="tight")
    return buffer.getvalue()


def _note(axes: Any, period: Period) -> None:
    axes.set_title(
        axes.get_title() + f"\n{period.label}: x = hidden (fewer than 5)",
        fontsize=9,
    )


def reach(by_day: Table, by_language: Table, period: Period) -> bytes:
    """Arrivals per day by source, and per language."""
    figure = Figure(figsize=(WIDTH * 1.4, HEIGHT))
    left, right = figure.subplots(1, 2, gridspec_kw={"width_ratios": [3, 2]})
    days = [d[5:] for d in by_day.rows]
    for source in by_day.cols:
        values = [by_day.get(day, source) for day in by_day.rows]
        left.plot(
            days, [float("nan") if v is None else v for v in values], marker="o", label=source
        )
    left.set_title("Arrivals per day, by source")
    left.set_ylabel("arrivals")
    left.tick_params(axis="x", labelrotation=45, labelsize=7)
    if by_day.cols:
        left.legend(fontsize=7)
    totals = [by_language.get(TOTAL, lo) for lo in by_language.cols]
    _bars(right, [language_label(lo) for lo in by_language.cols], totals)
    right.set_title("Arrivals by language")
    _note(left, period)
    return _png(figure)


def _bars(axes: Any, labels: list[str], values: list[int | None]) -> None:
    shown = [0 if v is None else v for v in values]
    bars = axes.barh(labels, shown, color="#3a7ca5")
    for bar, value in zip(bars, values, strict=True):
        axes.annotate(
            "x" if value is None else str(value),
            (bar.get_width(), bar.get_y() + bar.get_height() / 2),
            xytext=(3, 0),
            textcoords="offset points",
            va="center",
            fontsize=8,
        )
    axes.invert_yaxis()


def totals_chart(table: Table, period: Period, title: str) -> bytes:
    """One bar per row of a table: its total over every language."""
    figure = Figure(figsize=(WIDTH, HEIGHT))
    axes = figure.subplots()
    _bars(axes, table.rows, [table.get(row, TOTAL) for row in table.rows])
    axes.set_title(title)
    _note(axes, period)
    return _png(figure)


def knowledge(table: Table, period: Period) -> bytes:
    """Share of right answers before and after the tips, per sector, with n."""
    figure = Figure(figsize=(WIDTH, HEIGHT))
    axes = figure.subplots()
    sectors = list(dict.fromkeys(row.rsplit(" ", 1)[0] for row in table.rows))
    for offset, phase, colour in ((-0.2, "before", "#bbbbbb"), (0.2, "after", "#2a9d8f")):
        for index, sector in enumerate(sectors):
            row = f"{sector} {phase}"
            value = share(table.get(row, "right"), table.get(row, "wrong"))
            total = table.get(row, TOTAL)
            n = "x" if total is None else str(total)
            height = 0.0 if value is None else value * 100
            axes.bar(
                index + offset,
                height,
                width=0.4,
                color=colour,
                label=phase if index == 0 else None,
            )
            axes.annotate(
                f"n={n}",
                (index + offset, height),
                ha="center",
                fontsize=7,
                xytext=(0, 2),
                textcoords="offset points",
            )
    axes.set_xticks(range(len(sectors)))
    axes.set_xticklabels(sectors, fontsize=8)
    axes.set_ylim(0, 110)
    axes.set_ylabel("% right answers")
    axes.set_title("Knowledge before and after the tips")
    if sectors:
        axes.legend(fontsize=8)
    _note(axes, period)
    return _png(figure)
