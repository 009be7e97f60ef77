"""The whole stack as `make run` starts it (sandbox mode): engine, actions, bot, sandbox.

These tests talk only to the sandbox Bot API server, as a Telegram user would.
"""

from __future__ import annotations

import signal

import httpx
import pytest

from bot.core.identity import pseudonym
from bot.core.types import LOCALES
from tests.e2e.conftest import StackRun, pause_like_a_person
from tests.e2e.scripts import SAMPLES, script_of

OFFERED = ("share", "sub:offer")  # under every topic answer, with its specific answers
pytestmark = pytest.mark.e2e


def buttons(message: dict) -> list[dict]:
    return [b for row in message.get("reply_markup", {}).get("inline_keyboard", []) for b in row]


@pytest.mark.parametrize("locale", LOCALES)
def test_start_greets_in_each_language_in_its_own_script(stack: StackRun, locale: str) -> None:
    sandbox = stack.sandbox
    user = 5000 + LOCALES.index(locale)
    greeting, notice = sandbox.ask(user, "/start", count=2, language_code=locale)
    assert script_of(greeting["text"]) == locale
    assert "191" not in greeting["text"]  # the engine answered, not the safety floor
    assert [b["callback_data"] for b in buttons(greeting)] == ["/ask_menu"]
    # first contact: the privacy notice, in the same language, with its two choices
    assert script_of(notice["text"]) == locale and "30" in notice["text"]
    assert [b["callback_data"] for b in buttons(notice)] == [
        "consent:store:yes",
        "consent:store:no",
    ]


@pytest.mark.parametrize("locale", LOCALES)
def test_a_greeting_typed_in_each_language_is_answered_in_it(stack: StackRun, locale: str) -> None:
    sandbox = stack.sandbox
    [reply] = sandbox.ask(5100 + LOCALES.index(locale), SAMPLES[locale])
    assert script_of(reply["text"]) == locale
    assert buttons(reply) and buttons(reply)[0]["callback_data"] == "/ask_menu"


def test_menu_button_leads_to_the_menu_and_its_buttons_work(stack: StackRun) -> None:
    sandbox = stack.sandbox
    greeting, notice = sandbox.ask(5200, "/start", count=2, language_code="my")
    sandbox.press(5200, greeting["message_id"], "/ask_menu")
    [menu] = sandbox.replies(5200, notice["message_id"])
    data = [b["callback_data"] for b in buttons(menu)]
    assert "/ask_hotlines" in data and "/choose_language" in data
    sandbox.press(5200, menu["message_id"], "/ask_hotlines")
    [numbers] = sandbox.replies(5200, menu["message_id"])
    assert script_of(numbers["text"]) == "my"
    for number in ("191", "1669", "1-800-010-180", "1300"):
        assert number in numbers["text"]


def test_change_language_through_the_engine(stack: StackRun) -> None:
    sandbox = stack.sandbox
    [picker] = sandbox.ask(5300, "I want to change the language please")
    labels = [b["text"] for b in buttons(picker)]
    assert labels == ["English", "ไทย", "မြန်မာ", "ខ្មែរ", "ລາວ"]
    sandbox.press(5300, picker["message_id"], "lang:th")
    [confirm] = sandbox.replies(5300, picker["message_id"])
    assert script_of(confirm["text"]) == "th"


def test_danger_in_thai_gets_emergency_numbers_first(stack: StackRun) -> None:
    sandbox = stack.sandbox
    replies = sandbox.ask(5400, "ช่วยด้วย นายจ้างขังพวกเราไว้ในโรงงาน ออกไปไหนไม่ได้", count=2)
    assert "191" in replies[0]["text"] and "1669" in replies[0]["text"]
    assert script_of(replies[0]["text"]) == "th"


