"""Dated facts (locales/facts.yml) in the reader's language and calendar (issue #16)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from bot.core.content import load as load_content
from bot.core.facts import format_day, read_facts
from bot.core.types import BotReply
from bot.i18n.check import fills
from bot.settings import LOCALES_DIR
from tests.e2e.scripts import script_of

DAY = dt.date(2026, 3, 31)


@pytest.mark.parametrize(
    ("locale", "written"),
    [
        ("en", "31 March 2026"),
        ("th", "31 มีนาคม 2569"),  # the Buddhist era a Thai reader expects
        ("my", "2026 မတ် 31"),
        ("km", "31 មីនា 2026"),
        ("lo", "31 ມີນາ 2026"),
    ],
)
def test_a_date_is_written_in_the_readers_language_and_calendar(locale: str, written: str) -> None:
    assert format_day(DAY, locale) == written
    assert all(ch.isascii() for ch in written if ch.isdigit())  # dialable-style digits


def test_every_fact_offers_its_check_date_and_dates_are_dates(tmp_path: Path) -> None:
    path = tmp_path / "facts.yml"
    path.write_text(
        "renew_deadline: {kind: date, value: 2026-03-31, source: s, checked: '2026-12-01'}\n"
        "fee: {value: '900', source: s, checked: 2026-12-01}\n",
        encoding="utf-8",
    )
    facts = read_facts(path)
    assert facts.values == {"fee": "900"}
    assert facts.dates == {
        "renew_deadline": DAY,
        "renew_deadline_checked": dt.date(2026, 12, 1),
        "fee_checked": dt.date(2026, 12, 1),
    }
    assert facts.stale(dt.date(2027, 6, 1)) == ["fee", "renew_deadline"]
    assert facts.stale(dt.date(2026, 12, 6)) == []


@pytest.mark.parametrize(
    "entry",
    [
        "x: {kind: date, value: soon, source: s, checked: 2026-12-01}",
        "x: {value: '1', source: s, checked: yesterday}",
        "x: {kind: money, value: '1', source: s, checked: 2026-12-01}",
        "x: {value: '1', checked: 2026-12-01}",
    ],
)
def test_a_broken_fact_is_refused_with_its_name(tmp_path: Path, entry: str) -> None:
    path = tmp_path / "facts.yml"
    path.write_text(entry + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match="x"):
        read_facts(path)


def test_the_renewal_table_says_last_checked_in_each_language() -> None:
    catalogs = load_content(LOCALES_DIR).catalogs
    facts = read_facts(LOCALES_DIR / "facts.yml")
    table = next(m for m in catalogs.messages["en"] if m.startswith("📅"))
    for locale in ("th", "my", "km", "lo", "en"):
        text = catalogs.render(BotReply(table), locale)
        checked = format_day(facts.checked["renew_lmv_deadline"], locale)
        assert checked in text and format_day(facts.dates["renew_lmv_deadline"], locale) in text
        assert "%(" not in text and script_of(text) == locale
    thai = catalogs.render(BotReply(table), "th")
    assert str(facts.dates["renew_lmv_deadline"].year + 543) in thai


def test_a_stray_percent_sign_is_caught_before_the_bot_falls_back_to_english() -> None:
    assert fills("at most %(share)s of your pay") and fills("no placeholder at all")
    assert not fills("at most 10% of your pay")
