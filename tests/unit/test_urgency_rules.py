"""The gate's parts on their own: the normal form, the match form, and the context rules."""

from __future__ import annotations

import dataclasses
import random
import re

import pytest

from bot.core.urgency.context import RISK, Scan, decide, information_question
from bot.core.urgency.matching import compile_phrases, match_form
from bot.core.urgency.model import Scores
from bot.text.normalize import normalize

SEA_TEXTS = [
    "นายจ้างยึดพาสปอร์ตไว้ ทำยังไงดีคะ",  # Thai vowels and tone marks
    "ຂ້ອຍຖືກຂັງຢູ່ໃນຫ້ອງ ຊ່ວຍແດ່",  # Lao
    "ខ្ញុំត្រូវការជំនួយ សូមជួយផង",  # Khmer subscripts and vowels
    "ကျွန်တော့်ကို ကူညီပါ",  # Burmese
]


@pytest.mark.parametrize("text", SEA_TEXTS)
def test_normalising_keeps_thai_lao_khmer_and_burmese_marks(text: str) -> None:
    assert normalize(text) == text
    assert normalize(normalize(text)) == normalize(text)


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("ＳＯＳ　ｈｅｌｐ", "SOS help"),  # fullwidth letters and space
        ("h̶e̶l̶p̶", "help"),  # stacked strike-through marks
        ("ca\u0301fe\u0301", "cafe"),  # accents
        ("h\u0435lp m\u0435", "help me"),  # Cyrillic е
        ("ʜᴇʟᴘ", "help"),  # small capitals
        ("he\u200bl\u2060p\ufeff", "help"),  # invisible characters
        ("ຫນີ້ ຫລາຍ", "ໜີ້ ຫຼາຍ"),  # old Lao spellings, still one form after NFKC
        ("ทํางาน", "ทำงาน"),  # Thai nikhahit + sara aa
    ],
)
def test_the_normal_form_folds_what_looks_the_same(raw: str, clean: str) -> None:
    assert normalize(raw) == clean


@pytest.mark.parametrize(
    ("text", "form"),
    [
        ("S.O.S", "sos"),
        ("s o s", "sos"),
        ("s. o. s.", "sos."),
        ("h e l p  m e", "help me"),
        ("heeeelp meee", "help me"),
        ("can't", "cant"),
        ("ช่ ว ย ด้ ว ย", "ช่วยด้วย"),
        ("အမြန် ကူညီပါ", "အမြန်ကူညီပါ"),
        ("ยึด work permit", "ยึด work permit"),
    ],
)
def test_the_match_form_ignores_separators_case_and_doubled_letters(text: str, form: str) -> None:
    assert match_form(normalize(text, squeeze_spaces=False)) == form


def test_latin_phrases_match_whole_words_and_may_lose_their_spaces() -> None:
    pattern = compile_phrases([match_form(p) for p in ["rape", "help me now", "i am 15"]])
    assert pattern is not None
    assert pattern.search(match_form("they rape women here"))
    assert not pattern.search(match_form("grapes farm job"))
    assert pattern.search(match_form("pls helpmenow"))
    assert not pattern.search(match_form("i am 150 cm tall"))


def test_the_trie_matches_exactly_what_a_plain_alternation_matches() -> None:
    rng = random.Random(12)
    alphabet = "abc ก"
    for _ in range(200):
        phrases = {
            "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 4))).strip() or "a"
            for _ in range(rng.randint(1, 6))
        }
        forms = [match_form(p) for p in phrases if match_form(p)]
        trie = compile_phrases(forms)
        plain = re.compile(
            "|".join(
                (r"(?<![a-z0-9])" if re.match("[a-z0-9]", f) else "")
                + re.escape(f).replace(r"\ ", " ?")
                + (r"(?![a-z0-9])" if re.match("[a-z0-9]", f[-1]) else "")
                for f in forms
            )
        )
        for _ in range(20):
            text = match_form("".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12))))
            assert bool(trie and trie.search(text)) == bool(plain.search(text)), (forms, text)


QUESTION = Scan(tier1=True, asking=True)
DANGER_READ = Scores(danger=0.8, risk=0.05, asking=0.1)
QUESTION_READ = Scores(danger=0.3, risk=0.05, asking=0.6)


def test_a_danger_phrase_in_an_information_question_is_not_an_alarm() -> None:
    assert decide(QUESTION, QUESTION_READ).tier is None
    assert decide(QUESTION, DANGER_READ).tier == 1  # the model reads a disclosure


