"""Rendering from catalogs with the values the core gives, and the checks that guard them."""

from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import write_po

from bot.core import content
from bot.core.types import LOCALES, BotReply, Line
from bot.i18n import Catalogs, Term, po_path
from bot.i18n.check import check, used_msgids

POLICE = {"police": "191"}


def write(dir_: Path, locale: str, entries: dict[str, str], fuzzy: set[str] = frozenset()) -> None:
    catalog = Catalog(locale=locale)
    for msgid, msgstr in entries.items():
        catalog.add(msgid, msgstr, flags=("fuzzy",) if msgid in fuzzy else ())
    path = po_path(dir_, locale)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        write_po(handle, catalog)


def test_render_translates_and_fills_numbers(tmp_path: Path) -> None:
    write(tmp_path, "th", {"Call %(police)s": "โทร %(police)s"})
    text = Catalogs.load(tmp_path, POLICE).render(BotReply("Call %(police)s"), "th")
    assert text == "โทร 191"


def test_values_may_be_terms_rendered_in_the_readers_language(tmp_path: Path) -> None:
    write(tmp_path, "lo", {"in Laos": "ຢູ່ລາວ", "Not known %(place)s": "ບໍ່ຮູ້ %(place)s"})
    stand_in = Term("Not known %(place)s", {"place": Term("in Laos")})
    catalogs = Catalogs.load(tmp_path, {"x": stand_in})
    assert catalogs.render(BotReply("See: %(x)s"), "lo") == "See: ບໍ່ຮູ້ ຢູ່ລາວ"
    rows = (Line("Police", "191", "in Laos"), stand_in)
    assert catalogs.render(BotReply("Call:\n%(lines)s", lines=rows), "lo") == (
        "Call:\nPolice: 191 (ຢູ່ລາວ)\n\nບໍ່ຮູ້ ຢູ່ລາວ"
    )


def test_a_value_may_depend_on_the_readers_language(tmp_path: Path) -> None:
    year = {"th": "2569", "en": "2026"}.__getitem__  # e.g. a date in the reader's calendar
    catalogs = Catalogs.load(tmp_path, {"year": year})
    assert catalogs.render(BotReply("Checked in %(year)s"), "th") == "Checked in 2569"


def test_a_placeholder_without_a_value_is_never_shown(tmp_path: Path) -> None:
    text = Catalogs.load(tmp_path, {}).render(BotReply("Call %(police)s now"), "en")
    assert text == "Call  now" and "%(" not in text


def test_missing_or_fuzzy_translation_falls_back_to_english(tmp_path: Path) -> None:
    write(tmp_path, "en", {"Hi": "Hello!", "Bye": "Bye"})
    write(tmp_path, "lo", {"Bye": "ລາກ່ອນ"}, fuzzy={"Bye"})
    catalogs = Catalogs.load(tmp_path, {})
    assert catalogs.render(BotReply("Hi"), "lo") == "Hello!"
    assert catalogs.render(BotReply("Bye"), "lo") == "Bye"


def test_broken_placeholder_in_a_translation_falls_back_to_the_source(tmp_path: Path) -> None:
    write(tmp_path, "km", {"Call %(police)s": "ហៅ %(polise)s"})
    text = Catalogs.load(tmp_path, POLICE).render(BotReply("Call %(police)s"), "km")
    assert text == "Call 191"


def test_project_content_passes_the_checks() -> None:
    assert content.problems() == []


def test_check_catches_each_kind_of_problem(tmp_path: Path) -> None:
    good = {"Call %(police)s": "Call %(police)s"}
    for locale in ("en", "th", "km", "lo"):
        write(tmp_path, locale, good)
    write(tmp_path, "my", {"Call %(police)s": "မင္းကို ခ်စ္တယ္ %(police)s"})  # Zawgyi
    write(tmp_path, "th", {"Call %(police)s": "โทร %(polis)s"})  # placeholder typo
    write(tmp_path, "km", {"Call %(police)s": "ហៅ ១៩១ %(police)s"})  # Khmer digits
    write(tmp_path, "lo", {"Call %(police)s": ""})  # untranslated
    write(tmp_path, "en", {"Call %(police)s": "x" * 5000})  # too long for Telegram
    problems = "\n".join(check(tmp_path, LOCALES, used_msgids()))
    assert "my: Zawgyi" in problems
    assert "th: placeholders differ" in problems
    assert "km: digits must be ASCII" in problems
    assert "lo: untranslated" in problems
    assert "en: longer than 4096" in problems
    assert "en: missing message \"Sorry, I can't answer" in problems  # used by the bot


def test_dated_facts_fill_placeholders_and_must_carry_a_source(tmp_path: Path) -> None:
    write(tmp_path, "en", {"Minimum: %(min_wage_range)s": "Minimum: %(min_wage_range)s"})
    (tmp_path / "facts.yml").write_text(
        "min_wage_range: {value: '337-400', source: 'x', checked: '2026-03-01'}\n"
    )
    catalogs = content.load(tmp_path).catalogs
    assert catalogs.render(BotReply("Minimum: %(min_wage_range)s"), "en") == "Minimum: 337-400"
    (tmp_path / "facts.yml").write_text("min_wage_range: {value: '337-400'}\n")
    with pytest.raises(ValueError, match="lacks checked, source"):
        content.load(tmp_path)
