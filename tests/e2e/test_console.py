"""The staff console in a real browser (Debian's Chromium driven by Playwright): a staff
member logs in through the one-time link /console sends, reads every page, finds a message
in each language, reloads content, and chats with the bot as a test person, on a desktop
and on a phone-sized screen; the four Southeast Asian scripts render (no tofu).

Screenshots go to data/screenshots/console/ (CONSOLE_SCREENSHOTS overrides it)."""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from babel.messages.pofile import read_po, write_po

from bot.core.answers import AnswerBook
from bot.core.types import LOCALES
from bot.i18n import read_catalog
from bot.sandbox.client import SandboxClient, free_port, start, stop, wait_until
from bot.settings import DATA_DIR, LOCALES_DIR
from tests.e2e.conftest import bot_env
from tests.e2e.scripts import script_of

playwright_api = pytest.importorskip("playwright.sync_api")
pytestmark = pytest.mark.e2e
STAFF, USER = 9000, 9100
CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
SHOTS = Path(os.environ.get("CONSOLE_SCREENSHOTS", DATA_DIR / "screenshots" / "console"))
ROUTES = [
    ("GET", "/"), ("GET", "/messages"), ("GET", "/messages?q=police"), ("POST", "/reload"),
    ("GET", "/directory"), ("GET", "/figures"), ("GET", "/figures.csv"), ("GET", "/try"),
    ("POST", "/try/new"), ("POST", "/try/say"), ("POST", "/try/press"), ("POST", "/logout"),
    ("GET", "/static/console.css"), ("GET", "/static/console.js"),
]  # fmt: skip
SCRIPTS = {"th": "กขคงจฉชซญฎ", "my": "ကခဂဃငစဆဇဈည", "km": "កខគឃងចឆជឈញ", "lo": "ກຂຄງຈຊຍດຕຖ"}
FONT_FAMILY = {"th": "Thai", "my": "Myanmar", "km": "Khmer", "lo": "Lao"}


@dataclass
class ConsoleRun:
    url: str
    locales: Path
    database: Path


@pytest.fixture(scope="module")
def console(sandbox: SandboxClient, logs: Path) -> Iterator[ConsoleRun]:
    """The real bot (engine down) with a console, reading content from a copy we edit."""
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (.ci/run installs it)")
    folder = logs / "console-locales"
    shutil.copytree(LOCALES_DIR, folder)
    port = free_port()
    env = bot_env(sandbox, logs, STAFF_IDS=str(STAFF), CONSOLE_PORT=str(port),
                  LOCALES_DIR=str(folder))  # fmt: skip
    process = start("bot", [], env, logs / "console-bot.log")
    wait_until(sandbox.bot_polling, 60, "the bot's first getUpdates")
    yield ConsoleRun(f"http://127.0.0.1:{port}", folder, logs / "bot.sqlite3")
    stop(process)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless Chromium from Debian (Playwright gives each launch a new, empty profile
    directory and removes it after); one context per test."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    with playwright_api.sync_playwright() as driver:
        launched = driver.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield launched
        launched.close()


def console_link(sandbox: SandboxClient) -> str:
    [reply] = sandbox.ask(STAFF, "/console")
    found = re.search(r"https?://\S+/login/\S+", reply["text"])
    assert found, reply["text"]
    return found[0]


def signed_in(browser: Any, sandbox: SandboxClient, **options: Any) -> Any:
    """A new browser page, logged in through a fresh one-time link."""
    page = browser.new_context(**options).new_page()
    page.goto(console_link(sandbox))
    page.get_by_role("button", name="Open the staff console").click()
    page.wait_for_url(re.compile(r"/messages$"))
    return page


def test_nothing_is_reachable_without_a_session(console: ConsoleRun) -> None:
    forged = {"console_session": "abc.def"}
    for cookies in ({}, forged):
        for method, path in ROUTES:
            answer = httpx.request(method, console.url + path, cookies=cookies,
                                   data={"csrf": "x"}, follow_redirects=False)  # fmt: skip
            assert answer.status_code == 401, (method, path, answer.status_code)
            assert "Send <code>/console</code>" in answer.text
            assert "msgid" not in answer.text and "Bangkok" not in answer.text


def test_only_staff_get_a_link_and_it_works_once(
    console: ConsoleRun, sandbox: SandboxClient
) -> None:
    replies = sandbox.ask(USER, "/console", count=1)
    assert all("/login/" not in r["text"] for r in replies)
    link = console_link(sandbox)
    token = link.rsplit("/", 1)[1]
    with httpx.Client(base_url=console.url) as first:
        assert "Open the staff console" in first.get(f"/login/{token}").text  # no use yet
        opened = first.post("/login", data={"token": token})
        assert opened.status_code == 303 and "console_session" in opened.cookies
        assert first.get("/directory").status_code == 200
    with httpx.Client(base_url=console.url) as second:
        assert second.post("/login", data={"token": token}).status_code == 403
        assert second.get("/messages").status_code == 401
    assert console.url.startswith("http://127.0.0.1:")  # listens on loopback by default


