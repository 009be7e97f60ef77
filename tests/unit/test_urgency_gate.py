"""The gate on every form danger takes, and on ordinary questions that merely sound alarming.

Issue #12: commands, 🆘/SOS, look-alike, spaced, stacked or invisible characters must not
slip past (recall), and questions about a scam town, a law's penalty, a sector or an
everyday verb must not get the emergency reply (precision). The gate is the deployed one:
the project's phrase files and the model trained on intents/.
"""

from __future__ import annotations

import pytest

from bot.core.routing import load_ages
from bot.core.urgency import Gate, SafetyNet
from bot.core.urgency.gate import HEAD, TAIL, split_command, window
from bot.core.urgency.matching import match_form
from bot.core.urgency.model import load_or_train
from bot.settings import LOCALES_DIR, MODELS_DIR, PROJECT_DIR
from bot.text.normalize import normalize


@pytest.fixture(scope="module")
def gate() -> Gate:
    net, model = SafetyNet.load(LOCALES_DIR / "safety_net"), load_or_train(PROJECT_DIR, MODELS_DIR)
    return Gate(net, model, load_ages(LOCALES_DIR))


@pytest.fixture(scope="module")
def phrases_only() -> Gate:
    """The gate before its model has loaded: the phrases alone."""
    return Gate(SafetyNet.load(LOCALES_DIR / "safety_net"))


@pytest.mark.parametrize(
    "text",
    [
        "/sos",
        "/SOS",
        "/sos@safe_migration_bot",
        "/emergency",
        "/help they locked us in",
        "/sos help me now",
        "/start im in danger they have a knife",
        "/help เขาขังพวกเราไว้",
    ],
)
def test_commands_that_carry_danger_are_tier_one(
    gate: Gate, phrases_only: Gate, text: str
) -> None:
    assert gate.screen(text).tier == 1
    assert phrases_only.screen(text).tier == 1


@pytest.mark.parametrize("text", ["/help", "/start", "/language", "/quiz"])
def test_plain_commands_are_not_an_alarm(gate: Gate, text: str) -> None:
    assert gate.screen(text).tier is None


def test_split_command_reads_the_name_and_the_words_after_it() -> None:
    assert split_command("/sos@our_bot they are here") == ("sos", " they are here")
    assert split_command("/HELP") == ("help", "")
    assert split_command("help /sos") == ("", "help /sos")


@pytest.mark.parametrize(
    "text",
    [
        "🆘",
        "SOS",
        "sos!!",
        "S.O.S",
        "s o s",
        "S-O-S",
        "ｓｏｓ",
        "Ⓢ.Ⓞ.Ⓢ",
        "SOS ครับ",
        "SOS ပါ",
        "SOS បង",
        "SOS ເດີ",
        "ကူညီပါ 🆘",
        "sos krub",
    ],
)
def test_sos_in_every_form_and_language(phrases_only: Gate, text: str) -> None:
    assert phrases_only.screen(text).tier == 1


@pytest.mark.parametrize(
    "text",
    [
        "ｔｈｅｙ ｌｏｃｋｅｄ ｕｓ ｉｎ",  # fullwidth
        "t̶h̶e̶y̶ l̶o̶c̶k̶e̶d̶ u̶s̶ i̶n̶",  # stacked combining marks
        "they lo\u200bcked\u2060 us in",  # zero-width characters
        "th\u0435y l\u043eck\u0435d us in",  # Cyrillic е and о
        "\u03a4HEY LOCKED US IN",  # Greek capital tau
        "t h e y  l o c k e d  u s  i n",  # letters spaced out
        "they l.o.c.k.e.d us in",  # letters split by punctuation
        "they lo-cked us in",
        "𝐭𝐡𝐞𝐲 𝐥𝐨𝐜𝐤𝐞𝐝 𝐮𝐬 𝐢𝐧",  # mathematical bold
        "h.e.l.p m.e n.o.w",
        "ถู ก ขั ง",  # Thai spaced out
        "ถูก\u200bขัง",
        "ຊ່ວຍ.ແດ່",  # Lao split by dots
        "គេ\u200bឃុំ\u200bខ្ញុំ",  # Khmer with zero-width spaces, as many keyboards type it
        "ကၽြန္ေတာ္တို႔ကို ပိတ္ထားတယ္ ကယ္ပါ",  # Zawgyi
    ],
)
def test_obfuscated_danger_does_not_slip_past(phrases_only: Gate, text: str) -> None:
    assert phrases_only.screen(text).tier == 1


