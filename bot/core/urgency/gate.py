"""The gate: the tier a turn's own words show, decided before anything else runs.

Every kind of turn comes here as text: typed text, a command with its arguments
("/sos", "/help they locked us in"), a caption, an edited message, a button that carries
text, a message during an open case. The gate reads a bounded window of it, so a forged
100,000-character message costs no more than a real one (Telegram caps a message at
4,096 characters and a caption at 1,024: every real message is read whole).
"""

from __future__ import annotations

import dataclasses
import re
from collections import OrderedDict

from bot.core.age import AgeReader
from bot.core.urgency.context import NO_SIGN, Verdict, decide
from bot.core.urgency.matching import match_form
from bot.core.urgency.model import TierModel
from bot.core.urgency.net import SafetyNet
from bot.text.normalize import normalize

HEAD = 4096  # Telegram's longest text message
TAIL = 1024  # and the end of anything longer (a forged update): both ends are read
# each update is screened on arrival (to answer danger before the line) and again as the
# first step of its turn: the second time is a lookup. A few seconds of campaign-day traffic.
REMEMBERED = 512
_COMMAND = re.compile(r"\s*/([a-z0-9_]{1,64})(?:@[a-z0-9_]+)?(?![^\s])", re.IGNORECASE)

__all__ = ["HEAD", "NO_SIGN", "TAIL", "Gate", "Verdict", "window"]


def window(text: str) -> str:
    """The part of a text the gate reads: all of it, up to Telegram's own limits."""
    if len(text) <= HEAD + TAIL:
        return text
    return f"{text[:HEAD]}\n{text[-TAIL:]}"


def split_command(text: str) -> tuple[str, str]:
    """("sos", "they locked us in") from "/sos@our_bot they locked us in"; ("", text) else."""
    found = _COMMAND.match(text)
    if found is None:
        return "", text
    return found.group(1).lower(), text[found.end() :]


class Gate:
    """Screens the words of every turn; swapped as a whole when staff reload the phrases."""

    def __init__(
        self,
        net: SafetyNet | None = None,
        model: TierModel | None = None,
        ages: AgeReader | None = None,
    ) -> None:
        self.net = net or SafetyNet.empty()
        self.model = model  # None until loaded: the phrases alone decide meanwhile
        self.ages = ages or AgeReader.empty()  # "I am 15" (child routing), "I am 40" (no sign)
        self._recent: OrderedDict[str, Verdict] = OrderedDict()  # a pure function's memo

    def screen(self, text: str) -> Verdict:
        """The verdict on one turn's text (raw or already normalised: both work)."""
        verdict = self._recent.get(text)
        if verdict is None:
            verdict = self._screen(text)
            self._recent[text] = verdict
            if len(self._recent) > REMEMBERED:
                self._recent.popitem(last=False)
        return verdict

    def _screen(self, text: str) -> Verdict:
        command, rest = split_command(normalize(window(text), squeeze_spaces=False))
        # the words after any command are read; its name only against the command list
        # (a bare /help is the menu, not a cry for help)
        form = match_form(rest)
        scan = self.net.scan(form)
        if command and command in self.net.commands:
            scan = dataclasses.replace(scan, command=True)
        age = self.ages.read(rest)
        if age is not None and age.adult_only:
            scan = dataclasses.replace(scan, adult_age=True)
        return decide(scan, self.model.scores(form) if self.model and form else None)
