"""Which hotlines a person is shown: tier, language, place, age and the hour (fixed clocks).

The matrix test walks every place x language x tier x age x hour and checks that each
answer gives lines that can be dialled where the person is and speak their language, or
says plainly, in their language, that none is known there (invariant 12).
"""

import itertools
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.core import content, messages, routing
from bot.core.directory import Directory, Entry, parse_entry
from bot.core.risk import RiskAnswers
from bot.core.types import LOCALES, WHERE, BotReply, Line, Profile
from bot.i18n import Term
from bot.settings import LOCALES_DIR
from tests.e2e.scripts import script_of

BANGKOK = ZoneInfo("Asia/Bangkok")
TUESDAY_MORNING = datetime(2026, 12, 1, 10, 0, tzinfo=BANGKOK)
TUESDAY_NIGHT = datetime(2026, 12, 1, 23, 30, tzinfo=BANGKOK)
SUNDAY_NOON = datetime(2026, 12, 6, 12, 0, tzinfo=BANGKOK)
ADULT = Profile()
LOADED = content.load(LOCALES_DIR)
CATALOGS = LOADED.catalogs
LOCAL_DIGITS = "๐๑๒๓๔๕๖๗๘๙໐໑໒໓໔໕໖໗໘໙០១២៣៤៥៦៧៨៩၀၁၂၃၄၅၆၇၈၉"


@pytest.fixture(scope="module")
def directory() -> Directory:
    assert LOADED.directory is not None
    return LOADED.directory


def keys(directory: Directory, tier: int, locale: str, profile: Profile, now: datetime) -> list:
    return [e.key for e in routing.choose(directory, tier, locale, profile, now)]


def rendered(routed: routing.Routed, locale: str) -> str:
    reply = BotReply(messages.ROUTED_HOTLINES, lines=routing.as_lines(routed, locale))
    return CATALOGS.render(reply, locale)


def sentence(msgid: str, locale: str, where: str) -> str:
    """The honest sentence as the person reads it."""
    words = {
        "language": Term(routing.LANGUAGE_NAMES[locale]),
        "place": Term(routing.PLACE_NAMES[where]),
    }
    return CATALOGS.term(Term(msgid, words), locale)


def dialable_there(entry: Entry, profile: Profile, locale: str) -> bool:
    if profile.where is None:  # not told: Thailand's lines and the home country's
        return entry.country in ("TH", routing.HOME_COUNTRY.get(locale, "TH"))
    return bool(entry.dial_from(profile.where))


PROFILES = [Profile(where, child) for where in (*WHERE, None) for child in (None, True)]


@pytest.mark.parametrize(
    ("profile", "locale"), list(itertools.product(PROFILES, LOCALES)), ids=str
)
def test_every_answer_works_where_the_person_is_or_says_none_is_known(
    directory: Directory, profile: Profile, locale: str
) -> None:
    child = bool(profile.child)
    for tier, now in itertools.product((1, 2), (TUESDAY_MORNING, TUESDAY_NIGHT, SUNDAY_NOON)):
        routed = routing.route(directory, tier, locale, profile, now)
        for entry in routed.local:
            assert entry.verified_on is not None and not routing.is_myanmar_state(entry)
            assert dialable_there(entry, profile, locale), (entry.key, profile)
            assert entry.offered_to(locale) and (not entry.hours_known or entry.is_open(now))
            assert child or not entry.children_only
        fits = [e for e in routed.local if e.speaks(locale) and e.serves_person(child)]
        text = rendered(routed, locale)
        assert "%(" not in text and not set(text) & set(LOCAL_DIGITS)
        assert script_of(text) == locale, text
        if fits:
            assert routed.gap is None
            continue
        assert routed.gap is not None, (tier, locale, profile)
        where = profile.where or "TH"
        assert sentence(routed.gap, locale, where) in text
        # lines that only work in Thailand come after that, said to be so, in the language
        assert all(e.speaks(locale) and e.country == "TH" for e in routed.from_thailand)
        if routed.from_thailand:
            heading = sentence(routing.FROM_THAILAND, locale, where)
            assert text.index(sentence(routed.gap, locale, where)) < text.index(heading)


