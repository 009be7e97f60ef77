"""Withdrawing a number: the content still passes its checks, every message falls back to the
next verified line, and no placeholder is ever shown, at start-up or after a reload."""

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from bot.core import content, messages
from bot.core.risk import RiskAnswers
from bot.core.types import LOCALES, BotReply, Line, Profile
from bot.i18n import PLACEHOLDER, Catalogs
from bot.i18n.check import used_msgids
from bot.settings import LOCALES_DIR

EVERY_PLACE = [Profile(where) for where in ("TH", "MM", "KH", "LA", "other", None)]


@pytest.fixture
def locales(tmp_path: Path) -> Path:
    """A copy of the project's content that a test edits, as staff would."""
    folder = tmp_path / "locales"
    shutil.copytree(LOCALES_DIR, folder)
    return folder


def edit_directory(folder: Path, change: Callable[[dict], None]) -> None:
    path = folder / "hotlines.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def withdraw(*keys: str) -> Callable[[dict], None]:
    def change(data: dict) -> None:
        for line in data["lines"]:
            if line["key"] in keys:
                line.pop("verified")

    return change


def every_message(catalogs: Catalogs) -> list[tuple[str, str]]:
    """Every message with a content placeholder, rendered in every language."""
    ids = [m for m in used_msgids() if set(PLACEHOLDER.findall(m)) - content.RUNTIME_PARAMS]
    assert len(ids) > 20
    return [(m, catalogs.render(BotReply(m), locale)) for m in ids for locale in LOCALES]


def floor_texts(loaded: content.Content) -> list[str]:
    """The safety floor (engine down) for every language and place."""
    risk = RiskAnswers(loaded.directory)
    return [
        loaded.catalogs.render(reply, locale)
        for locale in LOCALES
        for profile in EVERY_PLACE
        for reply in risk.floor(locale, profile)
    ]


def test_every_message_renders_without_a_placeholder(locales: Path) -> None:
    for _msgid, text in every_message(content.load(locales).catalogs):
        assert "%(" not in text


def test_withdrawing_191_passes_the_checks_and_everything_falls_back(locales: Path) -> None:
    edit_directory(locales, withdraw("police"))
    assert content.problems(locales) == []  # a /reload is accepted
    loaded = content.load(locales)
    for msgid, text in every_message(loaded.catalogs):
        assert "%(" not in text and "191" not in text, (msgid, text)
    # "call the police" now names the stand-in: 1155, the tourist police, in English
    floor = loaded.catalogs.render(BotReply(messages.ENGINE_DOWN), "en")
    assert "call the police: 1155 (👮 Tourist Police, in English (Thailand))" in floor
    warned = "\n".join(content.warnings(locales))
    assert "%(police)s: withdrawn, shows tourist_police (1155)" in warned
    # the floor's emergency route without 191: medical 1669 and the 24-hour 1300
    for text in floor_texts(loaded):
        assert "%(" not in text and "191" not in text


def test_deleting_a_line_from_the_file_works_like_withdrawing_it(locales: Path) -> None:
    def delete(data: dict) -> None:
        data["lines"] = [line for line in data["lines"] if line["key"] != "issara_my"]

    edit_directory(locales, delete)
    assert content.problems(locales) == []
    catalogs = content.load(locales).catalogs
    for _msgid, text in every_message(catalogs):
        assert "1-800-010-180" not in text and "%(" not in text
    assert "is not a line" in "\n".join(content.warnings(locales))  # tidy the placeholder up


def test_a_line_with_no_stand_in_says_there_is_no_checked_number(locales: Path) -> None:
    edit_directory(locales, withdraw("la_women"))
    assert content.problems(locales) == []
    catalogs = content.load(locales).catalogs
    text = catalogs.render(BotReply(messages.OPTIONS_LAOS), "lo")
    assert "1362" not in text and "ຍັງບໍ່ມີເບີທີ່ກວດສອບແລ້ວ" in text  # "no checked number yet"


def test_the_floor_on_a_routed_answer_in_thailand_without_191(locales: Path) -> None:
    edit_directory(locales, withdraw("police"))
    loaded = content.load(locales)
    sorry, _list = RiskAnswers(loaded.directory).floor("my", Profile(where="TH"))
    numbers = [line.numbers for line in sorry.lines if isinstance(line, Line)]
    assert numbers[:2] == ["1669", "1300"] and "191" not in numbers
    assert "1-800-010-180" in numbers  # and a line in Burmese


def test_withdrawing_every_24_hour_emergency_line_is_refused(locales: Path) -> None:
    edit_directory(locales, withdraw("police", "medical", "msdhs"))
    assert content.FLOOR_NEEDS in content.problems(locales)  # /reload keeps the old content
    started = content.start(locales)  # a bot starting with it: the built-in numbers
    assert started.directory is None
    assert "191" in started.catalogs.render(BotReply(messages.ENGINE_DOWN), "th")


def test_start_up_with_a_broken_directory_uses_the_built_in_numbers(locales: Path) -> None:
    (locales / "hotlines.yml").write_text("lines: [\n", encoding="utf-8")
    assert any(p.startswith("content:") for p in content.problems(locales))
    started = content.start(locales)
    assert started.directory is None
    for _msgid, text in every_message(started.catalogs):
        assert "%(" not in text
    assert "191" in started.catalogs.render(BotReply(messages.ENGINE_DOWN), "km")


def test_a_placeholder_that_nothing_fills_is_refused(locales: Path) -> None:
    edit_directory(locales, lambda data: data["placeholders"].pop("la_women"))
    edit_directory(locales, lambda data: data["lines"].pop())  # la_women is the last line
    assert any("%(la_women)s" in p for p in content.problems(locales))
