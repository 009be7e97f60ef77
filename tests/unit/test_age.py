"""Age statements in five languages and romanized forms: about the writer, never others."""

import pytest

from bot.core.age import AgeReader
from bot.settings import LOCALES_DIR

READER = AgeReader.load(LOCALES_DIR / "age")


@pytest.mark.parametrize(
    "text",
    [
        "I am 15",
        "I'm 16 years old",
        "im 14",
        "I'm a child",
        "i am under 18",
        "ผมอายุ 15 ปี",
        "หนูอายุ๑๖",
        "หนูยังเป็นเด็ก",
        "ကျွန်တော် အသက် 15 နှစ်",
        "ကျွန်မအသက် ၁၆ နှစ်ပါ",
        "ខ្ញុំអាយុ 15 ឆ្នាំ",
        "ខ្ញុំនៅក្មេង",
        "ຂ້ອຍອາຍຸ 16 ປີ",
        "ຂ້ອຍຍັງເປັນເດັກນ້ອຍ",
        "chan ayu 15",
        "kyanaw a-the 16",
        "knhom ayuk 15",
        "khoy a nyu 15",
    ],
)
def test_a_child_saying_their_age_is_noticed(text: str) -> None:
    statement = READER.read(text)
    assert statement is not None and statement.under_18


@pytest.mark.parametrize(
    "text",
    [
        "my daughter is 14",
        "ลูกสาวอายุ 14",
        "I work 12 hours a day",
        "I am 12 hours late",
        "i'm 15 minutes away",
        "who can help children?",
        "the boss is 50",
    ],
)
def test_other_peoples_ages_and_numbers_are_not_the_writers_age(text: str) -> None:
    assert READER.read(text) is None


def test_an_adult_age_is_read_as_not_a_child() -> None:
    statement = READER.read("I am 30 years old")
    assert statement is not None and not statement.under_18


def test_a_statement_inside_a_longer_message_is_not_the_whole_message() -> None:
    assert READER.read("I am 15")
    assert READER.read("I am 15").whole_message  # type: ignore[union-attr]
    longer = READER.read("I am 15 and my boss took my passport")
    assert longer is not None and longer.under_18 and not longer.whole_message
