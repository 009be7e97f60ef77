"""The engine's tier-1 guard reads meaning in context, with the gate's rules (#12.3)."""

from __future__ import annotations

from typing import Any

import pytest

from bot.core.urgency.context import Scan
from bot.core.urgency.model import Scores
from bot.nlu.tier_guard import TierOneGuard, load_net, rerank


def ranking(*pairs: tuple[str, float]) -> list[dict[str, Any]]:
    return [{"name": name, "confidence": c} for name, c in pairs]


UNSURE = ranking(("ask_verify_job_offer", 0.45), ("report_forced_scam_work", 0.3), ("greet", 0.1))
SURE_DANGER = ranking(("report_forced_scam_work", 0.62), ("ask_verify_job_offer", 0.25))


def test_plausible_danger_is_promoted_when_it_is_not_a_question() -> None:
    assert rerank(UNSURE, 0.2, Scan())[0]["name"] == "report_forced_scam_work"
    assert rerank(UNSURE, 0.2, None)[0]["name"] == "report_forced_scam_work"


def test_a_question_for_information_is_not_promoted_and_danger_gives_way() -> None:
    question = Scan(asking=True)
    assert rerank(UNSURE, 0.2, question)[0]["name"] == "ask_verify_job_offer"
    # "is sex work legal?": words only such questions use, danger on top gives way
    legal = Scan(asking=True, information=True)
    assert rerank(SURE_DANGER, 0.2, legal)[0]["name"] == "ask_verify_job_offer"


def test_first_person_danger_now_is_never_demoted() -> None:
    now = Scan(asking=True, information=True, personal=True, now=True)
    assert rerank(SURE_DANGER, 0.2, now)[0]["name"] == "report_forced_scam_work"
    assert rerank(UNSURE, 0.2, now)[0]["name"] == "report_forced_scam_work"


@pytest.fixture(scope="module")
def guard() -> TierOneGuard:
    return TierOneGuard({"threshold": 0.2}, load_net())


def test_the_guard_reads_the_project_cues(guard: TierOneGuard) -> None:
    question = guard.scan("is it legal to hold a worker's passport?")
    assert question is not None and question.asking and question.information
    disclosure = guard.scan("they are beating me right now")
    assert disclosure is not None and disclosure.personal and disclosure.now


def test_the_gate_models_reading_decides_what_a_question_is() -> None:
    """The guard judges a question with the gate's model, so gate and engine agree."""
    question = Scan(asking=True)
    reads_a_question = Scores(danger=0.1, asking=0.5)
    reads_danger = Scores(danger=0.8, asking=0.05)
    assert (
        rerank(SURE_DANGER, 0.2, question, reads_a_question)[0]["name"] == "ask_verify_job_offer"
    )
    assert rerank(SURE_DANGER, 0.2, question, reads_danger)[0]["name"] == "report_forced_scam_work"


def test_a_faint_tier_one_reading_is_lifted_only_if_the_gate_agrees() -> None:
    """Everyday words the classifier reads a little like violence stay everyday words."""
    everyday = ranking(("small_talk", 0.29), ("report_violence", 0.24), ("greet", 0.1))
    assert rerank(everyday, 0.2, Scan(), Scores(danger=0.05))[0]["name"] == "small_talk"
    assert rerank(everyday, 0.2, Scan(), Scores(danger=0.2))[0]["name"] == "report_violence"
    now = Scan(personal=True, now=True)  # "me … now": doubt never holds danger back
    assert rerank(everyday, 0.2, now, Scores(danger=0.0))[0]["name"] == "report_violence"
    assert rerank(everyday, 0.2, Scan(tier1=True), Scores())[0]["name"] == "report_violence"
    assert rerank(everyday, 0.2, Scan(), None)[0]["name"] == "report_violence"  # no model
