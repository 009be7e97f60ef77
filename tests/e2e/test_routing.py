"""Risk routing through the sandbox with the real engine (issue #5): the lines a user
sees depend on tier, language, place and age; the place is asked only after tier-1
numbers; the optional short check can be skipped and stopped."""

from __future__ import annotations

import json
import sqlite3

import pytest

from bot.core.identity import pseudonym
from bot.core.types import LOCALES
from bot.sandbox.client import STACK_KEY, wait_until
from tests.e2e.conftest import StackRun
from tests.e2e.scripts import script_of

pytestmark = pytest.mark.e2e

DANGER = {
    "th": "ช่วยด้วย นายจ้างขังพวกเราไว้ในโรงงาน ออกไปไหนไม่ได้",
    "my": "ကယ်ပါ အလုပ်ရှင်က ကျွန်တော်တို့ကို အခန်းထဲမှာ ပိတ်ထားတယ်",
    "km": "ជួយខ្ញុំផង ថៅកែចាក់សោរខ្ញុំនៅក្នុងបន្ទប់",
    "lo": "ຊ່ວຍແດ່ ນາຍຈ້າງຂັງພວກເຮົາໄວ້ໃນຫ້ອງ",
    "en": "help me now, the boss locked us in the room",
}
WHERE = ["where:TH", "where:MM", "where:KH", "where:LA", "where:other"]


def buttons(message: dict) -> list[str]:
    rows = message.get("reply_markup", {}).get("inline_keyboard", [])
    return [b["callback_data"] for row in rows for b in row]


def tier(stack: StackRun, user: int) -> float:
    """The conversation's tier as a hand-off reads it: the bot's own record, stored in the
    user table just after the reply (bot/core/tierbook.py)."""
    with sqlite3.connect(stack.log.parent / "bot.sqlite3") as db:
        row = db.execute(
            "select conversation_tier from user where pseudonym = ?",
            (pseudonym(STACK_KEY.encode(), user),),
        ).fetchone()
    return float(json.loads(row[0])["tier"]) if row and row[0] else 4.0


def language(stack: StackRun, user: int) -> str | None:
    """The language the bot stored for a user, once their turn is recorded."""
    with sqlite3.connect(stack.log.parent / "bot.sqlite3") as db:
        row = db.execute(
            "select locale from user where pseudonym = ?",
            (pseudonym(STACK_KEY.encode(), user),),
        ).fetchone()
    return str(row[0]) if row else None


@pytest.mark.parametrize("locale", LOCALES)
def test_tier1_numbers_first_in_each_language_then_where_the_user_is(
    stack: StackRun, locale: str
) -> None:
    sandbox, user = stack.sandbox, 7000 + LOCALES.index(locale)
    replies = sandbox.ask(user, DANGER[locale], count=3)
    first = replies[0]["text"]
    assert "191" in first and "1669" in first and script_of(first) == locale
    assert "handoff" in buttons(replies[1])
    asked = [i for i, r in enumerate(replies) if buttons(r) == WHERE]
    assert asked and asked[0] > 0  # never before the numbers


def test_saying_cambodia_after_tier1_gives_117(stack: StackRun) -> None:
    sandbox = stack.sandbox
    replies = sandbox.ask(7100, DANGER["km"], count=3)
    where = next(r for r in replies if buttons(r) == WHERE)
    sandbox.press(7100, where["message_id"], "where:KH")
    again = sandbox.replies(7100, where["message_id"], count=2)
    assert "117" in again[0]["text"] and "191" not in again[0]["text"]
    assert script_of(again[0]["text"]) == "km"
    # remembered: the next danger message goes straight to Cambodia's numbers, unasked
    replies = sandbox.ask(7100, DANGER["km"], count=2)
    assert "117" in replies[0]["text"]
    assert all(buttons(r) != WHERE for r in replies)


def test_tier3_then_a_coercion_sign_escalates_to_tier2_advice(stack: StackRun) -> None:
    sandbox = stack.sandbox
    wages = sandbox.ask(7200, "my boss has not paid my salary for two months", count=2)
    assert "1546" in wages[0]["text"]
    assert any("check:start" in buttons(r) for r in wages)  # the short check is offered
    wait_until(lambda: tier(stack, 7200) == 3.0, 10, "tier 3 kept")
    replies = sandbox.ask(7200, "and the boss keeps my passport, he will not give it back")
    advice = replies[0]["text"]
    assert "1300" in advice and "1-800-010-18" in advice
    assert "handoff" in buttons(replies[0])
    wait_until(lambda: tier(stack, 7200) == 2.0, 10, "tier 2 kept")


def test_a_child_gets_child_lines_in_their_language(stack: StackRun) -> None:
    sandbox = stack.sandbox
    [noted, *_] = sandbox.ask(7300, "ผมอายุ 15 ปีครับ")
    assert "1387" in noted["text"] and script_of(noted["text"]) == "th"
    replies = sandbox.ask(7300, "นายจ้างยึดพาสปอร์ตของผมไว้ ไม่ยอมคืน")
    text = replies[0]["text"]
    assert text.index("1387") < text.index("1300")  # the child line first
    assert script_of(text) == "th"


