"""What the hand-off asks of the dialogue engine: pause and resume.

Rasa's HTTP API (the engine runs with --enable-api, behind RASA_AUTH_TOKEN): POST
pause/resume events so the tracker records that a person took over, and that the bot is
back. Each call goes to the person's engine replica, or the next one when it fails.
Failures only log: a case must open and close even with the engine down. How urgent the
conversation is comes from the bot's own record (bot/core/tierbook.py), never from the
engine's tracker.
"""

from __future__ import annotations

import logging

import aiohttp

from bot.core.dialogue import CallFailed, Replicas

log = logging.getLogger(__name__)


class EngineControl:
    """Talks to the engine's HTTP API; every call is short and may fail."""

    def __init__(
        self, replicas: Replicas | str, client: aiohttp.ClientSession, timeout: float = 3.0
    ) -> None:
        self._replicas = replicas if isinstance(replicas, Replicas) else Replicas(replicas)
        self._client = client
        self._timeout = timeout

    async def _call(
        self, method: str, sender: str, path: str, body: dict[str, str] | None = None
    ) -> None:
        """One API call for a conversation: its replica first, then the others; the last
        failure is raised when none took it."""
        failure: Exception = aiohttp.ClientConnectionError("no replica")
        for url in self._replicas.for_sender(sender):
            try:
                async with self._client.request(
                    method,
                    f"{url}/conversations/{sender}/{path}",
                    params=self._replicas.params,
                    timeout=aiohttp.ClientTimeout(total=self._timeout),
                    json=body,
                    raise_for_status=True,
                ) as response:
                    await response.read()
                return
            except CallFailed as error:
                failure = error
        raise failure

    async def pause(self, sender: str) -> bool:
        """Record in the tracker that a person took over."""
        return await self._event(sender, "pause")

    async def resume(self, sender: str) -> bool:
        """Record in the tracker that the bot is back (a paused tracker would stay silent)."""
        return await self._event(sender, "resume")

    async def _event(self, sender: str, event: str) -> bool:
        try:
            await self._call("POST", sender, "tracker/events", {"event": event})
        except CallFailed as error:
            log.warning("engine %s not recorded: %s", event, type(error).__name__)
            return False
        return True