def test_a_forged_long_message_is_read_at_both_ends_only() -> None:
    filler = "a" * 100_000
    assert len(window(filler + "x")) == HEAD + TAIL + 1
    net = SafetyNet.load(LOCALES_DIR / "safety_net")
    gate = Gate(net)
    assert gate.screen("help me now " + filler).tier == 1
    assert gate.screen(filler + " help me now").tier == 1
    # the longest message Telegram sends is read whole
    assert gate.screen("b" * 2000 + " help me now " + "b" * 2000).tier == 1


@pytest.mark.parametrize(
    "question",
    [
        # a scam town's name in a job question
        "a recruiter offers data entry in myawaddy with free transport, is it for real?",
        "is a casino job near kk park safe for a woman",
        "บริษัทที่ชเวโก๊กโก่รับคนไทยไปทำงานแอดมิน เชื่อได้ไหมคะ",
        "ការងារនៅ KK Park ប្រាក់ខែខ្ពស់ ជឿបានទេ",
        # a law's penalty, the police, asked about as information
        "what is the penalty for an agent who holds a worker's passport",
        "how many years in prison for rape in thailand",
        "ถ้านายจ้างตีลูกจ้าง ผิดกฎหมายข้อไหน",
        "ລ່ວງລະເມີດທາງເພດ ມີໂທດແນວໃດຕາມກົດໝາຍໄທ",
        "ရဲက ဘာကြောင့် အလုပ်သမားတွေကို ဖမ်းလဲ",
        # a sector's name
        "can women with a pink card work legally in a massage shop or karaoke",
        "ขายบริการทางเพศผิดกฎหมายไหมในไทย",
        # everyday verbs: lock, keep, follow
        "how do i lock my facebook so my boss cannot see my posts",
        "can i keep a scan of my work permit on my phone",
        "how do i follow up my complaint at the labour office",
        # asking what to do about papers or pay ("what do I do" is also a plea in danger)
        "my visa runs out next week, what should i do",
        "the agent is coming tomorrow to take us to the new site, what should we bring",
        "วีซ่าจะหมดอาทิตย์หน้า ทำยังไงดี",
        "เงินเดือนออกมาแล้วแต่ไม่ครบ ทำไงดี",
        "ဗီဇာ ကုန်တော့မယ် ဘာလုပ်ရမလဲ",
        "វីសាជិតផុតកំណត់ហើយ ធ្វើម៉េចទៅ",
        "ເງິນເດືອນອອກມາແລ້ວ ແຕ່ບໍ່ຄົບ ເຮັດແນວໃດດີ",
        # ... even said today, with another plea: no danger reading, no alarm
        "my passport expires now in december, what must i do",
        "the agent is coming into town tonight to sign contracts, where should we go",
        "วันนี้นายจ้างยังไม่จ่ายเงินเดือน ควรทำยังไง",
        "ဒီနေ့ လစာ မရသေးဘူး ဘာလုပ်ကြရမလဲ",
        "ມື້ນີ້ນາຍຈ້າງຍັງບໍ່ຈ່າຍເງິນເດືອນ ຄວນເຮັດແນວໃດ",
    ],
)
def test_ordinary_questions_with_alarming_words_get_no_alarm(gate: Gate, question: str) -> None:
    assert gate.screen(question).tier != 1


