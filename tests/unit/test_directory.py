"""The hotline directory: only verified entries, opening hours at a fixed clock, staleness."""

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml

from bot.core.directory import Directory, DirectoryError
from bot.core.hotlines import LAST_RESORT
from bot.settings import LOCALES_DIR

BKK = ZoneInfo("Asia/Bangkok")
OFFICE = {
    "timezone": "Asia/Bangkok",
    "weekly": {d: "08:30-16:30" for d in ("mon", "tue", "wed", "thu", "fri")},
}


def entry(key: str, **changes: object) -> dict[str, object]:
    base: dict[str, object] = {
        "key": key,
        "name": key,
        "numbers": ["1300"],
        "organisation": "x",
        "kind": "ngo",
        "country": "TH",
        "languages": ["th"],
        "hours": "24/7",
        "tiers": [2],
        "topics": [],
        "source": "brief",
        "verified": {"date": date(2026, 11, 1), "by": "staff call"},
    }
    return {**base, **changes}


def directory(tmp_path: Path, *entries: dict[str, object]) -> Directory:
    path = tmp_path / "hotlines.yml"
    path.write_text(yaml.safe_dump(list(entries), allow_unicode=True))
    return Directory.load(path)


def test_office_hours_at_a_fixed_clock(tmp_path: Path) -> None:
    d = directory(tmp_path, entry("doe", hours=OFFICE), entry("police"))
    tuesday_morning = datetime(2026, 11, 24, 10, 0, tzinfo=BKK)
    tuesday_night = datetime(2026, 11, 24, 22, 0, tzinfo=BKK)
    saturday_noon = datetime(2026, 11, 28, 12, 0, tzinfo=BKK)
    assert [e.key for e in d.open_now(tuesday_morning)] == ["doe", "police"]
    assert [e.key for e in d.open_now(tuesday_night)] == ["police"]  # 24-hour lines at night
    assert [e.key for e in d.open_now(saturday_noon)] == ["police"]


def test_hours_are_judged_in_the_entrys_time_zone(tmp_path: Path) -> None:
    d = directory(tmp_path, entry("doe", hours=OFFICE))
    utc_0300 = datetime(2026, 11, 24, 3, 0, tzinfo=ZoneInfo("UTC"))  # 10:00 in Bangkok
    assert d.open_now(utc_0300)


def test_unverified_entries_are_never_shown(tmp_path: Path) -> None:
    d = directory(tmp_path, entry("rumour", verified={}), entry("police"))
    assert [e.key for e in d.shown] == ["police"]
    assert "rumour" not in d.numbers()


def test_stale_entries_are_reported(tmp_path: Path) -> None:
    d = directory(
        tmp_path, entry("old", verified={"date": date(2026, 1, 1), "by": "x"}), entry("fresh")
    )
    assert [e.key for e in d.stale(date(2026, 11, 28))] == ["old"]


@pytest.mark.parametrize(
    ("changes", "complaint"),
    [
        ({"numbers": ["๑๓๐๐"]}, "ASCII digits"),
        ({"kind": "company"}, "kind must be"),
        ({"hours": {"weekly": {"mon": "9-5"}}}, "bad opening hours"),
        ({"source": None, "name": None}, None),
    ],
)
def test_broken_entries_refuse_the_file(
    tmp_path: Path, changes: dict[str, object], complaint: str | None
) -> None:
    raw = entry("bad", **changes)
    raw = {k: v for k, v in raw.items() if v is not None}
    with pytest.raises(DirectoryError, match=complaint or "missing"):
        directory(tmp_path, raw)


def test_the_built_in_last_resort_matches_the_directory() -> None:
    staff_numbers = Directory.load(LOCALES_DIR / "hotlines.yml").numbers()
    for line in LAST_RESORT:
        assert staff_numbers[line.key] == line.number, line.key
