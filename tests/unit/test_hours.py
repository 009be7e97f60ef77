"""One format and one parser for opening hours: the directory's lines and the operator desks."""

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml

from bot.core.directory import Directory
from bot.core.hours import HoursError, parse_hours
from bot.handoff.desks import Desks

BKK = ZoneInfo("Asia/Bangkok")
MONDAY_0900 = datetime(2026, 11, 23, 9, 0, tzinfo=BKK)
FRIDAY_2300 = datetime(2026, 11, 27, 23, 0, tzinfo=BKK)
SUNDAY_1200 = datetime(2026, 11, 29, 12, 0, tzinfo=BKK)
WEDNESDAY_1200 = datetime(2026, 11, 25, 12, 0, tzinfo=BKK)


def test_windows_days_ranges_and_the_week_wrapping_round() -> None:
    hours = parse_hours(["fri-mon 08:00-24:00"])  # Friday to Monday
    assert hours.is_open(FRIDAY_2300, BKK) and hours.is_open(SUNDAY_1200, BKK)
    assert hours.is_open(MONDAY_0900, BKK) and not hours.is_open(WEDNESDAY_1200, BKK)
    assert str(hours) == "fri-mon 08:00-24:00"


def test_always_and_unknown() -> None:
    assert parse_hours("24/7").is_open(FRIDAY_2300, BKK)
    unknown = parse_hours("unknown")
    assert not unknown.known and not unknown.is_open(MONDAY_0900, BKK)
    with pytest.raises(HoursError):
        parse_hours("unknown", allow_unknown=False)  # a desk either answers or not


@pytest.mark.parametrize(
    "raw", [["weekdays 8-5"], ["mon-fri 17:00-08:00"], ["mon 08:60-09:00"], [], "9 to 5"]
)
def test_what_the_parser_refuses(raw: object) -> None:
    with pytest.raises(HoursError):
        parse_hours(raw)


def test_the_directory_and_the_desks_read_the_same_hours_the_same_way(tmp_path: Path) -> None:
    windows = ["mon-fri 08:30-17:30", "sat 09:00-12:00"]
    line = {
        "key": "doe",
        "name": "x",
        "numbers": ["1694"],
        "organisation": "x",
        "kind": "government",
        "country": "TH",
        "languages": ["my"],
        "hours": windows,
        "tiers": [3],
        "source": "x",
    }
    (tmp_path / "hotlines.yml").write_text(yaml.safe_dump({"lines": [line]}))
    desk = {"name": "d", "organisation": "x", "chat_id": -1, "hours": windows}
    (tmp_path / "desks.yml").write_text(yaml.safe_dump({"desks": [desk]}))
    entry = Directory.load(tmp_path / "hotlines.yml").entries[0]
    office = Desks.load(tmp_path / "desks.yml").desks[0]
    for moment in (MONDAY_0900, FRIDAY_2300, SUNDAY_1200, WEDNESDAY_1200):
        assert entry.is_open(moment) == office.is_open(moment)
    assert entry.hours == office.hours
