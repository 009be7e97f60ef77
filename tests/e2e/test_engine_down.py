"""The real bot against the sandbox Bot API server, with the engine unreachable.

Whatever the engine's state, a person gets a kind answer in their language, and any
answer given without the engine carries the emergency numbers (191, 1669).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot.core.types import LOCALES
from bot.sandbox.client import SandboxClient
from bot.settings import PROJECT_DIR
from tests.e2e.conftest import TOKEN
from tests.e2e.scripts import SAMPLES, script_of

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("locale", LOCALES)
def test_engine_down_still_gives_emergency_numbers_in_the_users_language(
    sandbox: SandboxClient, bot_without_engine: Path, locale: str
) -> None:
    user = 1000 + LOCALES.index(locale)
    reply, *_ = sandbox.ask(user, SAMPLES[locale])
    assert "191" in reply["text"] and "1669" in reply["text"]
    assert script_of(reply["text"]) == locale


def test_start_uses_telegram_language_code_first(
    sandbox: SandboxClient, bot_without_engine: Path
) -> None:
    reply, *_ = sandbox.ask(1100, "/start", language_code="km")
    assert script_of(reply["text"]) == "km"
    assert "191" in reply["text"]


def test_commands_are_registered_in_every_language(
    sandbox: SandboxClient, bot_without_engine: Path
) -> None:
    calls = sandbox.calls("setMyCommands")
    by_language = {c["params"].get("language_code", ""): c["params"]["commands"] for c in calls}
    assert set(by_language) >= {"", *LOCALES}
    for locale in LOCALES:
        names = [c["command"] for c in by_language[locale]]
        assert names == [
            "start", "help", "language", "quiz", "privacy", "hide", "forget", "subscribe", "stop"
        ]  # fmt: skip
        assert script_of(by_language[locale][3]["description"]) == locale
        assert script_of(by_language[locale][0]["description"]) == locale


@pytest.mark.parametrize("kind", ["voice", "photo", "sticker", "document", "location", "contact"])
def test_non_text_messages_get_a_kind_answer(
    sandbox: SandboxClient, bot_without_engine: Path, kind: str
) -> None:
    sent = sandbox.send(1300, kind=kind, language_code="lo")
    reply, *_ = sandbox.replies(1300, sent["message_id"])
    assert script_of(reply["text"]) == "lo"
    assert "191" not in reply["text"]  # a kind answer, not the engine floor


def test_photo_caption_is_read_as_text(sandbox: SandboxClient, bot_without_engine: Path) -> None:
    sent = sandbox.send(1301, kind="photo", caption="is this contract ok?", language_code="en")
    replies = sandbox.replies(1301, sent["message_id"], count=3)
    assert len(replies) == 3
    assert "191" in replies[0]["text"]  # the caption went to the (dead) engine: the floor
    assert "pictures" in replies[-1]["text"]  # and only then: the photo itself was not seen


def test_language_picker_switches_and_remembers(
    sandbox: SandboxClient, bot_without_engine: Path
) -> None:
    [picker] = sandbox.ask(1400, "/language", language_code="en")
    buttons = [b for row in picker["reply_markup"]["inline_keyboard"] for b in row]
    assert [b["text"] for b in buttons] == ["English", "ไทย", "မြန်မာ", "ខ្មែរ", "ລາວ"]
    burmese = next(b for b in buttons if b["text"] == "မြန်မာ")
    sandbox.press(1400, picker["message_id"], burmese["callback_data"])
    [confirm] = sandbox.replies(1400, picker["message_id"])
    assert script_of(confirm["text"]) == "my"
    later, *_ = sandbox.ask(1400, "/help", language_code="en")
    assert script_of(later["text"]) == "my"


def test_zawgyi_burmese_is_understood_as_burmese(
    sandbox: SandboxClient, bot_without_engine: Path
) -> None:
    reply, *_ = sandbox.ask(1500, "ကၽြန္ေတာ့္ကို ကူညီပါ", language_code="en")
    assert script_of(reply["text"]) == "my"


@pytest.mark.parametrize("data", ["", "/drop_tables", "lang:zz", "x" * 64, '/greet{"a":1}'])
def test_forged_button_data_gets_the_menu(
    sandbox: SandboxClient, bot_without_engine: Path, data: str
) -> None:
    [prompt] = sandbox.ask(1600, "/language")
    sandbox.press(1600, prompt["message_id"], data)
    reply, *_ = sandbox.replies(1600, prompt["message_id"])
    buttons = [b for row in reply["reply_markup"]["inline_keyboard"] for b in row]
    assert buttons[0]["callback_data"] == "/ask_menu"


def test_long_message_is_answered(sandbox: SandboxClient, bot_without_engine: Path) -> None:
    reply, *_ = sandbox.ask(1700, "ช่วยด้วย " * 440)  # about 4,000 characters
    assert "191" in reply["text"]


def test_groups_get_an_invitation_and_chatter_is_ignored(
    sandbox: SandboxClient, bot_without_engine: Path
) -> None:
    group = {"id": -100500, "type": "supergroup", "title": "Workers"}
    chatter = sandbox.send(1800, "anyone going to the market?", chat=group)
    command = sandbox.send(1800, "/start", chat=group, language_code="th")
    replies = sandbox.replies(-100500, chatter["message_id"], count=2, wait=3)
    assert len(replies) == 1
    assert replies[0]["message_id"] > command["message_id"]
    assert script_of(replies[0]["text"]) == "th"


def test_edits_channel_posts_and_stale_buttons_do_not_break_the_bot(
    sandbox: SandboxClient, bot_without_engine: Path
) -> None:
    old = sandbox.send(1900, "hello there")
    sandbox.update({"edited_message": {**old, "text": "edited", "edit_date": old["date"] + 5}})
    channel = {"id": -100900, "type": "channel", "title": "News"}
    sandbox.update(
        {"channel_post": {"message_id": 1, "date": old["date"], "chat": channel, "text": "news"}}
    )
    sandbox.update(
        {
            "callback_query": {
                "id": "q1",
                "chat_instance": "c",
                "from": {"id": 1900, "is_bot": False, "first_name": "A"},
                "data": "/greet",
            }
        }
    )
    reply, *_ = sandbox.ask(1900, "still there?")
    assert "191" in reply["text"]


def test_logs_hold_neither_token_nor_ids_nor_text(
    sandbox: SandboxClient, bot_without_engine: Path
) -> None:
    sandbox.ask(424299, "my secret marker sentence")
    log = bot_without_engine.read_text()
    assert TOKEN not in log and TOKEN.split(":")[1] not in log
    assert "424299" not in log
    assert "marker sentence" not in log


def test_missing_token_fails_with_one_clear_line() -> None:
    env = {"PATH": "/usr/bin:/bin", "HOME": "/tmp"}
    result = subprocess.run(
        [sys.executable, "-m", "bot"], cwd=PROJECT_DIR, env=env, capture_output=True, text=True
    )
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert "TELEGRAM_BOT_TOKEN" in result.stderr
