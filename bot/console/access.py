"""Who may open the console: one-time links from /console, then a signed session cookie.

Links and sessions live in the bot's state port (this process, or Redis with REDIS_URL,
so a second bot process honours them); only digests of the secrets are stored there, so
what the state holds cannot be replayed. A link opens one session, once, within 10
minutes; a session lasts SESSION_TTL and ends at logout. The cookie carries a random
session id and its HMAC under a key derived from PSEUDONYM_KEY: nothing about who the
staff member is, and a forged or altered cookie is refused before any state is read.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from bot.core import clock as wall
from bot.core.identity import derive
from bot.core.state import State

LINK_TTL = 600.0  # a /console link works for 10 minutes
SESSION_TTL = 8 * 3600.0  # a working day; then a new /console
COOKIE = "console_session"
_LABEL = b"safe-migration-bot:console:v1"


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True)
class Session:
    """An open console session: its id (in the cookie) and its form token (CSRF)."""

    sid: str
    csrf: str
    expires: float

    @property
    def key(self) -> str:
        """Where per-session values (the test person) are kept in the state port."""
        return _digest(self.sid)


class Access:
    """Issues links, redeems them once, opens and checks sessions."""

    def __init__(
        self, state: State, secret: bytes, clock: Callable[[], float] | None = None
    ) -> None:
        self.state = state
        self._key = derive(secret, _LABEL)
        self._clock = clock or (lambda: wall.now().timestamp())  # the bot's one clock

    async def issue(self) -> str:
        """A new one-time link token (goes into the link /console sends)."""
        token = secrets.token_urlsafe(32)
        await self.state.put(f"console-link:{_digest(token)}", "1", LINK_TTL)
        return token

    async def redeem(self, token: str) -> Session | None:
        """A new session for a live, unused link token; None for anything else."""
        digest = _digest(token)
        if not token or await self.state.get(f"console-link:{digest}") is None:
            return None
        # put_new is atomic (SET NX in Redis): of two simultaneous uses, one wins
        if not await self.state.put_new(f"console-used:{digest}", "1", LINK_TTL):
            return None
        await self.state.drop(f"console-link:{digest}")
        session = Session(
            secrets.token_urlsafe(32), secrets.token_urlsafe(32), self._clock() + SESSION_TTL
        )
        value = json.dumps({"csrf": session.csrf, "expires": session.expires})
        await self.state.put(f"console-session:{session.key}", value, SESSION_TTL)
        return session

    def cookie(self, session: Session) -> str:
        """The cookie value: the session id and its signature."""
        return f"{session.sid}.{self._sign(session.sid)}"

    async def session(self, cookie: str | None) -> Session | None:
        """The open session a cookie names; None if forged, expired or logged out."""
        sid, _, signature = (cookie or "").partition(".")
        if not sid or not hmac.compare_digest(signature, self._sign(sid)):
            return None
        raw = await self.state.get(f"console-session:{_digest(sid)}")
        if raw is None:
            return None
        data = json.loads(raw)
        if float(data["expires"]) <= self._clock():
            return None
        return Session(sid, str(data["csrf"]), float(data["expires"]))

    async def end(self, session: Session) -> None:
        """Logout: the session (and its test person's transcript) is gone."""
        await self.state.drop(f"console-session:{session.key}", f"console-try:{session.key}")

    def _sign(self, sid: str) -> str:
        return hmac.new(self._key, sid.encode(), hashlib.sha256).hexdigest()
