"""Telegram's refusals, reproduced: flood control (429) and blocked chats (403).

Telegram answers a bot that sends too fast with 429 "Too Many Requests: retry after N"
and `parameters.retry_after`, and keeps refusing every send until that time has passed;
a person who blocked the bot makes each send to their chat fail with 403 "Forbidden: bot
was blocked by the user". Tests switch these on with POST /sandbox/faults:
  {"rate": 30,            sends per second allowed overall (a sliding second); null: off
   "retry_after": 2,      the wait a 429 asks for (whole seconds, as Telegram gives)
   "flood_every": 500,    also refuse every N-th send with a 429 (null: never)
   "blocked": [ids]}      chats whose person blocked the bot
"""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

SENDS = frozenset({"sendmessage", "copymessage", "senddocument", "sendphoto"})


class Refused(Exception):
    """A Bot API error with Telegram's code, description and parameters."""

    def __init__(self, code: int, description: str, parameters: dict[str, Any] | None = None):
        super().__init__(description)
        self.code, self.description, self.parameters = code, description, parameters


@dataclass
class Limits:
    """What the sandbox refuses now; off until a test switches it on."""

    rate: float | None = None
    retry_after: int = 1
    flood_every: int | None = None
    blocked: set[int] = field(default_factory=set)
    sends: int = 0
    refused_429: int = 0
    refused_403: int = 0
    _recent: deque[float] = field(default_factory=deque)
    _flood_until: float = 0.0

    def configure(self, body: dict[str, Any]) -> None:
        """Apply a POST /sandbox/faults body (missing keys keep their value)."""
        if "rate" in body:
            self.rate = None if body["rate"] is None else float(body["rate"])
        self.retry_after = int(body.get("retry_after", self.retry_after))
        if "flood_every" in body:
            self.flood_every = None if not body["flood_every"] else int(body["flood_every"])
        if "blocked" in body:
            self.blocked = {int(i) for i in body["blocked"]}

    def check(self, method: str, params: dict[str, Any]) -> None:
        """Raise Refused as Telegram would for this call; count the sends let through."""
        if method.lower() not in SENDS:
            return
        now = time.monotonic()
        if now < self._flood_until:
            self._flood(self._flood_until - now)
        self.sends += 1
        if self.flood_every and self.sends % self.flood_every == 0:
            self._flood_until = now + self.retry_after
            self._flood(self.retry_after)
        if self.rate is not None:
            while self._recent and self._recent[0] <= now - 1.0:
                self._recent.popleft()
            if len(self._recent) >= self.rate:
                self._flood_until = now + self.retry_after
                self._flood(self.retry_after)
            self._recent.append(now)
        if _chat(params) in self.blocked:
            self.refused_403 += 1
            raise Refused(403, "Forbidden: bot was blocked by the user")

    def _flood(self, wait: float) -> None:
        seconds = max(1, round(wait + 0.49))
        self.refused_429 += 1
        raise Refused(429, f"Too Many Requests: retry after {seconds}", {"retry_after": seconds})


def _chat(params: dict[str, Any]) -> int | None:
    try:
        return int(params.get("chat_id", ""))
    except (TypeError, ValueError):
        return None
