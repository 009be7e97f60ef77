"""Meaning in context: a disclosure or a question? (shared/spec/safety.md, invariant 11).

The same words are a cry for help in "they lock us in every night" and an ordinary
question in "is it legal to lock the dorm at night?". The net reports which phrase lists
and cues a message holds (`Scan`), the gate's model how much it reads like a disclosure
or like a question for information (`Scores`); `decide` turns both into the turn's tier:

- a danger sign (a `tier1` phrase, or the model's danger score) counts, unless the
  message is an *information question*: it has asking words, the model reads it more as
  a question than as a disclosure, and the person does not say it happens to them now;
- a `..._if_personal` phrase (a place, a sector, an everyday verb) also needs the person
  to speak of themselves (I, me, we…);
- someone who writes in the first person about danger now is never held back by doubt:
  with a personal and a now cue, the slightest danger sign is enough; a plea as danger
  comes ("they sell us tonight, what do we do") with a danger phrase is never a question.
Without the model (still loading, or unreadable) only a question with no personal word
at all holds a phrase back.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from bot.core.urgency.model import Scores

# the model's danger (tier-1) and risk (tier-1 + tier-2) shares that count as a sign.
# Chosen by 5-fold cross-validation on intents/: at 0.3, 90% of tier-1 examples and 2%
# of information questions reach it; the phrases and the rules below do the rest.
# RISK is higher (eighth session): at 0.3 the gate alone put the tier-2 reply, hotlines
# first, on 29% of held-out everyday sentences (small_talk: "my phone is broken", "we are
# from Laos"), at 0.4 on 16%, while it still reads 95.7% of tier-2 disclosures (96.8%
# at 0.3); what it leaves, the engine's own reading of the turn routes. 0.5 read only
# 93.6% (same cross-validation) and 0.88 of bench-safety's tier-2 set alone.
DANGER = 0.3
RISK = 0.4
FIRST_PERSON_NOW = 0.15  # "I … now" lowers the bar: doubt never withholds help
ASKING = 0.2  # the model's information share that makes a question without "me" a question


@dataclass(frozen=True)
class Scan:
    """Which phrase lists and cues one message holds (flags only, never words)."""

    tier1: bool = False
    tier2: bool = False
    tier1_if_personal: bool = False
    tier2_if_personal: bool = False
    personal: bool = False  # also set by a plea: asking what to do is speaking of oneself
    plea: bool = False  # "what do we do", "where do I hide": asking for help, not information
    now: bool = False
    asking: bool = False
    information: bool = False
    command: bool = False  # a tier-1 command such as /sos
    # the whole message says how old the writer is, 18 or more ("I am 25", "ผมอายุ 40 ปี"):
    # the model reads every age as "I am 15" (report_child_labour, tier 2), so its tier-2
    # reading does not count; its tier-1 reading and every phrase still do ("I am 20 help")
    adult_age: bool = False


@dataclass(frozen=True)
class Verdict:
    """What the gate saw in one turn.

    tier: 1 (answer with emergency numbers now, before the engine), 2 (a hotline must be in
    the answer even if the engine fails), or None (no sign: the engine reads the turn).
    sign: a short name of what decided it, for tests and counters; never the user's words.
    """

    tier: int | None = None
    sign: str = ""
    # coercion signs (bot/tiers.py COERCION_SIGNS) the model read in a disclosure, for the
    # conversation's tier (conversation.py: tier 3 + coercion counts as tier 2)
    coercion: frozenset[str] = frozenset()


NO_SIGN = Verdict()


def information_question(scan: Scan, scores: Scores | None) -> bool:
    """Asking about something rather than telling what happens to the person now.

    A question that says nothing of the person (no "me", "we are"…) asks for information
    when the model sees an information reading in it, or when it has words only such
    questions use (how to avoid, is it legal, the penalty); one that speaks of the person,
    only when the model reads it more as a question than as a disclosure; one about the
    person and now, with any danger reading, never; nor a plea as danger comes with a
    danger phrase in it.
    """
    if not (scan.asking or scan.information):
        return False
    model = scores or Scores()
    if scan.personal and scan.now and (scores is None or model.danger >= FIRST_PERSON_NOW):
        return False
    phrase = scan.tier1 or scan.tier2 or scan.tier1_if_personal or scan.tier2_if_personal
    if scan.plea and scan.now and phrase:
        return False  # its asking words are the plea's, and the phrase names the danger
    if scan.personal:
        return scores is not None and model.asking > model.danger + model.risk
    return scores is None or scan.information or model.asking >= ASKING


def some_danger(scan: Scan, scores: Scores, bar: float) -> bool:
    """Whether the gate reads any danger at all: a tier-1 phrase (one said of oneself, if
    it needs that), the person speaking of themselves now, or the model's tier-1 share at
    bar. The engine's tier-1 guard lifts a tier-1 intent only then (bot/nlu/tier_guard.py)."""
    personal_phrase = scan.tier1_if_personal and scan.personal
    return scan.tier1 or personal_phrase or (scan.personal and scan.now) or scores.danger >= bar


def decide(scan: Scan, scores: Scores | None = None) -> Verdict:
    """The tier a message shows, most urgent first."""
    if scan.command:
        return Verdict(1, "command")
    model = scores or Scores()
    if scan.adult_age:
        model = dataclasses.replace(model, risk=0.0, coercion=frozenset())
    if information_question(scan, scores):
        return NO_SIGN
    signs = (
        (1, scan.tier1, scan.tier1_if_personal, model.danger, DANGER),
        (2, scan.tier2, scan.tier2_if_personal, model.danger + model.risk, RISK),
    )
    for tier, phrase, personal_phrase, score, bar in signs:
        if phrase:
            return Verdict(tier, "phrase", model.coercion)
        if personal_phrase and scan.personal:
            return Verdict(tier, "personal phrase", model.coercion)
        if score >= bar:
            return Verdict(tier, "model", model.coercion)
        if scan.personal and scan.now and score >= FIRST_PERSON_NOW:
            return Verdict(tier, "first person now", model.coercion)
    return Verdict(coercion=model.coercion) if model.coercion else NO_SIGN