def test_an_adult_saying_their_age_gets_the_everyday_answer(stack: StackRun) -> None:
    """The classifier reads any age as a child's; an adult gets a friendly word, no lines."""
    [answer] = stack.sandbox.ask(7350, "ผมอายุ 41 ปีครับ")
    assert answer["text"].startswith("ขอบคุณที่เล่าให้ฟังนะคะ")  # answers.yml: small_talk
    assert "1300" not in answer["text"] and "1387" not in answer["text"]
    # the record after the reply holds the language; the tier it holds is "none" (4)
    wait_until(lambda: language(stack, 7350) == "th", 10, "the turn recorded")
    assert tier(stack, 7350) == 4.0


def test_the_short_check_accepts_i_dont_want_to_answer_and_stop(stack: StackRun) -> None:
    sandbox = stack.sandbox
    replies = sandbox.ask(7400, "ນາຍຈ້າງຍຶດໜັງສືຜ່ານແດນຂອງຂ້ອຍໄວ້ ບໍ່ຍອມຄືນໃຫ້", count=3)
    offer = next(r for r in replies if "check:start" in buttons(r))
    sandbox.press(7400, offer["message_id"], "check:start")
    [first] = sandbox.replies(7400, replies[-1]["message_id"])
    assert buttons(first) == [
        "check:leave:yes",
        "check:leave:no",
        "check:leave:skip",
        "check:stop",
    ]
    assert script_of(first["text"]) == "lo"
    sandbox.press(7400, first["message_id"], "check:leave:skip")
    [second] = sandbox.replies(7400, first["message_id"])
    assert buttons(second)[-2:] == ["check:documents:skip", "check:stop"]
    sandbox.press(7400, second["message_id"], "check:stop")
    [stopped] = sandbox.replies(7400, second["message_id"])
    assert script_of(stopped["text"]) == "lo" and "check:" not in " ".join(buttons(stopped))
    # a button of the stopped check is stale: a kind answer with the menu
    sandbox.press(7400, second["message_id"], "check:documents:no")
    [stale] = sandbox.replies(7400, stopped["message_id"])
    assert buttons(stale) == ["/ask_menu"]


def test_cannot_leave_in_the_check_brings_tier1_numbers_at_once(stack: StackRun) -> None:
    sandbox = stack.sandbox
    replies = sandbox.ask(7500, "they took my passport and will not give it back to me", count=3)
    offer = next(r for r in replies if "check:start" in buttons(r))
    sandbox.press(7500, offer["message_id"], "check:start")
    [first] = sandbox.replies(7500, replies[-1]["message_id"])
    sandbox.press(7500, first["message_id"], "check:leave:no")
    numbers = sandbox.replies(7500, first["message_id"], count=2)
    assert "191" in numbers[0]["text"] and "1669" in numbers[0]["text"]
    # the sign is kept just after the reply, so a hand-off sees it shortly
    wait_until(lambda: tier(stack, 7500) == 1.0, 10, "the sign kept")


def test_handoff_button_shows_the_users_lines(stack: StackRun) -> None:
    sandbox = stack.sandbox
    batch = sandbox.ask(7600, "they took my passport and will not give it back to me", count=3)
    sandbox.press(7600, batch[0]["message_id"], "handoff")
    [lines] = sandbox.replies(7600, batch[-1]["message_id"])
    assert "191" in lines["text"] and "1300" in lines["text"]
    assert buttons(lines) == ["where"]


def test_a_burmese_reader_in_laos_gets_lines_that_work_there_and_the_honest_gap(
    stack: StackRun,
) -> None:
    sandbox = stack.sandbox
    replies = sandbox.ask(7700, DANGER["my"], count=3)
    where = next(r for r in replies if buttons(r) == WHERE)
    sandbox.press(7700, where["message_id"], "where:LA")
    [again, *_] = sandbox.replies(7700, where["message_id"], count=2)
    text = again["text"]
    # Laos's line first; then, in Burmese, "no checked line in Burmese that works in
    # Laos"; then Issara's Burmese line as one that works only from a phone in Thailand
    assert "1362" in text and "191" not in text and script_of(text) == "my"
    assert "မြန်မာဘာသာ" in text and "လာအိုမှာ" in text
    assert text.index("1362") < text.index("1-800-010-180")
    # the engine's tier-2 answer for the same person: routed for Laos too
    [advice, *_] = sandbox.ask(7700, "သူဌေးက ပတ်စပို့ သိမ်းထားတယ်", count=2)
    assert "1362" in advice["text"] and "1300" not in advice["text"]
    assert "လာအိုမှာ" in advice["text"]


def test_in_myanmar_no_thai_number_is_offered_as_if_it_worked_there(stack: StackRun) -> None:
    sandbox = stack.sandbox
    replies = sandbox.ask(7800, DANGER["km"], count=3)
    where = next(r for r in replies if buttons(r) == WHERE)
    sandbox.press(7800, where["message_id"], "where:MM")
    [again, *_] = sandbox.replies(7800, where["message_id"], count=2)
    text = again["text"]
    assert "191" not in text and "1669" not in text and script_of(text) == "km"
    assert "នៅមីយ៉ាន់ម៉ា" in text  # "in Myanmar": no checked line known there
    heading = "ប៉ុន្តែអាចហៅបានតែពីទូរស័ព្ទនៅប្រទេសថៃប៉ុណ្ណោះ"  # "only from a phone in Thailand"
    assert text.index(heading) < text.index("1-800-010-181")
