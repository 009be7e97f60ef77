"""Which hotlines a user is shown: tier, language, place, age and the hour (fixed clocks)."""

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.core import routing
from bot.core.directory import Directory, parse_entry
from bot.core.types import Profile
from bot.settings import LOCALES_DIR

BANGKOK = ZoneInfo("Asia/Bangkok")
TUESDAY_MORNING = datetime(2026, 12, 1, 10, 0, tzinfo=BANGKOK)
TUESDAY_NIGHT = datetime(2026, 12, 1, 23, 30, tzinfo=BANGKOK)
ADULT = Profile()


@pytest.fixture(scope="module")
def directory() -> Directory:
    return Directory.load(LOCALES_DIR / "hotlines.yml")


def keys(directory: Directory, tier: int, locale: str, profile: Profile, now: datetime) -> list:
    return [e.key for e in routing.choose(directory, tier, locale, profile, now)]


def test_tier1_in_thailand_gives_police_and_medical_first(directory: Directory) -> None:
    chosen = keys(directory, 1, "th", Profile(where="TH"), TUESDAY_NIGHT)
    assert chosen[:2] == ["police", "medical"]
    assert "childline" not in chosen and "kh_police" not in chosen


def test_unknown_place_gives_thailand_plus_the_home_country_of_the_language(
    directory: Directory,
) -> None:
    assert keys(directory, 1, "km", ADULT, TUESDAY_NIGHT)[:2] == ["police", "medical"]
    assert "kh_police" in keys(directory, 1, "km", ADULT, TUESDAY_NIGHT)
    assert "kh_police" not in keys(directory, 1, "th", ADULT, TUESDAY_NIGHT)


def test_a_user_in_cambodia_gets_117_and_no_thai_numbers(directory: Directory) -> None:
    chosen = keys(directory, 1, "km", Profile(where="KH"), TUESDAY_NIGHT)
    assert chosen == ["kh_police"]
    child = keys(directory, 1, "km", Profile(where="KH", child=True), TUESDAY_NIGHT)
    assert child == ["kh_childline", "kh_police"]


def test_a_child_gets_child_lines_first(directory: Directory) -> None:
    chosen = keys(directory, 1, "my", Profile(where="TH", child=True), TUESDAY_NIGHT)
    assert chosen[0] == "childline" and "police" in chosen
    tier2 = keys(directory, 2, "my", Profile(where="TH", child=True), TUESDAY_NIGHT)
    assert tier2[0] == "childline" and tier2[-1] == "police"


def test_tier2_gives_the_ngo_line_in_the_users_language_and_the_police_last(
    directory: Directory,
) -> None:
    for locale, issara in (("my", "issara_my"), ("km", "issara_km"), ("lo", "issara_lo")):
        chosen = keys(directory, 2, locale, Profile(where="TH"), TUESDAY_NIGHT)
        assert [k for k in chosen if k.startswith("issara")] == [issara]
        assert "msdhs" in chosen and chosen[-1] == "police"
    english = keys(directory, 2, "en", Profile(where="TH"), TUESDAY_NIGHT)
    assert {"issara_my", "issara_km", "issara_lo"} <= set(english)


def test_office_hours_lines_only_while_open_24_hour_lines_at_night(
    directory: Directory,
) -> None:
    day = keys(directory, 3, "my", ADULT, TUESDAY_MORNING)
    night = keys(directory, 3, "my", ADULT, TUESDAY_NIGHT)
    assert "doe" in day and "doe" not in night
    assert "issara_my" in night  # 24 hours
    notes = {
        line.numbers: line.note
        for line in routing.as_lines(routing.choose(directory, 3, "my", ADULT, TUESDAY_MORNING))
    }
    assert notes["1694"] == routing.OPEN_NOW and notes["1-800-010-180"] == routing.ALWAYS_OPEN
    assert notes["1546"] == routing.HOURS_UNKNOWN


def test_1694_is_not_offered_to_lao_readers(directory: Directory) -> None:
    # the line speaks Burmese, Khmer and English; Lao readers are served by Issara's Lao line
    assert "doe" in keys(directory, 3, "lo", ADULT, TUESDAY_MORNING)  # still a Thai line
    lines = routing.as_lines(routing.choose(directory, 3, "lo", ADULT, TUESDAY_MORNING))
    assert all(line.numbers.isascii() for line in lines)


def test_myanmar_or_elsewhere_tier1_has_no_local_line_but_help_in_the_language(
    directory: Directory,
) -> None:
    assert keys(directory, 1, "my", Profile(where="MM"), TUESDAY_NIGHT) == []
    assert keys(directory, 1, "en", Profile(where="other"), TUESDAY_NIGHT) == []
    helpers = routing.help_in_language(directory, "my", TUESDAY_NIGHT)
    assert [e.key for e in helpers] == ["issara_my"]


def test_laos_gives_the_lao_womens_union_line(directory: Directory) -> None:
    assert keys(directory, 1, "lo", Profile(where="LA"), TUESDAY_NIGHT) == ["la_women"]


def test_myanmar_government_channels_are_never_chosen(tmp_path: Path) -> None:
    base = {
        "organisation": "x",
        "languages": ["my"],
        "hours": "24/7",
        "tiers": [1, 2, 3],
        "topics": ["emergency", "police"],
        "source": "test",
        "verified": {"date": TUESDAY_MORNING.date()},
    }
    state = parse_entry(
        {
            **base,
            "key": "mm_labour",
            "name": "MM",
            "numbers": ["067 430183"],
            "kind": "government",
            "country": "MM",
        }
    )
    ngo = parse_entry(
        {
            **base,
            "key": "mm_ngo",
            "name": "NGO",
            "numbers": ["1234"],
            "kind": "ngo",
            "country": "MM",
        }
    )
    directory = Directory((state, ngo))
    for tier in (1, 2, routing.HOTLIST):
        for profile in (Profile(where="MM"), ADULT):
            assert "mm_labour" not in keys(directory, tier, "my", profile, TUESDAY_NIGHT)
    assert keys(directory, 1, "my", Profile(where="MM"), TUESDAY_NIGHT) == ["mm_ngo"]


def test_the_hotline_list_shows_every_line_of_the_place(directory: Directory) -> None:
    chosen = keys(directory, routing.HOTLIST, "th", Profile(where="TH"), TUESDAY_MORNING)
    assert {"police", "medical", "msdhs", "childline", "doe", "dlpw"} <= set(chosen)
    in_cambodia = keys(directory, routing.HOTLIST, "km", Profile(where="KH"), TUESDAY_MORNING)
    assert in_cambodia[:2] == ["kh_police", "kh_childline"] and "police" in in_cambodia


def test_every_directory_entry_has_a_translatable_label(directory: Directory) -> None:
    assert {e.key for e in directory.entries} <= set(routing.LABELS)
