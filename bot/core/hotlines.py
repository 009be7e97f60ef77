"""What a hotline placeholder such as %(police)s shows, and the built-in last resort.

Values come from the staff-edited directory (locales/hotlines.yml): a line's own numbers
while it is verified; when it is withdrawn, the next verified line its placeholder lists,
named so that nobody mistakes it for the line the sentence mentions ("1155 (Tourist
Police, in English)"); when none is left, "(no checked number at the moment)". So a
withdrawn number disappears at the next reload and no message ever shows "%(police)s".

The built-in list below is used when the directory file is missing or unreadable, so it
must stay a copy of its 24-hour entries (tests/unit/test_directory.py checks that). Only
numbers confirmed by a source in shared/content/brief.md are here, each with that source
and the date it was last verified. Numbers stay ASCII digits.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from bot.core.directory import Directory
from bot.core.routing import LABELS
from bot.i18n import N_, Term, Value

# a line standing in for a withdrawn one: "1155 (👮 Tourist Police, in English)"
STANDS_IN = N_("%(number)s (%(name)s)")
NO_CHECKED_NUMBER = N_("(no checked number at the moment)")


@dataclass(frozen=True)
class Hotline:
    """One number the bot may show, with the evidence behind it."""

    key: str
    number: str
    country: str
    hours: str
    source: str
    verified_on: str
    verified_by: str


_BRIEF = "content brief §1 (source check, not yet phoned)"
_ISSARA = "issarainstitute.org/outreach-and-empowerment; respect.international 2020"

LAST_RESORT: tuple[Hotline, ...] = (
    Hotline(
        "police", "191", "TH", "24/7", "thailandsimple.com; tajlando.pl", "2024-04-05", _BRIEF
    ),
    Hotline(
        "medical", "1669", "TH", "24/7", "thailandsimple.com; tajlando.pl", "2024-04-05", _BRIEF
    ),
    Hotline("tourist_police", "1155", "TH", "24/7", "tpnnational.com", "2024-04-05", _BRIEF),
    Hotline(
        "childline", "1387", "TH", "24/7", "childhelplineinternational.org", "2023-01-01", _BRIEF
    ),
    Hotline(
        "msdhs", "1300", "TH", "24/7", "unicef.org/thailand 17 May 2019", "2019-05-17", _BRIEF
    ),
    Hotline(
        "kh_police", "117", "KH", "24/7", "en.vietnamplus.vn 31 Aug 2022", "2022-08-31", _BRIEF
    ),
    Hotline(
        "kh_childline", "1280", "KH", "24/7", "childhelplinecambodia.org", "2013-03-11", _BRIEF
    ),
    Hotline("issara_my", "1-800-010-180", "TH", "24/7", _ISSARA, "2020-01-01", _BRIEF),
    Hotline("issara_km", "1-800-010-181", "TH", "24/7", _ISSARA, "2020-01-01", _BRIEF),
    Hotline("issara_lo", "1-800-010-182", "TH", "24/7", _ISSARA, "2020-01-01", _BRIEF),
    Hotline(
        "doe", "1694", "TH", "Mon-Fri 08:30-16:30", "mol.go.th Jul 2017", "2017-07-01", _BRIEF
    ),
    Hotline("dlpw", "1546", "TH", "unknown", "labour.go.th 20 Mar 2023", "2023-03-20", _BRIEF),
)


def numbers() -> dict[str, str]:
    """The built-in values: %(police)s becomes 191, and so on."""
    return {line.key: line.number for line in LAST_RESORT}


def line_values(directory: Directory | None) -> dict[str, Value]:
    """What every hotline placeholder shows: from the directory, or the built-in list."""
    if directory is None:
        return dict(numbers())
    return {name: placeholder_value(directory, name) for name in directory.placeholder_names()}


def placeholder_value(directory: Directory, name: str) -> Value:
    """The line's own numbers, a named stand-in, or the plain "no checked number"."""
    line = directory.resolve(name)
    if line is None:
        return Term(NO_CHECKED_NUMBER)
    number = " / ".join(line.numbers)
    if line.key == name:
        return number
    return Term(STANDS_IN, {"number": number, "name": Term(LABELS.get(line.key, line.name))})


def stand_ins(directory: Directory, names: Iterable[str]) -> list[str]:
    """For staff: which placeholders show another line, or none, and why."""
    found = []
    for name in sorted(names):
        line = directory.resolve(name)
        if line is None:
            found.append(f"%({name})s: no verified line left, shows 'no checked number'")
        elif line.key != name:
            found.append(f"%({name})s: withdrawn, shows {line.key} ({' / '.join(line.numbers)})")
    return found
