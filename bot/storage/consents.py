"""Consent events: one table, appended to by privacy (keeping words, the transcript) and
by broadcasts (getting updates). /forget erases them with the person's other rows."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from bot.storage.models import ConsentEvent


def record_consent(
    session: Session,
    pseudonym: str,
    kind: str,
    granted: bool,
    notice_version: str,
    locale: str,
    now: datetime,
) -> None:
    """Append one consent event; the newest event of a kind is the user's current choice."""
    session.add(
        ConsentEvent(
            pseudonym=pseudonym,
            kind=kind,
            granted=granted,
            notice_version=notice_version,
            locale=locale,
            at=now,
        )
    )
