"""What the hand-off asks of the dialogue engine: what it saw, and pause/resume.

Rasa's HTTP API (the engine runs with --enable-api, behind RASA_AUTH_TOKEN): GET the
tracker for the urgency tier and the risk intents seen so far (names only, never text),
POST pause/resume events so the tracker records that a person took over. Each call goes
to the person's engine replica, or the next one when it fails. Failures only log: a case
must open even with the engine down (then the tier is unknown, shown as 1 so nobody waits
as "low").
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import httpx

from bot.core.dialogue import Replicas
from bot.tiers import conversation_tier, tier_of

log = logging.getLogger(__name__)
UNKNOWN_TIER = 1  # engine down: treat the person as possibly in danger
UNKNOWN = "?"  # the indicators when the engine could not be asked


@dataclass(frozen=True)
class Seen:
    """The conversation's tier and risk intents, in the order first seen."""

    tier: int
    indicators: tuple[str, ...]


class EngineControl:
    """Talks to the engine's HTTP API; every call is short and may fail."""

    def __init__(
        self, replicas: Replicas | str, client: httpx.AsyncClient, timeout: float = 3.0
    ) -> None:
        self._replicas = replicas if isinstance(replicas, Replicas) else Replicas(replicas)
        self._client = client
        self._timeout = timeout

    async def _call(
        self, method: str, sender: str, path: str, body: dict[str, str] | None = None
    ) -> httpx.Response:
        """One API call for a conversation: its replica first, then the others."""
        failure: Exception = httpx.ConnectError("no replica")
        for url in self._replicas.for_sender(sender):
            try:
                response = await self._client.request(
                    method,
                    f"{url}/conversations/{sender}/{path}",
                    params=self._replicas.params,
                    timeout=self._timeout,
                    json=body,
                )
                response.raise_for_status()
                return response
            except httpx.HTTPError as error:
                failure = error
        raise failure

    async def seen(self, sender: str) -> Seen:
        """Tier and risk intents of this conversation, from the engine's tracker."""
        try:
            response = await self._call("GET", sender, "tracker")
            events = response.json().get("events") or []
        except (httpx.HTTPError, ValueError, AttributeError) as error:
            log.warning("engine tracker unavailable for a case card: %s", type(error).__name__)
            return Seen(UNKNOWN_TIER, (UNKNOWN,))
        intents = [
            str((e.get("parse_data") or {}).get("intent", {}).get("name") or "")
            for e in events
            if isinstance(e, dict) and e.get("event") == "user"
        ]
        risky = tuple(dict.fromkeys(i for i in intents if tier_of(i) < 4))
        return Seen(conversation_tier(intents), risky)

    async def pause(self, sender: str) -> bool:
        """Record in the tracker that a person took over."""
        return await self._event(sender, "pause")

    async def resume(self, sender: str) -> bool:
        """Record in the tracker that the bot is back (a paused tracker would stay silent)."""
        return await self._event(sender, "resume")

    async def _event(self, sender: str, event: str) -> bool:
        try:
            await self._call("POST", sender, "tracker/events", {"event": event})
        except httpx.HTTPError as error:
            log.warning("engine %s not recorded: %s", event, type(error).__name__)
            return False
        return True