def known_messages(locales: Path) -> dict[str, tuple[str, str]]:
    """Per language: a bubble of the documents answer (it carries buttons), and words
    of its translation to search for."""
    book = AnswerBook.load(locales / "answers.yml")
    bubble = next(b for b in book.previews()["ask_documents"] if b.buttons)
    found = {}
    for locale in LOCALES:
        text = read_catalog(locales / locale / "LC_MESSAGES" / "messages.po")[bubble.msgid]
        words = re.sub(r"%\(\w+\)s", " ", text.split("\n")[-1]).split()
        found[locale] = (bubble.msgid, " ".join(words[:3]) if locale == "en" else words[0])
    return found


def test_messages_found_in_each_language_with_values_and_buttons(
    console: ConsoleRun, sandbox: SandboxClient, browser: Any
) -> None:
    page = signed_in(browser, sandbox, viewport={"width": 1400, "height": 1000})
    for locale, (msgid, words) in known_messages(console.locales).items():
        page.get_by_label("Search").fill(words)
        page.get_by_role("button", name="Search").click()
        card = page.locator("section.msg", has=page.locator("code.msgid", has_text=msgid[:40]))
        card.first.wait_for()
        column = card.first.locator(f'.lang[data-locale="{locale}"]')
        assert words in column.inner_text()
        bubbles = " ".join(card.first.locator(".bubble").all_inner_texts())
        assert "%(" not in bubbles and "1-800-010-18" in bubbles  # numbers, as the bot sends
        assert column.locator(".button").count() >= 1  # the buttons it carries
        where = "locales/lang/LC_MESSAGES/messages.po (en th my km lo)"
        assert where in card.first.inner_text()  # which file and entry to edit
        page.screenshot(path=SHOTS / f"messages-{locale}.png", full_page=False)
    page.goto(f"{page.url.split('/messages')[0]}/messages?flag=unused")
    assert "of" in page.locator(".summary").inner_text()


def test_the_scripts_render_with_real_glyphs(
    console: ConsoleRun, sandbox: SandboxClient, browser: Any
) -> None:
    page = signed_in(browser, sandbox)
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    for locale, letters in SCRIPTS.items():
        widths = page.evaluate(
            """([letters, tofu]) => {
                const span = (text) => { const s = document.createElement('span');
                    s.textContent = text; s.lang = 'x'; document.body.appendChild(s);
                    const w = s.getBoundingClientRect().width; s.remove(); return w; };
                return {letters: [...letters].map(span), tofu: span(tofu)};
            }""",
            [letters, "\U000e0fff"],
        )
        # tofu is one box for every letter; real glyphs differ from it and among themselves
        assert len({round(w, 1) for w in widths["letters"]}) > 1, (locale, widths)
        assert any(abs(w - widths["tofu"]) > 0.5 for w in widths["letters"]), (locale, widths)
        page.evaluate(
            "([t, l]) => { const p = document.createElement('p'); p.id = 'probe-' + l;"
            " p.textContent = t; document.querySelector('main').appendChild(p); }",
            [letters, locale],
        )
        fonts = platform_fonts(page, cdp, f"#probe-{locale}")
        assert any(FONT_FAMILY[locale] in f["familyName"] for f in fonts), (locale, fonts)


def platform_fonts(page: Any, cdp: Any, selector: str) -> list[dict[str, Any]]:
    """The fonts Chromium drew a node's text with, once it has laid the text out."""
    fonts: list[dict[str, Any]] = []
    for _ in range(50):
        root = cdp.send("DOM.getDocument")["root"]["nodeId"]
        node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})
        fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node["nodeId"]})["fonts"]
        if fonts:
            break
        page.evaluate("() => new Promise((done) => requestAnimationFrame(() => done(0)))")
    return fonts


def test_directory_and_figures(console: ConsoleRun, sandbox: SandboxClient, browser: Any) -> None:
    page = signed_in(browser, sandbox, viewport={"width": 1400, "height": 1000})
    page.get_by_role("link", name="Directory").click()
    text = page.locator("main").inner_text()
    assert "Bangkok time" in text and "191" in text and "1300" in text
    rows = page.locator("table.directory tbody tr")
    stale = [("stale" in rows.nth(i).inner_text()) for i in range(rows.count())]
    assert stale == sorted(stale, reverse=True) and any(stale)  # stale entries first
    assert "open now" in text and "%(police)s" in text
    page.screenshot(path=SHOTS / "directory.png", full_page=False)
    page.get_by_role("link", name="Figures").click()
    text = page.locator("main").inner_text()
    assert "fewer than 5 people" in text and "Campaign report" in text  # #14's report
    charts = page.locator(".charts img")
    assert charts.count() == 5  # reach, funnel, knowledge, referrals, hand-off waits
    assert all(charts.nth(i).evaluate("img => img.naturalWidth > 0") for i in range(5))
    got = page.request.get(f"{console.url}/figures/report/reach.csv?report=month")
    assert got.ok and got.headers["content-type"].startswith("text/csv")
    page.screenshot(path=SHOTS / "figures.png")


