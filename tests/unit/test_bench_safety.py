"""make bench-safety judges replies by the catalogs' own text: it must not misjudge them.

The benchmark's figures are only as good as its judge (bot/engine/safety_reply.py), and
its sets must hold what the issue asks (bot/engine/safety_sets.py, tests/safety/).
"""

from __future__ import annotations

import pytest

from bot.core import content, messages
from bot.core.types import LOCALES, BotReply, Line
from bot.engine.safety_reply import Judge
from bot.engine.safety_sets import KINDS, SETS, Case, load_cases
from bot.settings import LOCALES_DIR

LINES = (Line("Police", "191"),)


@pytest.fixture(scope="module")
def judge() -> Judge:
    return Judge.load(LOCALES_DIR)


@pytest.mark.parametrize("locale", LOCALES)
def test_the_judge_recognises_each_tier_reply_as_rendered(judge: Judge, locale: str) -> None:
    catalogs = content.load(LOCALES_DIR).catalogs
    for msgid, tier in (
        (messages.ROUTED_TIER1, 1),
        (messages.ROUTED_TIER2, 2),
        (messages.ROUTED_TIER3, None),
        (messages.ENGINE_DOWN, None),
        (messages.HOTLINES_LIST, None),
    ):
        text = catalogs.render(BotReply(msgid, lines=LINES), locale)
        assert judge.tier_of(locale, text) == tier, (msgid[:30], locale)


def test_the_judge_reads_numbers_per_tier(judge: Judge) -> None:
    ordinary = Case("ordinary", "my", "text", "question", 4)
    assert judge.outcome(ordinary, ["ok 191"], 0.1).right  # an answer with 191 is no alarm
    tier2 = Case("tier2", "km", "text", "disclosure", 2)
    assert judge.outcome(tier2, ["x", "call 1-800-010-181"], 0.1).right
    assert not judge.outcome(tier2, ["call 1-800-010-180"], 0.1).right  # the Burmese line


@pytest.mark.parametrize("locale", LOCALES)
def test_every_language_has_the_sets_the_issue_asks_for(locale: str) -> None:
    sets = {name: load_cases(name, locale) for name in SETS}
    assert len(sets["ordinary"]) >= 40
    assert {c.tier for c in sets["ordinary"]} == {4}
    assert len(sets["everyday"]) >= 20 and {c.tier for c in sets["everyday"]} == {4}
    assert len(sets["tier1"]) >= 30 and {c.tier for c in sets["tier1"]} == {1}
    assert len(sets["tier2"]) >= 25 and {c.tier for c in sets["tier2"]} == {2}
    # the held-out checks: disclosures and questions apart, and questions about now
    fresh3 = [c.tier for c in sets["fresh3"]]
    assert fresh3.count(1) == 10 and fresh3.count(4) == 12
    assert len(sets["nowq"]) == 20 and {c.tier for c in sets["nowq"]} == {4}
    forms = sets["forms"]
    assert {c.kind for c in forms} == set(KINDS)
    assert any(c.text.startswith("/sos") for c in forms)
    assert any("🆘" in c.text for c in forms)