def test_tier1_in_thailand_gives_police_and_medical_first(directory: Directory) -> None:
    chosen = keys(directory, 1, "th", Profile(where="TH"), TUESDAY_NIGHT)
    assert chosen[:2] == ["police", "medical"]
    assert "childline" not in chosen and "kh_police" not in chosen


def test_tier1_adds_a_line_in_the_persons_language_after_the_emergency_lines(
    directory: Directory,
) -> None:
    for locale, own in (("my", "issara_my"), ("km", "issara_km"), ("lo", "issara_lo")):
        chosen = keys(directory, 1, locale, Profile(where="TH"), TUESDAY_NIGHT)
        assert chosen[:2] == ["police", "medical"] and chosen[-1] == own
    english = keys(directory, 1, "en", Profile(where="TH"), TUESDAY_NIGHT)
    assert "tourist_police" in english  # 1155 speaks English
    assert "tourist_police" not in keys(directory, 1, "th", Profile(where="TH"), TUESDAY_NIGHT)


def test_unknown_place_gives_thailand_plus_the_home_country_of_the_language(
    directory: Directory,
) -> None:
    assert keys(directory, 1, "km", ADULT, TUESDAY_NIGHT)[:2] == ["police", "medical"]
    assert "kh_police" in keys(directory, 1, "km", ADULT, TUESDAY_NIGHT)
    assert "kh_police" not in keys(directory, 1, "th", ADULT, TUESDAY_NIGHT)


def test_a_person_in_cambodia_gets_117_and_no_thai_numbers(directory: Directory) -> None:
    chosen = keys(directory, 1, "km", Profile(where="KH"), TUESDAY_NIGHT)
    assert chosen == ["kh_police"]
    child = keys(directory, 1, "km", Profile(where="KH", child=True), TUESDAY_NIGHT)
    assert child == ["kh_childline", "kh_police"]


def test_a_burmese_reader_in_laos_is_told_plainly_and_gets_burmese_help_via_thailand(
    directory: Directory,
) -> None:
    for tier in (1, 2):
        routed = routing.route(directory, tier, "my", Profile(where="LA"), TUESDAY_NIGHT)
        assert [e.key for e in routed.local] == ["la_women"]  # for women and children
        assert routed.gap == routing.NOT_IN_LANGUAGE
        assert [e.key for e in routed.from_thailand] == ["issara_my"]
        text = rendered(routed, "my")
        assert "မြန်မာဘာသာ" in text and "လာအိုမှာ" in text  # "Burmese", "in Laos"
        assert text.index("1362") < text.index("1-800-010-180")


def test_in_myanmar_no_thai_short_code_or_toll_free_number_is_offered_as_local(
    directory: Directory,
) -> None:
    for locale, tier in itertools.product(LOCALES, (1, 2, routing.HOTLIST)):
        routed = routing.route(directory, tier, locale, Profile(where="MM"), TUESDAY_NIGHT)
        assert routed.local == () and routed.gap == routing.NONE_THERE
        text = rendered(routed, locale)
        heading = sentence(routing.FROM_THAILAND, locale, "MM")
        for entry in routed.from_thailand:
            assert text.index(heading) < text.index(entry.numbers[0])


def test_a_line_reachable_from_abroad_is_offered_in_international_format() -> None:
    base = {
        "organisation": "NGO",
        "kind": "ngo",
        "country": "TH",
        "languages": ["my"],
        "hours": "24/7",
        "tiers": [1, 2],
        "source": "test",
        "verified": {"date": TUESDAY_MORNING.date()},
    }
    ngo = parse_entry(
        {
            **base,
            "key": "ngo",
            "name": "NGO",
            "numbers": ["02 123 4567"],
            "from_abroad": {"numbers": ["+66 2 123 4567"], "source": "their page"},
        }
    )
    directory = Directory((ngo,))
    routed = routing.route(directory, 1, "my", Profile(where="MM"), TUESDAY_NIGHT)
    assert routed.gap is None and routed.local == (ngo,)
    [line] = routing.as_lines(routed, "my")
    assert isinstance(line, Line) and line.numbers == "+66 2 123 4567"
    in_thailand = routing.as_lines(routing.route(directory, 1, "my", ADULT, TUESDAY_NIGHT), "my")
    assert [row.numbers for row in in_thailand if isinstance(row, Line)] == ["02 123 4567"]


