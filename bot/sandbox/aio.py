"""The load benches' async HTTP client for the sandbox's user side, on aiohttp.

A bench plays every person at once: 40 messages a second and a long poll per chat (66 in
flight). With httpx the bench's own process took a whole core in the flood run (httpcore's
pool costs about 2.7 ms of CPU per call with 20 in flight, aiohttp about 0.27 ms), so it
read replies late, counted its own delay as the bot's, and took CPU from the stack it
measured (on the same two cores).
"""

from __future__ import annotations

from types import TracebackType
from typing import Any

import aiohttp

Error = aiohttp.ClientError  # what a call raises when the sandbox is unreachable


class SandboxSession:
    """JSON in, JSON out: `async with SandboxSession(url) as http: await http.get(...)`."""

    def __init__(self, url: str, timeout: float = 60.0, connections: int = 500) -> None:
        self._url, self._timeout, self._connections = url, timeout, connections
        self._session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> SandboxSession:
        self._session = aiohttp.ClientSession(
            self._url,
            connector=aiohttp.TCPConnector(limit=self._connections),
            timeout=aiohttp.ClientTimeout(total=self._timeout),
        )
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self._session is not None:
            await self._session.close()

    async def get(self, path: str, **params: str | int) -> Any:
        """GET path?params; the parsed JSON answer (an error status raises)."""
        async with self._open().get(path, params=params) as response:
            response.raise_for_status()
            return await response.json()

    async def post(self, path: str, body: dict[str, Any]) -> Any:
        """POST a JSON body; the parsed JSON answer (an error status raises)."""
        async with self._open().post(path, json=body) as response:
            response.raise_for_status()
            return await response.json()

    def _open(self) -> aiohttp.ClientSession:
        if self._session is None:
            raise RuntimeError("use SandboxSession in `async with`")
        return self._session
