"""The two places the adapter counts for the campaign figures (issue #14): a turn as it
arrives (a /start with a deep link's code is an arrival), and each outcome as it goes
out (which hotline numbers it showed). Both only count in memory; neither can fail or
delay a reply."""

from __future__ import annotations

import logging
from contextlib import AbstractAsyncContextManager

from bot.campaign.counting import count_outcome
from bot.campaign.tally import Tally
from bot.core.turn import Kind, Outbox, Outcome, Turn
from bot.core.types import as_locale

log = logging.getLogger(__name__)
CODE_LENGTH = 64  # Telegram's deep-link payload is at most 64 characters


def on_turn(tally: Tally | None, turn: Turn) -> None:
    """/start [code] in a private chat: an arrival, counted once per person, for the
    source of their first arrival (an unknown code counts as "other")."""
    if tally is None or not turn.private or turn.kind is not Kind.COMMAND:
        return
    if turn.command != "start":
        return
    words = turn.text.split()
    code = words[0][:CODE_LENGTH] if words else ""
    tally.arrived(turn.sender, code, as_locale(turn.locale_hint) or "")


class CountingOutbox:
    """The adapter's Outbox, counting after each send which hotline numbers it showed."""

    def __init__(self, out: Outbox, tally: Tally | None) -> None:
        self._out = out
        self._tally = tally

    async def send(self, turn: Turn, outcome: Outcome) -> list[int]:
        """Send as the adapter does; then count (a failed count loses only the count)."""
        sent = await self._out.send(turn, outcome)
        try:
            count_outcome(self._tally, turn.sender, outcome.locale, outcome.replies)
        except Exception as error:  # a figure is never worth a failed reply
            log.warning("a count was lost: %s", type(error).__name__)
        return sent

    def typing(self, turn: Turn) -> AbstractAsyncContextManager[None]:
        """As the adapter shows it."""
        return self._out.typing(turn)

    async def delete(self, turn: Turn, message_ids: list[int]) -> int:
        """As the adapter deletes."""
        return await self._out.delete(turn, message_ids)