def test_the_engine_names_one_answer_per_turn_and_stores_no_words(stack: StackRun) -> None:
    sandbox = stack.sandbox
    sandbox.ask(5500, "they took my passport and will not give it back to me", count=1)
    sender = pseudonym(stack.env["PSEUDONYM_KEY"].encode(), 5500)
    tracker = httpx.get(
        f"{stack.env['RASA_URL']}/conversations/{sender}/tracker",
        params={"token": stack.env["RASA_AUTH_TOKEN"]},
    ).json()
    actions = [e["name"] for e in tracker["events"] if e["event"] == "action"]
    # one named answer, no round trip to the action server, no tier slot
    assert actions[-2:] == ["utter_report_documents_withheld", "action_listen"]
    assert "tier" not in tracker["slots"]
    said = [e for e in tracker["events"] if e["event"] == "user"]
    assert said and all(e["text"] == "" for e in said)  # the words were never stored


TOPICS = [
    "ask_legal_migration",
    "ask_documents",
    "ask_recruitment_fees",
    "ask_verify_job_offer",
    "ask_contract",
    "ask_wages",
    "ask_working_hours",
    "ask_worker_rights",
    "ask_hotlines",
    "ask_return_home",
    "ask_victim_support",
]


@pytest.mark.parametrize("locale", LOCALES)
def test_every_topic_from_the_menu_in_each_language(stack: StackRun, locale: str) -> None:
    sandbox = stack.sandbox
    user = 6000 + LOCALES.index(locale)
    [menu] = sandbox.ask(user, "/help", language_code=locale)
    offered = [b["callback_data"] for b in buttons(menu)]
    assert set(TOPICS) <= {d.lstrip("/") for d in offered}
    for topic in TOPICS:
        bubbles = 1 if topic == "ask_hotlines" else 3
        pause_like_a_person()
        sandbox.press(user, menu["message_id"], f"/{topic}")
        replies = sandbox.replies(user, menu["message_id"], count=bubbles)
        assert len(replies) == bubbles, topic
        assert all(script_of(r["text"]) == locale for r in replies), topic
        assert "%(" not in " ".join(r["text"] for r in replies)  # every placeholder filled
        menu = replies[-1]
        if topic != "ask_hotlines":
            # share (or the country buttons), the topic's specific answers, updates, menu
            data = [b["callback_data"] for b in buttons(menu)]
            assert data[-1] == "/ask_menu", topic
            assert all(d in OFFERED or d.startswith("answer:") for d in data[:-1]), topic
            sandbox.press(user, menu["message_id"], "/ask_menu")
            [menu] = sandbox.replies(user, menu["message_id"])


def test_a_question_in_free_text_gets_its_topic(stack: StackRun) -> None:
    replies = stack.sandbox.ask(6100, "ค่าแรงขั้นต่ำตอนนี้วันละเท่าไหร่คะ", count=3)
    assert script_of(replies[0]["text"]) == "th"
    assert "337-400" in " ".join(r["text"] for r in replies)  # the dated fact, filled in


def test_a_specific_question_gets_its_specific_answer_in_the_persons_calendar(
    stack: StackRun,
) -> None:
    sandbox = stack.sandbox
    # a Thai reader asks when the pink card must be renewed: the dated table, Buddhist era
    renew = sandbox.ask(6150, "ต่อบัตรชมพูได้ถึงวันไหน", count=3)
    table = next(r["text"] for r in renew if r["text"].startswith("📅"))
    assert script_of(table) == "th" and "2569" in table and "%(" not in table
    # a Khmer reader going home gets the Cambodian part, not a Myanmar-only bubble
    home = sandbox.ask(6151, "ចង់ត្រឡប់ទៅកម្ពុជាវិញដោយសុវត្ថិភាព ធ្វើម៉េច", count=3)
    assert "Poipet" not in home[-1]["text"] and "ប៉ោយប៉ែត" in home[-1]["text"]
    assert not any(b["callback_data"].startswith("answer:") for b in buttons(home[-1]))
    # an English reader who names no country chooses one with a button
    general = sandbox.ask(6152, "i want to go back home, what should i do", count=3)
    choose = [b["callback_data"] for b in buttons(general[-1])]
    assert "answer:return_home_laos" in choose
    sandbox.press(6152, general[-1]["message_id"], "answer:return_home_laos")
    [laos] = sandbox.replies(6152, general[-1]["message_id"])
    assert "Lao Women's Union" in laos["text"] and "1362" in laos["text"]


