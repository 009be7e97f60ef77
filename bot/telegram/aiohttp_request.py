"""PTB's Bot API calls made with aiohttp instead of httpx.

On a campaign day the bot makes three or four Bot API calls per message (the messages of
its answer, a chat action, its share of getUpdates), dozens of them in flight at once.
httpx (through httpcore's connection pool) spent about 2.7 ms of CPU per call with 20 in
flight on the 2-core machine of `make bench`, aiohttp about 0.27 ms; a profile of the bot
under load put half of the bot process's CPU in httpx. PTB's `BaseRequest` is its
documented extension point for another HTTP library, and aiohttp is already what the
webhook listens with. The wire format is PTB's own: form fields, multipart with files.
"""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData


def _total(*parts: float | None) -> float | None:
    """The sum of the parts, or None (no limit) if any part has none."""
    return None if any(part is None for part in parts) else sum(p for p in parts if p)


class AiohttpRequest(BaseRequest):
    """The same defaults as PTB's HTTPXRequest: 5 s to connect, write and read, 1 s to
    wait for a free connection, 20 s to write a file."""

    def __init__(
        self,
        connection_pool_size: int = 256,
        read_timeout: float | None = 5.0,
        write_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
        media_write_timeout: float | None = 20.0,
    ) -> None:
        self._pool_size = connection_pool_size
        self._read_timeout = read_timeout
        self._write_timeout = write_timeout
        self._connect_timeout = connect_timeout
        self._pool_timeout = pool_timeout
        self._media_write_timeout = media_write_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        """The default read timeout (getUpdates adds its long-poll time to it)."""
        return self._read_timeout

    async def initialize(self) -> None:
        """Open the connection pool (on the running loop)."""
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._pool_size),
                headers={"User-Agent": self.USER_AGENT},
            )

    async def shutdown(self) -> None:
        """Close the connection pool."""
        if self._session is not None and not self._session.closed:
            await self._session.close()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """Make the call; a timeout is TimedOut, any other failure NetworkError."""
        if self._session is None or self._session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        files = request_data.multipart_data if request_data else None
        fields = request_data.json_parameters if request_data else None
        # "not passed" is BaseRequest.DEFAULT_NONE, checked by identity as PTB documents
        read_timeout = _given(read_timeout, self._read_timeout)
        write_timeout = _given(
            write_timeout, self._media_write_timeout if files else self._write_timeout
        )
        connect_timeout = _given(connect_timeout, self._connect_timeout)
        pool_timeout = _given(pool_timeout, self._pool_timeout)
        # aiohttp has no write timeout: the whole call is bounded by the sum instead
        timeout = aiohttp.ClientTimeout(
            total=_total(pool_timeout, connect_timeout, write_timeout, read_timeout),
            connect=_total(pool_timeout, connect_timeout),
            sock_connect=connect_timeout,
            sock_read=read_timeout,
        )
        try:
            async with self._session.request(
                method, url, data=_body(fields, files), timeout=timeout
            ) as response:
                return response.status, await response.read()
        except asyncio.TimeoutError as error:  # aiohttp's own timeouts subclass it too
            raise TimedOut from error
        except aiohttp.ClientError as error:
            raise NetworkError(f"aiohttp.{type(error).__name__}: {error}") from error


def _given(timeout: Any, default: float | None) -> float | None:
    """The call's own timeout, or this request's default when the call passed none."""
    return default if timeout is BaseRequest.DEFAULT_NONE else timeout


def _body(
    fields: dict[str, str] | None, files: dict[str, Any] | None
) -> aiohttp.FormData | dict[str, str] | None:
    """Form fields as PTB sends them (a URL-encoded form), multipart once there are files."""
    if not files:
        return fields
    form = aiohttp.FormData(fields or {})
    for name, (filename, content, mimetype) in files.items():
        form.add_field(name, content, filename=filename, content_type=mimetype)
    return form
