"""The campaign report on the Figures page (issue #14's tables and charts, #15 item 3).

The same report `/report` posts and `make report` writes (bot/campaign/report.py): the
last complete week or month, every table with the small-cell and complementary
suppression already applied (a hidden cell shows as "x"), the charts as images, and each
file for download. Nothing in it names or counts a person apart from the others.
"""

from __future__ import annotations

import base64
import csv
import io
from collections.abc import Awaitable, Callable

from bot.campaign.report import Report
from bot.console.html import e, table

KINDS = ("week", "month")
ReportSource = Callable[[str], Awaitable[Report]]


def report_kind(raw: str) -> str:
    """A period the report knows; the week otherwise (no free-form periods)."""
    return raw if raw in KINDS else "week"


def _table(name: str, content: bytes) -> str:
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    if not rows:
        return ""
    head, body = rows[0], [[e(cell) for cell in row] for row in rows[1:]]
    title = name.removesuffix(".csv").replace("_", " ")
    return f"<h3>{e(title.capitalize())}</h3>" + table(head, body, "report")


def _chart(name: str, content: bytes) -> str:
    data = base64.b64encode(content).decode("ascii")
    alt = name.removesuffix(".png").rsplit("-", 3)[0].replace("-", " ")
    return f'<figure><img src="data:image/png;base64,{data}" alt="{e(alt)} chart"></figure>'


def report_section(report: Report, kind: str) -> str:
    """The report as HTML: period links, summary, charts, tables, downloads."""
    periods = " · ".join(
        f'<a href="/figures?report={k}"{" aria-current=page" * (k == kind)}>last {k}</a>'
        for k in KINDS
    )
    downloads = " · ".join(
        f'<a href="/figures/report/{e(name)}?report={kind}" download>{e(name)}</a>'
        for name, _ in report.files
    )
    charts = "".join(_chart(n, c) for n, c in report.files if n.endswith(".png"))
    tables = "".join(_table(n, c) for n, c in report.files if n.endswith(".csv"))
    summary = "<br>".join(e(line) for line in report.summary.splitlines())
    return (
        f"<h2>Campaign report</h2><p>{periods}</p><p>{summary}</p>"
        f"<div class=charts>{charts}</div>{tables}<p>Download: {downloads}</p>"
    )


def report_file(report: Report, name: str) -> tuple[bytes, str] | None:
    """One file of the report and its content type; None if it has no such file."""
    for file_name, content in report.files:
        if file_name == name:
            return content, "image/png" if name.endswith(".png") else "text/csv"
    return None
