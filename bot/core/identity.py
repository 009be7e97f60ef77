"""Pseudonymous ids: a keyed hash of the Telegram id, so no table or log holds the raw id."""

from __future__ import annotations

import base64
import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF


def pseudonym(key: bytes, telegram_id: int) -> str:
    """Stable, non-reversible id for one Telegram user (32 hex characters)."""
    return hmac.new(key, f"tg:{telegram_id}".encode(), hashlib.sha256).hexdigest()[:32]


def _fernet(key: bytes) -> Fernet:
    """A Fernet key derived from the pseudonym key, so one secret protects both."""
    derived = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"safe-migration-bot:seal:v1"
    ).derive(key)
    return Fernet(base64.urlsafe_b64encode(derived))


def seal(key: bytes, chat_id: int) -> str:
    """Encrypt a chat id for storage: the bot can write to the person later (an operator's
    answer after a restart) while the table never holds the raw Telegram id."""
    return _fernet(key).encrypt(str(chat_id).encode()).decode()


def unseal(key: bytes, token: str) -> int:
    """The chat id sealed by `seal`; raises ValueError if the token is not ours."""
    try:
        return int(_fernet(key).decrypt(token.encode()).decode())
    except (InvalidToken, ValueError) as error:
        raise ValueError("not a sealed chat id of this key") from error
