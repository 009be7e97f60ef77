"""Script detection, normalisation (Zawgyi included) and segmentation per script."""

import pytest

from bot.text.normalize import is_zawgyi, normalize
from bot.text.script import detect_script_locale
from bot.text.segment import segment

ZAWGYI = "မင္းကို ခ်စ္တယ္"
UNICODE = "မင်းကို ချစ်တယ်"


@pytest.mark.parametrize(
    ("text", "locale"),
    [
        ("สวัสดีครับ", "th"),
        ("ສະບາຍດີ", "lo"),
        ("សួស្តី", "km"),
        ("မင်္ဂလာပါ", "my"),
        ("hello there", "en"),
        ("boss keep my passport ยึดไว้", "th"),  # own script wins over English words
    ],
)
def test_detects_the_script_a_person_writes_in(text: str, locale: str) -> None:
    assert detect_script_locale(text) == locale


@pytest.mark.parametrize("text", ["ok", "hi", "👍", "123", "", "?!"])
def test_too_little_to_switch_language(text: str) -> None:
    assert detect_script_locale(text) is None


def test_zawgyi_is_detected_and_converted() -> None:
    assert is_zawgyi(ZAWGYI)
    assert not is_zawgyi(UNICODE)
    assert normalize(ZAWGYI) == UNICODE


def test_normalize_removes_invisible_characters_and_long_repeats() -> None:
    assert normalize("he\u200blp   meeeeeee\x07") == "help meee"
    assert normalize("ช่วยยยยยยย") == "ช่วยยย"


def test_normalize_leaves_unicode_burmese_alone() -> None:
    assert normalize(UNICODE) == UNICODE


def test_thai_is_split_into_words() -> None:
    assert segment("นายจ้างยึดพาสปอร์ต") == ["นายจ้าง", "ยึด", "พาสปอร์ต"]


def test_lao_is_split_into_words() -> None:
    assert "ນາຍຈ້າງ" in segment("ນາຍຈ້າງເອົາໜັງສືຜ່ານແດນ")


def test_khmer_is_split_into_words() -> None:
    assert segment("ខ្ញុំត្រូវការជំនួយ") == ["ខ្ញុំ", "ត្រូវការ", "ជំនួយ"]


def test_burmese_is_split_into_words() -> None:
    # "the employer doesn't pay the wages": employer, (subject), wages, not, pay, (negation)
    assert segment("အလုပ်ရှင်က လစာမပေးဘူး") == ["အလုပ်ရှင်", "က", "လစာ", "မ", "ပေး", "ဘူး"]


def test_burmese_digits_and_punctuation_survive() -> None:
    assert segment("ကျေးဇူးတင်ပါတယ်။ ၁၂၃ ကျပ်") == ["ကျေးဇူးတင်", "ပါတယ်", "။", "၁၂၃", "ကျပ်"]


def test_mixed_scripts_are_segmented_piece_by_piece() -> None:
    words = segment("Boss ยึด passport ကျွန်တော့်")
    assert words[:3] == ["boss", "ยึด", "passport"]
    assert all(w.strip() for w in words)


def test_romanized_text_is_split_by_words() -> None:
    assert segment("khoy tong kan kwam suay leua!") == [
        "khoy",
        "tong",
        "kan",
        "kwam",
        "suay",
        "leua",
    ]


@pytest.mark.parametrize(
    ("typed", "plain"),
    [("I don't know", "i dont know"), ("i’m ok", "im ok"), ("they can't", "they cant")],
)
def test_contractions_are_one_word_with_or_without_the_apostrophe(typed: str, plain: str) -> None:
    """People type "dont" as often as "don't" (and phones put ’): the model sees one word."""
    assert segment(typed) == segment(plain) == plain.split()


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [
        ("ทํางาน", "ทำงาน"),  # Thai sara am typed as two marks
        ("เเม่", "แม่"),
        ("ເຮັດວຽກຫລາຍ", "ເຮັດວຽກຫຼາຍ"),
        ("ຫນັງສືຜ່ານແດນ", "ໜັງສືຜ່ານແດນ"),
        ("ທໍາງານ", "ທຳງານ"),
    ],
)
def test_same_looking_spellings_become_one(typed: str, canonical: str) -> None:
    assert normalize(typed) == canonical