def test_share_gives_a_forwardable_card(stack: StackRun) -> None:
    sandbox = stack.sandbox
    replies = sandbox.ask(6200, "/help", language_code="km")
    sandbox.press(6200, replies[0]["message_id"], "/ask_contract")
    bubbles = sandbox.replies(6200, replies[0]["message_id"], count=3)
    sandbox.press(6200, bubbles[-1]["message_id"], "share")
    [card] = sandbox.replies(6200, bubbles[-1]["message_id"])
    assert "https://t.me/sandbox_safe_migration_bot" in card["text"]
    assert script_of(card["text"]) == "km"


def test_a_child_at_work_gets_child_lines(stack: StackRun) -> None:
    replies = stack.sandbox.ask(
        6300, "my daughter is 14 and the boss makes her work in the factory"
    )
    assert "1387" in replies[0]["text"] and "1280" in replies[0]["text"]


def test_tier2_offers_options_and_their_risks(stack: StackRun) -> None:
    sandbox = stack.sandbox
    # the answer, the offer of the short check, the where-are-you question
    batch = sandbox.ask(6400, "ນາຍຈ້າງຍຶດໜັງສືຜ່ານແດນຂອງຂ້ອຍໄວ້ ບໍ່ຍອມຄືນໃຫ້", count=3)
    reply = batch[0]
    assert "1300" in reply["text"] and script_of(reply["text"]) == "lo"
    data = [b["callback_data"] for b in buttons(reply)]
    assert data == ["handoff", "options", "/ask_hotlines"]
    sandbox.press(6400, reply["message_id"], "options")
    options, note = sandbox.replies(6400, batch[-1]["message_id"], count=2)
    assert script_of(options["text"]) == "lo" and "191" in options["text"]
    # a Lao reader hears of Lao options (1362), not of Myanmar government offices
    assert "1362" in note["text"] and script_of(note["text"]) == "lo"


def test_menu_leads_to_sector_tips_and_the_quiz(stack: StackRun) -> None:
    sandbox = stack.sandbox
    [menu] = sandbox.ask(6600, "/help", language_code="km")
    assert {"tips", "quiz"} <= {b["callback_data"] for b in buttons(menu)}
    sandbox.press(6600, menu["message_id"], "tips")
    [picker] = sandbox.replies(6600, menu["message_id"])
    assert "tips:online" in [b["callback_data"] for b in buttons(picker)]
    sandbox.press(6600, picker["message_id"], "tips:online")
    tips = sandbox.replies(6600, picker["message_id"], count=4)  # the story, then 3 tips
    assert all(script_of(t["text"]) == "km" for t in tips)
    assert [b["callback_data"] for b in buttons(tips[-1])] == [
        "quiz:online",
        "share",
        "/ask_menu",
    ]


def test_sigterm_stops_every_child(own_stack: StackRun) -> None:
    """SIGTERM to a stack that has answered someone leaves no engine, action server or bot
    behind. A stack of its own: the shared one serves the other modules after this one."""
    [greeting, _notice] = own_stack.sandbox.ask(5600, "/start", count=2, language_code="en")
    assert "191" not in greeting["text"]  # the engine answered: every part is up and busy
    own_stack.process.send_signal(signal.SIGTERM)
    assert own_stack.process.wait(60) == 0
    urls = (own_stack.env["RASA_URL"], own_stack.env["ACTION_SERVER_URL"], own_stack.sandbox.url)
    for url in urls:
        with pytest.raises(httpx.ConnectError):
            httpx.get(url, timeout=2)