def test_first_person_about_danger_now_is_never_held_back() -> None:
    scan = Scan(tier1=True, asking=True, personal=True, now=True)
    assert decide(scan, Scores(danger=0.2, asking=0.7)).tier == 1
    assert not information_question(scan, Scores(danger=0.2, asking=0.7))
    # the model alone, a little unsure, with "me … now"
    assert decide(Scan(personal=True, now=True), Scores(danger=0.2)).tier == 1
    assert decide(Scan(), Scores(danger=0.2)).tier is None


def test_a_plea_as_danger_comes_with_a_danger_phrase_is_never_a_question() -> None:
    # "they will sell us to another company tonight, what do we do": the plea's own words
    # make the model read a question, and its danger reading is faint
    read = Scores(danger=0.1, risk=0.2, asking=0.6)
    plea = Scan(tier1=True, asking=True, personal=True, plea=True, now=True)
    assert decide(plea, read).tier == 1
    # without the plea, or without "now", the model's reading of a question still counts
    assert decide(dataclasses.replace(plea, plea=False), read).tier is None
    assert decide(dataclasses.replace(plea, now=False), read).tier is None
    # a plea about papers or pay names no danger: a question
    assert decide(Scan(asking=True, personal=True, plea=True, now=True), read).tier is None


def test_without_the_model_only_a_question_with_no_personal_word_holds_a_phrase_back() -> None:
    assert decide(Scan(tier1=True, asking=True)).tier is None
    assert decide(Scan(tier1=True, asking=True, personal=True)).tier == 1
    assert decide(Scan(tier1=True)).tier == 1


def test_a_personal_phrase_needs_the_person_to_speak_of_themselves() -> None:
    assert decide(Scan(tier1_if_personal=True)).tier is None
    assert decide(Scan(tier1_if_personal=True, personal=True)).tier == 1


def test_information_words_make_a_question_without_the_model_agreeing() -> None:
    scan = Scan(tier1=True, asking=True, information=True)
    assert decide(scan, Scores(danger=0.9, asking=0.05)).tier is None
    # but not when the person says it happens to them
    personal = Scan(tier1=True, asking=True, information=True, personal=True)
    assert decide(personal, Scores(danger=0.9, asking=0.05)).tier == 1


def test_tier_one_beats_tier_two_and_commands_beat_everything() -> None:
    assert decide(Scan(tier1=True, tier2=True)).tier == 1
    assert decide(Scan(tier2=True)).tier == 2
    assert decide(Scan(command=True, asking=True), QUESTION_READ).tier == 1
    assert decide(Scan(), Scores(danger=0.1, risk=RISK - 0.1)).tier == 2  # the two add up


@pytest.mark.parametrize(
    ("cue", "inside", "alone"),
    [
        ("ບໍ", "ບໍ່ເຄີຍໃຫ້ອອກ", "ແທ້ບໍ"),  # Lao: a question is not "not"
        ("ငါ", "ဒီည ငါးကြော်စားမယ်", "ငါ ဒီမှာ ရှိတယ်"),  # Burmese: "I" is not fish
        ("អញ", "សូមអញ្ជើញមកលេងផ្ទះ", "អញ នៅទីនេះ"),  # Khmer: "I" is not "please come"
    ],
)
def test_a_cue_does_not_end_inside_a_syllable(cue: str, inside: str, alone: str) -> None:
    """Only danger phrases may match into a syllable ("ຊ່ວຍແດ" finds "ຊ່ວຍແດ່")."""
    pattern = compile_phrases([match_form(cue)], whole_syllables=True)
    phrase = compile_phrases([match_form("ຊ່ວຍແດ")])
    assert pattern is not None and phrase is not None
    assert pattern.search(match_form(alone))
    assert not pattern.search(match_form(inside))
    assert phrase.search(match_form("ຊ່ວຍແດ່"))


def test_a_faint_reading_of_risk_alone_is_no_sign() -> None:
    """Everyday words ("my phone is broken") often read a little like a disclosure; below
    RISK, with no phrase and nothing said about the person now, they get no hotlines."""
    assert decide(Scan(), Scores(risk=0.35)).tier is None
    assert decide(Scan(), Scores(risk=RISK)).tier == 2
    assert decide(Scan(personal=True, now=True), Scores(risk=0.35)).tier == 2  # never doubt


def test_an_adult_age_silences_only_the_models_tier_two_reading() -> None:
    """ "I am 40": the model's child-labour reading is no sign; danger and phrases are."""
    assert decide(Scan(adult_age=True), Scores(risk=0.9)).tier is None
    assert decide(Scan(adult_age=True, personal=True, now=True), Scores(risk=0.9)).tier is None
    assert decide(Scan(adult_age=True), Scores(danger=0.8)).tier == 1
    assert decide(Scan(adult_age=True, tier2=True), Scores(risk=0.9)).tier == 2