@pytest.mark.parametrize(
    "disclosure",
    [
        # first person, danger now: never held back, even when it ends with a question
        "they locked me in the storeroom right now, what can i do?",
        "the boss is hitting me now, is that allowed?",
        "ตอนนี้ผมถูกขังอยู่ในห้อง ทำยังไงดี",
        "ឥឡូវខ្ញុំត្រូវគេឃុំក្នុងបន្ទប់ ធ្វើម៉េចទៅ",
        "အခု ကျမကို အခန်းထဲ ပိတ်ထားတယ် ဘာလုပ်ရမလဲ",
        "ຕອນນີ້ຂ້ອຍຖືກຂັງຢູ່ໃນຫ້ອງ ເຮັດແນວໃດດີ",
        # asking what to do as danger comes (at the door, following): a plea, no question
        "the brokers men are at the door with knives, what do we do",
        "พวกมันถือมีดตามมาแล้ว ทำไงดี",
        "သူတို့ ဓားတွေနဲ့ လိုက်လာပြီ ဘာလုပ်ရမလဲ",
        "គេកាន់កាំបិតមកដល់ហើយ ធ្វើម៉េចទៅ",
        "ພວກມັນຖືມີດມາຮອດແລ້ວ ເຮັດແນວໃດດີ",
        # the same plea in other words ("should", "we", "which way"), and other ways of
        # saying it comes: still following, breaking in (tenth session)
        "two men on a motorbike still following us from the farm, where should we go",
        "they are breaking the door of our room with a hammer, how can we escape",
        "มีคนขับรถตามหลังพวกเรามาตั้งแต่ออกจากไร่ ควรทำยังไง",
        "ဆိုင်ကယ်နဲ့ လူနှစ်ယောက် နောက်ကလိုက်နေတုန်းပဲ ဘယ်ကိုပြေးကြရမလဲ",
        "ឡានខ្មៅមួយនៅតែតាមពួកយើងពីវាលស្រែ គួរធ្វើយ៉ាងម៉េច",
        "ມີລົດຈັກສອງຄັນ ຕາມຫຼັງພວກເຮົາມາແຕ່ສວນ ໜີໄປທາງໃດ",
        # about to be sold on, a plea: the plea's words do not make it a question
        "the agent says we will be sold to another boat tonight, what do we do",
        "เอเย่นต์บอกว่าคืนนี้จะขายพวกเราต่อให้เรืออีกลำ ทำไงดี",
        "ပွဲစားက ဒီည ကျွန်တော်တို့ကို ငါးဖမ်းလှေကို ရောင်းမယ်တဲ့ ဘာလုပ်ကြရမလဲ",
        "ឥឡូវគេនឹងលក់ពួកយើងទៅកប៉ាល់ផ្សេង ធ្វើម៉េចល្អ",
        "ຄືນນີ້ນາຍໜ້າຈະຂາຍພວກເຮົາໃຫ້ເຮືອລຳອື່ນ ຄວນເຮັດແນວໃດ",
        # said another way than any phrase: the model reads it
        "the captain does not allow any of us to step off the ship",
        "the manager struck me across the face many times",
    ],
)
def test_disclosures_are_tier_one_even_with_a_question(gate: Gate, disclosure: str) -> None:
    assert gate.screen(disclosure).tier == 1


@pytest.mark.parametrize(
    "disclosure",
    [
        "boss keeps my passport in this safe",
        "the agent took my passport and put it in the safe in his office",
    ],
)
def test_a_safe_that_holds_passports_does_not_make_a_disclosure_a_question(
    gate: Gate, phrases_only: Gate, disclosure: str
) -> None:
    # "safe" the box, not "is it safe": without the model no personal word is there to
    # outweigh an asking word, so the bare word must not be one
    assert phrases_only.screen(disclosure).tier == 2
    assert gate.screen(disclosure).tier in (1, 2)


def test_asking_whether_something_is_safe_is_still_a_question(phrases_only: Gate) -> None:
    # a danger phrase ("extra service") in a question whether a job is safe: no alarm
    question = "massage job with extra service, safe for a girl from laos"
    assert phrases_only.screen(question).tier is None


@pytest.mark.parametrize(
    "text",
    [
        "กินข้าวที่โรงอาหารข้างโรงงาน",  # rice, beside: no archaic "I" (ข้า) in them
        "เข้าใจแล้วค่ะ ขอบคุณ",  # "understand" holds the same letters
        "ဒီည ငါးကြော်စားမယ်",  # fish, not "I" (ငါ)
        "សូមអញ្ជើញមកលេងផ្ទះ",  # please come, not "I" (អញ)
    ],
)
def test_everyday_words_that_hold_a_pronoun_speak_of_nobody(phrases_only: Gate, text: str) -> None:
    assert not phrases_only.net.scan(match_form(normalize(text))).personal


