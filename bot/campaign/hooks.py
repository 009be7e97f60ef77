"""The one-line calls the adapter makes for the campaign figures (issue #14): at /start,
and after a turn's reply is out. Both only count in memory; neither can fail a reply."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from bot.campaign.counting import count_outcome
from bot.campaign.tally import Tally
from bot.core.identity import pseudonym
from bot.core.types import BotReply, as_locale

log = logging.getLogger(__name__)


def _tally(bot_data: Mapping[str, Any]) -> Tally | None:
    found = bot_data.get("campaign")
    return found.tally if found is not None else None


def on_start(bot_data: Mapping[str, Any], user: Any, args: Sequence[str] | None) -> None:
    """/start [code]: an arrival, counted once per person for the source of the first."""
    tally, svc = _tally(bot_data), bot_data.get("services")
    if tally is None or svc is None or user is None:
        return
    code = args[0][:64] if args else ""
    sender = pseudonym(svc.pseudonym_key, user.id)
    tally.arrived(sender, code, as_locale(user.language_code) or "")


def after_reply(
    bot_data: Mapping[str, Any], sender: str, locale: str, replies: tuple[BotReply, ...]
) -> None:
    """After the reply: count the hotline numbers it showed, by tier."""
    try:
        count_outcome(_tally(bot_data), sender, locale, replies)
    except Exception as error:  # a figure is never worth a failed reply
        log.warning("a count was lost: %s", type(error).__name__)
