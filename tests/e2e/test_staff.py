"""Staff change a translation and see it live, without a restart; broken content is refused."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from babel.messages.pofile import read_po, write_po

from bot.core import messages
from bot.sandbox.client import SandboxClient, start, stop, wait_until
from bot.settings import LOCALES_DIR
from tests.e2e.conftest import bot_env
from tests.e2e.scripts import script_of

pytestmark = pytest.mark.e2e
STAFF, USER = 9000, 9100


@pytest.fixture(scope="module")
def content(sandbox: SandboxClient, logs: Path) -> Iterator[Path]:
    """A bot reading its content from a copy that the tests edit; STAFF is staff."""
    folder = logs / "locales"
    shutil.copytree(LOCALES_DIR, folder)
    env = bot_env(sandbox, logs, LOCALES_DIR=str(folder), STAFF_IDS=str(STAFF))
    process = start("bot", [], env, logs / "staff-bot.log")
    wait_until(sandbox.bot_polling, 60, "the bot's first getUpdates")
    yield folder
    stop(process)


def edit_thai(folder: Path, msgid: str, change: str) -> None:
    path = folder / "th" / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        catalog = read_po(handle)
    catalog[msgid].string = change.replace("{old}", str(catalog[msgid].string))
    with path.open("wb") as handle:
        write_po(handle, catalog)


def floor_text(sandbox: SandboxClient) -> str:
    replies = sandbox.ask(USER, "สวัสดีครับ", count=2, language_code="th")  # the floor: 2
    return str(replies[0]["text"])


def test_a_corrected_translation_is_live_after_reload(
    sandbox: SandboxClient, content: Path
) -> None:
    before = floor_text(sandbox)
    edit_thai(content, messages.ROUTED_ENGINE_DOWN, "{old} (ฉบับแก้ไข)")
    assert floor_text(sandbox) == before  # nothing changes until a reload
    sandbox.ask(USER, "/reload", count=2, language_code="th")  # not staff: just the help
    assert floor_text(sandbox) == before
    [done] = sandbox.ask(STAFF, "/reload", language_code="en")
    assert done["text"].startswith("Content reloaded"), done["text"]
    assert floor_text(sandbox) == before + " (ฉบับแก้ไข)"


def test_broken_content_is_refused_and_the_old_stays_live(
    sandbox: SandboxClient, content: Path
) -> None:
    live = floor_text(sandbox)
    edit_thai(content, messages.ROUTED_ENGINE_DOWN, "โทร %(polise)s")
    [refused] = sandbox.ask(STAFF, "/reload", language_code="en")
    assert refused["text"].startswith("Reload refused")
    assert "placeholders differ" in refused["text"]
    assert floor_text(sandbox) == live


def test_staff_preview_a_topic_in_any_language(sandbox: SandboxClient, content: Path) -> None:
    bubbles = sandbox.ask(STAFF, "/preview ask_documents my", count=3)
    assert len(bubbles) == 3
    assert all(script_of(b["text"]) == "my" for b in bubbles)
    [usage] = sandbox.ask(STAFF, "/preview nonsense")
    assert "ask_documents" in usage["text"]


def test_staff_see_directory_status(sandbox: SandboxClient, content: Path) -> None:
    [status] = sandbox.ask(STAFF, "/directory", language_code="en")
    assert "Police emergency (Royal Thai Police): 191" in status["text"]
    assert "⚠️" in status["text"]  # nothing in the directory has been phoned in 90 days
    replies = sandbox.ask(USER, "/directory", count=2, language_code="th")
    assert "Royal Thai Police" not in replies[0]["text"]  # not staff: only the usual help


def test_staff_preview_sector_tips_and_quiz_in_any_language(
    sandbox: SandboxClient, content: Path
) -> None:
    tips = sandbox.ask(STAFF, "/preview tips_fishing km", count=4)  # the story and 3 tips
    assert all(script_of(b["text"]) == "km" for b in tips)
    quiz = sandbox.ask(STAFF, "/preview quiz_online lo", count=8)  # 4 questions, explained
    assert all(script_of(b["text"]) == "lo" for b in quiz)
    assert [b["callback_data"] for b in quiz[0]["reply_markup"]["inline_keyboard"][0]] == [
        "quiz:online:highpay:0"
    ]
    [usage] = sandbox.ask(STAFF, "/preview nonsense")
    assert "tips_farm" in usage["text"] and "quiz_domestic" in usage["text"]


def test_staff_quiz_report_only_for_staff(sandbox: SandboxClient, content: Path) -> None:
    [report] = sandbox.ask(STAFF, "/quizreport", language_code="en")
    assert report["text"].startswith("Quiz: share of right answers")
    replies = sandbox.ask(USER, "/quizreport", count=2, language_code="th")
    assert "share of right answers" not in replies[0]["text"]


def test_a_broken_quiz_file_is_refused_and_the_quizzes_stay_live(
    sandbox: SandboxClient, content: Path
) -> None:
    po = Path("th") / "LC_MESSAGES" / "messages.po"
    shutil.copy(LOCALES_DIR / po, content / po)  # undo the earlier test's broken catalog
    quiz = content / "quiz.yml"
    good = quiz.read_text(encoding="utf-8")
    quiz.write_text(good.replace("sectors:", "sectors: [", 1), encoding="utf-8")
    [refused] = sandbox.ask(STAFF, "/reload", language_code="en")
    assert refused["text"].startswith("Reload refused") and "quiz.yml" in refused["text"]
    [picker] = sandbox.ask(USER, "/quiz", language_code="th")
    assert len(picker.get("reply_markup", {}).get("inline_keyboard", [])) >= 3  # sectors
    quiz.write_text(good, encoding="utf-8")
    [done] = sandbox.ask(STAFF, "/reload", language_code="en")
    assert done["text"].startswith("Content reloaded"), done["text"]


def test_an_answer_staff_edit_is_live_after_reload_and_a_broken_one_is_refused(
    sandbox: SandboxClient, content: Path
) -> None:
    """locales/answers.yml: what the engine's answers say, changed without retraining."""
    path = content / "answers.yml"
    good = path.read_text(encoding="utf-8")
    data = yaml.safe_load(good)
    bubbles = data["answers"]["ask_documents"]["bubbles"]
    bubbles.insert(0, bubbles.pop())  # the bubble with the next step goes first
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    [done] = sandbox.ask(STAFF, "/reload", language_code="en")
    assert done["text"].startswith("Content reloaded"), done["text"]
    first = sandbox.ask(STAFF, "/preview ask_documents th", count=3)[0]
    assert "1694" in first["text"] and script_of(first["text"]) == "th"
    path.write_text(good.replace("composed: languages", "composed: poem"), encoding="utf-8")
    [refused] = sandbox.ask(STAFF, "/reload", language_code="en")
    assert refused["text"].startswith("Reload refused") and "answers.yml" in refused["text"]
    first = sandbox.ask(STAFF, "/preview ask_documents th", count=3)[0]
    assert "1694" in first["text"]  # the last good content stays live
    path.write_text(good, encoding="utf-8")
