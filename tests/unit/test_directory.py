"""The hotline directory: only verified entries, where each number can be dialled from,
who a line serves, opening hours at a fixed clock, staleness, withdrawn lines."""

from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import yaml

from bot.core.directory import Directory, DirectoryError
from bot.core.hotlines import LAST_RESORT, NO_CHECKED_NUMBER, STANDS_IN, line_values
from bot.i18n import Term
from bot.settings import LOCALES_DIR

BKK = ZoneInfo("Asia/Bangkok")
OFFICE = ["mon-fri 08:30-16:30"]


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


def directory(tmp_path: Path, *entries: dict[str, object], **placeholders: Any) -> Directory:
    path = tmp_path / "hotlines.yml"
    data = {"placeholders": placeholders, "lines": list(entries)}
    path.write_text(yaml.safe_dump(data, allow_unicode=True))
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
    yangon = directory(tmp_path, entry("mm", country="MM", hours=["mon-fri 09:00-10:00"]))
    bangkok_1020 = datetime(2026, 11, 24, 10, 20, tzinfo=BKK)  # 09:50 in Yangon
    assert yangon.entries[0].timezone == "Asia/Yangon" and yangon.open_now(bangkok_1020)


def test_unverified_entries_are_never_shown(tmp_path: Path) -> None:
    d = directory(tmp_path, entry("rumour", verified={}), entry("police"))
    assert [e.key for e in d.shown] == ["police"]
    assert "rumour" not in d.numbers()


def test_stale_entries_are_reported(tmp_path: Path) -> None:
    d = directory(
        tmp_path, entry("old", verified={"date": date(2026, 1, 1), "by": "x"}), entry("fresh")
    )
    assert [e.key for e in d.stale(date(2026, 11, 28))] == ["old"]


def test_numbers_work_inside_their_country_and_abroad_only_when_sourced(tmp_path: Path) -> None:
    abroad = {"numbers": ["+66 2 343 9300"], "source": "their own page says so"}
    d = directory(
        tmp_path, entry("tollfree", numbers=["1-800-010-180"]), entry("iom", from_abroad=abroad)
    )
    tollfree, iom = d.entries
    assert tollfree.dial_from("TH") == ("1-800-010-180",) and tollfree.dial_from("LA") == ()
    assert iom.dial_from("TH") == ("1300",) and iom.dial_from("MM") == ("+66 2 343 9300",)


def test_who_a_line_serves(tmp_path: Path) -> None:
    d = directory(
        tmp_path,
        entry("all"),
        entry("women", serves=["women", "children"]),
        entry("kids", serves=["children"], ages="0-17"),
        entry("english", offer_to=["en"]),
    )
    everyone, women, kids, english = d.entries
    assert everyone.serves_person(child=False) and everyone.serves_person(child=True)
    # the bot never asks anyone's gender: a line for women is never assumed to fit
    assert not women.serves_person(child=False) and women.serves_person(child=True)
    assert kids.children_only and kids.ages == (0, 17) and not kids.serves_person(False)
    assert english.offered_to("en") and not english.offered_to("th")


@pytest.mark.parametrize(
    ("changes", "complaint"),
    [
        ({"numbers": ["๑๓๐๐"]}, "ASCII digits"),
        ({"numbers": ["+66 1300"]}, "from_abroad"),
        ({"from_abroad": {"numbers": ["+66 2 343 9300"]}}, "source that says so"),
        ({"from_abroad": {"numbers": ["02 343 9300"], "source": "x"}}, "start with"),
        ({"from_abroad": {"numbers": ["+66 1800 010 180"], "source": "x"}}, "toll-free"),
        ({"kind": "company"}, "kind must be"),
        ({"hours": {"weekly": {"mon": "9-5"}}}, "hours must be"),
        ({"hours": ["weekdays 9-5"]}, "is not like"),
        ({"serves": ["men"]}, "serves must be"),
        ({"ages": "adults"}, "ages must be"),
        ({"offer_to": ["fr"]}, "offer_to"),
        ({"country": "Thailand"}, "two-letter"),
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"key": "Police!"}, "key must be"),
        ({"source": None, "name": None}, "missing"),
    ],
)
def test_broken_entries_refuse_the_file(
    tmp_path: Path, changes: dict[str, object], complaint: str
) -> None:
    raw = {**entry("bad"), **changes}
    raw = {k: v for k, v in raw.items() if v is not None}
    with pytest.raises(DirectoryError, match=complaint):
        directory(tmp_path, raw)


def test_a_withdrawn_line_is_replaced_by_the_next_verified_one_named(tmp_path: Path) -> None:
    d = directory(
        tmp_path,
        entry("police", numbers=["191"], verified={}),  # withdrawn
        entry("tourist_police", numbers=["1155"]),
        entry("la_women", numbers=["1362"], verified={}),
        police=["police", "tourist_police"],
        la_women=["la_women"],
        gone=["gone", "tourist_police"],  # its line was deleted from the file
    )
    values = line_values(d)
    police = values["police"]
    assert isinstance(police, Term) and police.msgid == STANDS_IN
    assert police.values["number"] == "1155"
    assert values["la_women"] == Term(NO_CHECKED_NUMBER)  # nothing left: said plainly
    assert isinstance(values["gone"], Term) and values["gone"].values["number"] == "1155"
    assert values["tourist_police"] == "1155"
    assert "191" not in str(values)  # a withdrawn number is never shown


def test_the_floor_needs_a_24_hour_emergency_line_in_thailand(tmp_path: Path) -> None:
    police = entry("police", numbers=["191"], tiers=[1])
    assert [e.key for e in directory(tmp_path, police).floor_lines()] == ["police"]
    office = entry("police", numbers=["191"], tiers=[1], hours=OFFICE)
    assert directory(tmp_path, office).floor_lines() == ()
    abroad = entry("kh_police", numbers=["117"], tiers=[1], country="KH")
    assert directory(tmp_path, abroad).floor_lines() == ()


def test_the_built_in_last_resort_is_the_directorys_24_hour_lines() -> None:
    staff = Directory.load(LOCALES_DIR / "hotlines.yml")
    built_in = {line.key: line.number for line in LAST_RESORT if line.hours == "24/7"}
    always = {e.key: " / ".join(e.numbers) for e in staff.shown if e.always_open}
    assert built_in == always
    for line in LAST_RESORT:
        assert staff.numbers()[line.key] == line.number, line.key


def test_every_placeholder_of_the_directory_lists_only_its_lines() -> None:
    staff = Directory.load(LOCALES_DIR / "hotlines.yml")
    assert staff.warnings() == []
    for name, chain in staff.placeholders.items():
        assert chain[0] == name  # its own line first, then the stand-ins