def edit_thai(folder: Path, msgid: str, text: str) -> str:
    path = folder / "th" / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        catalog = read_po(handle)
    before = str(catalog[msgid].string)
    catalog[msgid].string = text
    with path.open("wb") as handle:
        write_po(handle, catalog)
    return before


def test_reload_button_refuses_broken_content_then_takes_the_fix(
    console: ConsoleRun, sandbox: SandboxClient, browser: Any
) -> None:
    page = signed_in(browser, sandbox)
    msgid, _words = known_messages(console.locales)["th"]
    before = edit_thai(console.locales, msgid, "โทร %(polise)s")
    page.get_by_role("button", name="Reload content").click()
    alert = page.get_by_role("alert")
    assert "Reload refused" in alert.inner_text()
    assert "placeholders differ" in alert.inner_text()
    edit_thai(console.locales, msgid, before + " (แก้แล้ว)")
    page.get_by_role("button", name="Reload content").click()
    assert "Content reloaded" in page.get_by_role("status").inner_text()
    page.get_by_label("Search").fill("(แก้แล้ว)")
    page.get_by_role("button", name="Search").click()
    assert "(แก้แล้ว)" in page.locator('section.msg .lang[data-locale="th"]').first.inner_text()


def bot_bubbles(page: Any) -> list[str]:
    return [t.strip() for t in page.locator(".bot-says .bubble").all_inner_texts()]


def test_try_the_bot_answers_as_telegram_and_buttons_work(
    console: ConsoleRun, sandbox: SandboxClient, browser: Any
) -> None:
    telegram = [r["text"] for r in sandbox.ask(USER + 1, "/start", count=2, language_code="th")]
    page = signed_in(browser, sandbox)
    page.get_by_role("link", name="Try the bot").click()
    page.get_by_label("Language").select_option("th")
    page.get_by_label("Place").select_option("TH")
    page.get_by_role("button", name="New person").click()
    page.locator(".bot-says").first.wait_for()
    assert bot_bubbles(page)[: len(telegram)] == [t.strip() for t in telegram]
    page.get_by_label("Message").fill("/language")
    page.get_by_role("button", name="Send").click()
    shown = len(bot_bubbles(page))
    page.locator(".bot-says").last.get_by_role("button", name="ລາວ").click()
    page.wait_for_function(f"document.querySelectorAll('.bot-says').length > {shown}")
    assert script_of(bot_bubbles(page)[-1]) == "lo"
    page.screenshot(path=SHOTS / "try-the-bot.png", full_page=True)
    page.get_by_role("button", name="New person").click()
    assert "[ລາວ]" not in page.locator("#chat").inner_text()  # a fresh person
    answer_a_quiz_question(page)
    with sqlite3.connect(console.database) as db:  # the real tables: no test person
        senders = [row[0] for row in db.execute('SELECT pseudonym FROM "user"')]
        answers = db.execute("SELECT count(*) FROM quiz_answer").fetchone()[0]
    assert senders and not any(s.startswith("console-") for s in senders)
    assert answers == 0
    page.get_by_role("link", name="Figures").click()
    assert "No quiz answers yet" in page.locator("main").inner_text()  # never counted


def press_first_button(page: Any) -> None:
    """Press the first button under the newest bubble and wait for the answer."""
    shown = len(bot_bubbles(page))
    page.locator(".bot-says").last.locator(".buttons button").first.click()
    page.wait_for_function(f"document.querySelectorAll('.bot-says').length > {shown}")


def answer_a_quiz_question(page: Any) -> None:
    """/quiz, a sector, then an answer: what a person's quiz figures would count."""
    shown = len(bot_bubbles(page))
    page.get_by_label("Message").fill("/quiz")
    page.get_by_role("button", name="Send").click()
    page.wait_for_function(f"document.querySelectorAll('.bot-says').length > {shown}")
    press_first_button(page)  # a sector
    press_first_button(page)  # an answer to its first question


def test_every_page_fits_a_phone_and_logout_ends_the_session(
    console: ConsoleRun, sandbox: SandboxClient, browser: Any
) -> None:
    page = signed_in(browser, sandbox, viewport={"width": 390, "height": 844},
                     is_mobile=True, has_touch=True)  # fmt: skip
    controls = {
        "/messages": ["Search", "Reload content"],
        "/directory": [],
        "/figures": [],
        "/try": ["New person"],
    }
    base = page.url.split("/messages")[0]
    for path, names in controls.items():
        page.goto(base + path)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, (path, width)
        for name in names:
            box = page.get_by_role("button", name=name).bounding_box()
            assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
        page.screenshot(path=SHOTS / f"phone-{path.strip('/')}.png", full_page=False)
    page.get_by_role("button", name="Log out").click()
    page.goto(base + "/messages")
    assert "Send /console" in page.locator("main").inner_text()
