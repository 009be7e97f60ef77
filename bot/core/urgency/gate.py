"""The gate: the tier a turn's own words show, decided before anything else runs."""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.urgency.net import SafetyNet


@dataclass(frozen=True)
class Verdict:
    """What the gate saw in one turn.

    tier: 1 (answer with emergency numbers now, before the engine), 2 (a hotline must be in
    the answer even if the engine fails), or None (no sign: the engine reads the turn).
    sign: a short name of what decided it, for tests and counters; never the user's words.
    """

    tier: int | None = None
    sign: str = ""


NO_SIGN = Verdict()


class Gate:
    """Screens the words of every turn; swapped as a whole when staff reload the phrases."""

    def __init__(self, net: SafetyNet | None = None) -> None:
        self.net = net or SafetyNet.empty()

    def screen(self, text: str) -> Verdict:
        """The verdict on one turn's text (already normalised or not: both work)."""
        tier = self.net.tier(text)
        return Verdict(tier, "phrase") if tier is not None else NO_SIGN
