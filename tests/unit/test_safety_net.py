"""The safety net: danger phrases beside the classifier (shared/spec/safety.md 1, 2, 4)."""

from pathlib import Path

import pytest
import yaml

from bot.core import messages
from bot.core.answers import EngineAnswer
from bot.core.risk import TIER1_REPLIES, TIER2_REPLY
from bot.core.router import FLOOR, Conversation
from bot.core.urgency import Gate, SafetyNet
from bot.settings import LOCALES_DIR
from tests.fakes import BOOK, FakeDialogue, FakeStore


def net_of(tmp_path: Path, tier1: list[str], tier2: list[str]) -> SafetyNet:
    (tmp_path / "xx.yml").write_text(yaml.safe_dump({"tier1": tier1, "tier2": tier2}))
    return SafetyNet.load(tmp_path)


def tier(net: SafetyNet, text: str) -> int | None:
    """The phrases' verdict, as the gate reads them before its model has loaded."""
    return Gate(net).screen(text).tier


def test_phrases_match_inside_longer_messages_in_any_script(tmp_path: Path) -> None:
    net = net_of(tmp_path, ["ถูกขัง", "locked in"], ["ยึดพาสปอร์ต"])
    assert tier(net, "ช่วยด้วยค่ะ ตอนนี้ถูกขังอยู่ในโรงงาน") == 1
    assert tier(net, "Boss LOCKED   IN us") == 1
    assert tier(net, "นายจ้างยึดพาสปอร์ตไว้") == 2
    assert tier(net, "how do I renew my passport") is None


def test_latin_phrases_match_whole_words_only(tmp_path: Path) -> None:
    net = net_of(tmp_path, ["rape"], [])
    assert tier(net, "they rape women here") == 1
    assert tier(net, "grapes farm job") is None


def test_tier_one_wins_over_tier_two(tmp_path: Path) -> None:
    net = net_of(tmp_path, ["beat me"], ["keep my passport"])
    assert tier(net, "they keep my passport and beat me") == 1


def test_zawgyi_text_is_matched_after_conversion(tmp_path: Path) -> None:
    net = net_of(tmp_path, ["ကူညီပါ"], [])
    assert tier(net, "ကၽြန္ေတာ့္ကို ကူညီပါ") == 1  # typed in Zawgyi


def convo(net: SafetyNet, dialogue: FakeDialogue) -> Conversation:
    return Conversation(dialogue, FakeStore(), frozenset({"ask_hotlines"}), net, answers=BOOK)


async def test_tier1_answers_at_once_and_tells_the_engine_after(tmp_path: Path) -> None:
    dialogue = FakeDialogue(replies=[EngineAnswer("brochure")])
    outcome = await convo(net_of(tmp_path, ["locked in"], []), dialogue).on_text(
        "u", "we are locked in the boat", "en"
    )
    assert outcome.replies == TIER1_REPLIES
    assert dialogue.calls == []  # nothing waits for the engine before the numbers
    assert outcome.record is not None and outcome.record.text == "/emergency_help"


async def test_tier1_works_with_the_engine_down(tmp_path: Path) -> None:
    c = convo(net_of(tmp_path, ["ចាក់សោ"], []), FakeDialogue(down=True))
    outcome = await c.on_text("u", "គេចាក់សោទ្វារ", "km")
    assert outcome.replies == TIER1_REPLIES and outcome.locale == "km"
    await c.record(outcome.record)  # a dead engine is fine here too


async def test_tier2_with_the_engine_down_gets_hotlines_not_just_the_floor(
    tmp_path: Path,
) -> None:
    c = convo(net_of(tmp_path, [], ["keeps my passport"]), FakeDialogue(down=True))
    assert (await c.on_text("u", "boss keeps my passport", "en")).replies == (TIER2_REPLY,)
    assert (await c.on_text("u", "hello there", "en")).replies == FLOOR


async def test_tier2_net_adds_hotlines_when_the_classifier_missed(tmp_path: Path) -> None:
    net = net_of(tmp_path, [], ["keeps my passport"])
    missed = FakeDialogue(replies=[EngineAnswer("about_documents", "ask_documents")])
    outcome = await convo(net, missed).on_text("u", "boss keeps my passport", "en")
    assert [r.msgid for r in outcome.replies] == [messages.TIER2, "About documents…"]
    caught = FakeDialogue(replies=[EngineAnswer("tier2", "report_documents_withheld")])
    outcome = await convo(net, caught).on_text("u", "boss keeps my passport", "en")
    assert [r.msgid for r in outcome.replies] == [messages.TIER2]


@pytest.mark.parametrize(
    "question",
    [
        "how do I renew my passport",
        "what is the minimum wage in Bangkok",
        "can you help me understand my contract",
        "ต่อวีซ่าทำยังไงคะ",
        "ok visa tham yang ngai",
        "ค่าแรงขั้นต่ำเท่าไหร่",
        "ပတ်စပို့ သက်တမ်းတိုးချင်လို့",
        "ប្រាក់ឈ្នួលអប្បបរមាប៉ុន្មាន",
        "ເຮັດບັດຊົມພູແນວໃດ",
    ],
)
def test_project_phrases_leave_ordinary_questions_alone(question: str) -> None:
    assert tier(SafetyNet.load(LOCALES_DIR / "safety_net"), question) is None


def test_tier_one_guard_lets_plausible_danger_win() -> None:
    from bot.nlu.tier_guard import promote

    ranking = [
        {"name": "ask_documents", "confidence": 0.5},
        {"name": "report_confinement", "confidence": 0.25},
        {"name": "greet", "confidence": 0.1},
    ]
    assert promote(ranking, 0.2)[0]["name"] == "report_confinement"
    assert promote(ranking, 0.3)[0]["name"] == "ask_documents"
    assert promote([], 0.2) == []