def test_a_child_gets_child_lines_first(directory: Directory) -> None:
    chosen = keys(directory, 1, "my", Profile(where="TH", child=True), TUESDAY_NIGHT)
    assert chosen[0] == "childline" and "police" in chosen
    tier2 = keys(directory, 2, "my", Profile(where="TH", child=True), TUESDAY_NIGHT)
    assert tier2[0] == "childline" and tier2[-1] == "police"
    in_laos = routing.route(directory, 1, "lo", Profile(where="LA", child=True), TUESDAY_NIGHT)
    assert [e.key for e in in_laos.local] == ["la_women"] and in_laos.gap is None


def test_a_lao_adult_in_laos_is_told_1362_is_for_women_and_children(
    directory: Directory,
) -> None:
    routed = routing.route(directory, 1, "lo", Profile(where="LA"), TUESDAY_NIGHT)
    assert routed.gap == routing.NOT_FOR_EVERYONE
    assert [e.key for e in routed.from_thailand] == ["issara_lo"]


def test_tier2_gives_the_ngo_line_in_the_persons_language_and_the_police_last(
    directory: Directory,
) -> None:
    for locale, issara in (("my", "issara_my"), ("km", "issara_km"), ("lo", "issara_lo")):
        chosen = keys(directory, 2, locale, Profile(where="TH"), TUESDAY_NIGHT)
        assert [k for k in chosen if k.startswith("issara")] == [issara]
        assert "msdhs" in chosen and chosen[-1] == "police"
    english = keys(directory, 2, "en", Profile(where="TH"), TUESDAY_NIGHT)
    assert {"issara_my", "issara_km", "issara_lo"} <= set(english)
    assert english[-2:] == ["police", "tourist_police"]


def test_office_hours_lines_only_while_open_24_hour_lines_at_night(
    directory: Directory,
) -> None:
    day = keys(directory, 3, "my", ADULT, TUESDAY_MORNING)
    night = keys(directory, 3, "my", ADULT, TUESDAY_NIGHT)
    assert "doe" in day and "doe" not in night
    assert "issara_my" in night  # 24 hours
    routed = routing.route(directory, 3, "my", ADULT, TUESDAY_MORNING)
    notes = {
        line.numbers: line.note
        for line in routing.as_lines(routed, "my")
        if isinstance(line, Line)
    }
    assert notes["1694"] == routing.OPEN_NOW and notes["1-800-010-180"] == routing.ALWAYS_OPEN
    assert notes["1546"] == routing.HOURS_UNKNOWN


def test_labour_problems_abroad_get_the_thai_lines_as_lines_someone_there_can_call(
    directory: Directory,
) -> None:
    routed = routing.route(directory, 3, "km", Profile(where="KH"), TUESDAY_MORNING)
    assert routed.local == () and routed.gap == routing.NONE_THERE
    assert {e.key for e in routed.from_thailand} == {"issara_km", "doe"}


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
    in_cambodia = routing.route(
        directory, routing.HOTLIST, "km", Profile(where="KH"), TUESDAY_MORNING
    )
    assert [e.key for e in in_cambodia.local] == ["kh_police", "kh_childline"]
    # Thailand's lines in Khmer too, as lines that work only from a phone there
    assert "issara_km" in [e.key for e in in_cambodia.from_thailand]


def test_every_directory_entry_has_a_translatable_label(directory: Directory) -> None:
    assert {e.key for e in directory.entries} <= set(routing.LABELS)


def test_the_options_card_tells_someone_abroad_its_numbers_are_thailands(
    directory: Directory,
) -> None:
    risk = RiskAnswers(directory)
    first, card, _note = risk.options("km", Profile(where="KH"))
    assert first.msgid == messages.OPTIONS_ABROAD["KH"] and card.msgid == messages.OPTIONS
    assert "ប្រទេសថៃប៉ុណ្ណោះ" in CATALOGS.render(first, "km")  # "only ... in Thailand"
    assert risk.options("km", Profile(where="TH"))[0].msgid == messages.OPTIONS
    assert risk.options("en", Profile(where="other"))[0].msgid == messages.OPTIONS_ABROAD["other"]