@pytest.mark.parametrize(
    "text",
    [
        "วันนี้หนูไม่สบาย อยากลางาน ต้องทำยังไงคะ",
        "ဒီနေ့ ကျွန်တော် နေမကောင်းဘူး ခွင့်ယူချင်တယ် ဘယ်လိုလုပ်ရမလဲ",
        "ថ្ងៃនេះខ្ញុំឈឺ ចង់សុំច្បាប់ឈប់សម្រាក ត្រូវធ្វើម៉េច",
        "ມື້ນີ້ຂ້ອຍເຈັບຫົວ ຢາກລາພັກວຽກ ຕ້ອງເຮັດແນວໃດ",
    ],
)
def test_today_is_not_the_moment_of_danger(phrases_only: Gate, text: str) -> None:
    # "my visa ends today, what do I do" asks about papers: "today" is no now cue (as in
    # English), so the slightest danger reading does not make such a question an alarm
    assert not phrases_only.net.scan(match_form(normalize(text))).now


def test_a_passports_months_are_not_a_childs_years(phrases_only: Gate) -> None:
    passport = "ตอนนี้พาสปอร์ตผมเหลืออายุไม่ถึง 6 เดือน ต่อวีซ่าได้ไหม ต้องทำไง"
    child = "น้องสาวอายุไม่ถึง 18 ต้องทำงานในไร่ทุกวัน"
    assert not phrases_only.net.scan(match_form(normalize(passport))).tier2
    assert phrases_only.screen(passport).tier is None
    assert phrases_only.screen(child).tier == 2


def _asks(net: SafetyNet, text: str) -> bool:
    return net.scan(match_form(normalize(text))).asking


@pytest.mark.parametrize(
    ("text", "asks"),
    [
        # relative "who", "when", "where" tell what happens; as question words they ask
        ("the boss beats anyone who talks back", False),
        ("they shout at the girls when the line stops", False),
        ("who can help my friend", True),
        ("where is the labour office in mae sot", True),
        # words that hold a question particle without asking: company, country, fall down, sorry
        ("ບໍລິສັດເອົາບັດຂອງຄົນງານໄປໝົດ", False),
        ("ເອົາບັດຄືນໄດ້ບໍ", True),
        ("គេនាំពួកយើងទៅប្រទេសថៃ", False),
        ("ទៅប្រទេសថៃបានទេ", True),
        ("အလုပ်သမားတစ်ယောက် လဲကျသွားတယ်", False),
        ("ဘယ်မှာ တိုင်ရမလဲ", True),
        ("ขอโทษครับ หัวหน้าตบคนงาน", False),
        ("ยึดพาสปอร์ตมีโทษอะไร", True),
    ],
)
def test_only_question_words_make_a_message_ask(phrases_only: Gate, text: str, asks: bool) -> None:
    assert _asks(phrases_only.net, text) is asks


def test_a_witness_telling_what_happens_to_others_is_not_read_as_a_question(
    phrases_only: Gate,
) -> None:
    # no "me" or "us" to outweigh a question word: a relative "who" must not be one
    assert phrases_only.screen("the supervisor punches anyone who talks back").tier == 1


@pytest.mark.parametrize(
    "text",
    [
        "I'm 34 years old",
        "my age is 52",
        "ผมอายุ 41 ปีครับ",
        "ကျွန်တော် အသက် ၂၇ နှစ်",
        "ខ្ញុំអាយុ ៣៨ ឆ្នាំ",
        "ຂ້ອຍອາຍຸ 23 ປີ",
    ],
)
def test_an_adult_saying_their_age_is_no_sign(gate: Gate, text: str) -> None:
    """The model reads every age as a child's ("I am 15": child labour, tier 2)."""
    assert gate.screen(text).tier is None


@pytest.mark.parametrize(
    ("text", "tier"),
    [("ผมอายุ 16 ครับ", 2), ("i am 14", 2), ("I'm 34, help me", 1), ("ຂ້ອຍອາຍຸ 23 ປີ ຊ່ວຍແດ່", 1)],
)
def test_a_childs_age_or_an_adults_cry_for_help_still_counts(
    gate: Gate, text: str, tier: int
) -> None:
    assert gate.screen(text).tier == tier
