"""Pseudonymous ids and sealed chat ids, with one key per purpose.

- Pseudonyms: an HMAC of the Telegram id under PSEUDONYM_KEY, so no table or log holds the
  raw id. The key is used as given (version 1): every stored pseudonym depends on it, so
  changing it makes every person new to the bot (README "Security", rotating keys).
- Sealed chat ids (a case's way back to its person): Fernet under keys *derived* with HKDF,
  one label per purpose, so the encryption key is not the pseudonym key and neither reveals
  the other. Several sealing secrets may be live at once (MultiFernet): the first seals,
  every one opens, and `reseal` moves a token to the first; that is how SEAL_KEYS rotates.
- Relay ids (a message relayed once, never twice): an HMAC under another derived key.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Sequence
from dataclasses import dataclass, field

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

SEAL_LABEL = b"safe-migration-bot:seal:v1"  # the label sealed chat ids have used from the start
RELAY_LABEL = b"safe-migration-bot:relay:v1"


def derive(secret: bytes, label: bytes) -> bytes:
    """A 32-byte key for one purpose (HKDF-SHA256): different labels, unrelated keys."""
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=label).derive(secret)


def pseudonym(key: bytes, telegram_id: int) -> str:
    """Stable, non-reversible id for one Telegram user (32 hex characters)."""
    return hmac.new(key, f"tg:{telegram_id}".encode(), hashlib.sha256).hexdigest()[:32]


class Sealer:
    """Encrypts chat ids for storage; seals with the first secret, opens with any."""

    def __init__(self, secrets: Sequence[bytes]) -> None:
        if not secrets:
            raise ValueError("a sealer needs at least one secret")
        fernets = [Fernet(base64.urlsafe_b64encode(derive(s, SEAL_LABEL))) for s in secrets]
        self._newest = fernets[0]
        self._all = MultiFernet(fernets)

    def seal(self, chat_id: int) -> str:
        """The chat id encrypted (and authenticated) under the newest secret."""
        return self._newest.encrypt(str(chat_id).encode()).decode()

    def unseal(self, token: str) -> int:
        """The chat id of a token sealed under any live secret; ValueError otherwise."""
        try:
            return int(self._all.decrypt(token.encode()).decode())
        except (InvalidToken, ValueError) as error:
            raise ValueError("not a sealed chat id of these keys") from error

    def reseal(self, token: str) -> str:
        """The same chat id sealed under the newest secret (ValueError if unreadable)."""
        try:
            return self._all.rotate(token.encode()).decode()
        except InvalidToken as error:
            raise ValueError("not a sealed chat id of these keys") from error

    def is_newest(self, token: str) -> bool:
        """True when the token is already sealed under the newest secret."""
        try:
            self._newest.decrypt(token.encode())
        except InvalidToken:
            return False
        return True


@dataclass(frozen=True)
class Keys:
    """Every key the bot uses, from PSEUDONYM_KEY and the optional SEAL_KEYS."""

    pseudonym: bytes = field(repr=False)
    relay: bytes = field(repr=False)
    sealer: Sealer = field(repr=False)

    @classmethod
    def from_secrets(cls, master: bytes, seal_secrets: Sequence[bytes] = ()) -> Keys:
        """SEAL_KEYS (newest first) seal; the key derived from PSEUDONYM_KEY, which sealed
        everything before any rotation, always still opens."""
        return cls(master, derive(master, RELAY_LABEL), Sealer([*seal_secrets, master]))


def seal(key: bytes, chat_id: int) -> str:
    """`chat_id` sealed under the key derived from one secret (see Sealer)."""
    return Sealer([key]).seal(chat_id)


def unseal(key: bytes, token: str) -> int:
    """The chat id sealed by `seal`; raises ValueError if the token is not ours."""
    return Sealer([key]).unseal(token)
