"""What the hand-off asks of the dialogue engine: pause and resume.

Rasa's HTTP API (the engine runs with --enable-api): POST pause/resume events so the
tracker records that a person took over, and that the bot is back. Failures only log: a
case must open and close even with the engine down. How urgent the conversation is comes
from the bot's own record (bot/core/tierbook.py), never from the engine's tracker.
"""

from __future__ import annotations

import logging

import httpx

log = logging.getLogger(__name__)


class EngineControl:
    """Talks to the engine's HTTP API; every call is short and may fail."""

    def __init__(self, base_url: str, client: httpx.AsyncClient, timeout: float = 3.0) -> None:
        self._url = base_url.rstrip("/")
        self._client = client
        self._timeout = timeout

    async def pause(self, sender: str) -> bool:
        """Record in the tracker that a person took over."""
        return await self._event(sender, "pause")

    async def resume(self, sender: str) -> bool:
        """Record in the tracker that the bot is back (a paused tracker would stay silent)."""
        return await self._event(sender, "resume")

    async def _event(self, sender: str, event: str) -> bool:
        try:
            response = await self._client.post(
                f"{self._url}/conversations/{sender}/tracker/events",
                json={"event": event},
                timeout=self._timeout,
            )
            response.raise_for_status()
        except httpx.HTTPError as error:
            log.warning("engine %s not recorded: %s", event, type(error).__name__)
            return False
        return True
