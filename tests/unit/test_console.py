"""The staff console's parts without a browser: one-time links and sessions, the Messages
page's flags (the same checks as `make texts-check`), and pages that escape content."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

from babel.messages.pofile import read_po, write_po

from bot.campaign import report
from bot.campaign.figures import last_complete
from bot.console.access import LINK_TTL, SESSION_TTL, Access
from bot.console.catalog import Usage, messages, usage
from bot.console.html import page, table
from bot.console.pages import messages_page
from bot.console.report import report_file, report_kind, report_section
from bot.console.trybot import TEST_PREFIX, is_test_person
from bot.core import content
from bot.core import messages as msgids
from bot.core.answers import AnswerBook
from bot.core.identity import pseudonym
from bot.core.state import LocalState
from bot.i18n.check import used_msgids
from bot.settings import LOCALES_DIR

KEY = b"3f9a" * 16


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def access() -> tuple[Access, Clock]:
    clock = Clock()
    return Access(LocalState(clock=clock), KEY, clock=clock), clock


async def test_a_link_opens_one_session_once() -> None:
    gate, _clock = access()
    token = await gate.issue()
    first = await gate.redeem(token)
    assert first is not None
    assert await gate.redeem(token) is None
    assert await gate.redeem("made-up") is None
    assert await gate.session(gate.cookie(first)) == first


async def test_a_link_expires_after_ten_minutes() -> None:
    gate, clock = access()
    token = await gate.issue()
    clock.now += LINK_TTL + 1
    assert await gate.redeem(token) is None


async def test_sessions_expire_end_at_logout_and_refuse_forged_cookies() -> None:
    gate, clock = access()
    session = await gate.redeem(await gate.issue())
    assert session is not None
    cookie = gate.cookie(session)
    sid, _, signature = cookie.partition(".")
    assert await gate.session(f"{sid}.{'0' * len(signature)}") is None
    assert await gate.session(sid) is None and await gate.session(None) is None
    other = Access(gate.state, b"7c1e" * 16)  # another key cannot vouch for it
    assert await other.session(cookie) is None
    await gate.end(session)
    assert await gate.session(cookie) is None
    later = await gate.redeem(await gate.issue())
    assert later is not None
    clock.now += SESSION_TTL + 1
    assert await gate.session(gate.cookie(later)) is None


def test_test_persons_cannot_be_real_people() -> None:
    assert is_test_person(TEST_PREFIX + "ab" * 16)
    assert not is_test_person(pseudonym(KEY, 12345))


def break_thai(folder: Path) -> dict[str, str]:
    """A copy of the catalogs with one problem of each kind in Thai."""
    path = folder / "th" / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        catalog = read_po(handle)
    broken = {
        "fuzzy": msgids.RELOAD_OK,
        "placeholder mismatch": msgids.PREVIEW_USAGE,
        "missing": msgids.QUIZ_REPORT,
        "over 4096 characters": msgids.DIRECTORY_STATUS,
        "alarming first line": msgids.CONSOLE_LINK,
    }
    catalog[broken["fuzzy"]].flags.add("fuzzy")
    catalog[broken["placeholder mismatch"]].string = "ดูตัวอย่าง %(topic)s"
    catalog[broken["missing"]].string = ""
    catalog[broken["over 4096 characters"]].string = "ก" * 4100 + " %(now)s %(lines)s"
    catalog[broken["alarming first line"]].string = "ตำรวจ %(link)s"
    with path.open("wb") as handle:
        write_po(handle, catalog)
    return broken


def test_messages_flag_what_texts_check_refuses(tmp_path: Path) -> None:
    folder = tmp_path / "locales"
    shutil.copytree(LOCALES_DIR, folder)
    broken = break_thai(folder)
    loaded = content.load(folder)
    used = used_msgids()
    found = {m.msgid: m for m in messages(folder, loaded.catalogs, used, no_usage())}
    for flag, msgid in broken.items():
        thai = next(t for t in found[msgid].translations if t.locale == "th")
        assert any(f.startswith(flag) for f in thai.flags), (flag, thai.flags)
        assert flag in found[msgid].flags
    english = next(t for t in found[msgids.RELOAD_OK].translations if t.locale == "en")
    assert english.flags == ()
    problems = content.problems(folder)  # texts-check agrees on each
    assert any("fuzzy" in p for p in problems) and any(
        "placeholders differ" in p for p in problems
    )


def no_usage() -> Usage:
    return usage(AnswerBook.empty(), None)


def test_messages_render_numbers_buttons_and_unused_entries() -> None:
    loaded = content.load(LOCALES_DIR)
    book = AnswerBook.load(LOCALES_DIR / "answers.yml")
    found = messages(LOCALES_DIR, loaded.catalogs, {"only this"}, usage(book, None))
    bubble = next(b for b in book.previews()["ask_documents"] if b.buttons)
    entry = next(m for m in found if m.msgid == bubble.msgid)
    for translation in entry.translations:
        assert "%(" not in translation.rendered and "1-800-010-180" in translation.rendered
        assert len(translation.buttons) == len(bubble.buttons)
    assert "answer ask_documents" in entry.used_in
    assert "unused" in entry.flags  # not in the given set of used ids
    assert entry.matches(entry.translations[2].text[:8])  # search in Burmese
    assert not entry.matches("no such words anywhere")


def test_pages_escape_what_they_show() -> None:
    shown = page("t", table(["a"], [["<b>x</b>"]]), csrf='"><script>')
    assert '"><script>' not in shown
    loaded = content.load(LOCALES_DIR)
    found = messages(LOCALES_DIR, loaded.catalogs, set(), usage(AnswerBook.empty(), None))
    html = messages_page(found, LOCALES_DIR, "tok", "<script>", "", 1)
    assert "<script>" not in html.replace('<script src="/static/console.js" defer>', "")


def test_the_campaign_report_section_shows_tables_charts_and_downloads() -> None:
    built = report.build([], last_complete("week", date(2026, 12, 7)))
    section = report_section(built, "week")
    assert section.count('<img src="data:image/png;base64,') == 5
    assert "<table" in section and "/figures/report/reach.csv?report=week" in section
    assert report_file(built, "reach.csv") is not None
    assert report_file(built, "../../etc/passwd") is None  # only the report's own files
    assert report_kind("year") == "week"  # fixed periods only, no free-form filters
