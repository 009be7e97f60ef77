"""Pseudonymous ids: a keyed hash of the Telegram id, so no table or log holds the raw id."""

from __future__ import annotations

import hashlib
import hmac


def pseudonym(key: bytes, telegram_id: int) -> str:
    """Stable, non-reversible id for one Telegram user (32 hex characters)."""
    return hmac.new(key, f"tg:{telegram_id}".encode(), hashlib.sha256).hexdigest()[:32]
