"""The built-in list of verified numbers, the last resort when everything else fails.

Staff maintain the directory in locales/hotlines.yml (with hours and languages); this
list is used when that file is missing or unreadable, so it must stay a copy of its
24-hour entries (tests/unit/test_directory.py checks that).

These are shown even when the engine, the database and the directory file are all
unavailable, so only numbers confirmed by a source in shared/content/brief.md are here,
each with that source and the date it was last verified. Numbers stay ASCII digits.
"""

from __future__ import annotations

from dataclasses import dataclass


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
    """Placeholder values for catalog messages: %(police)s becomes 191, and so on."""
    return {line.key: line.number for line in LAST_RESORT}
