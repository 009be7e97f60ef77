"""The retention job: what users agreed to keep is removed when its time is up."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from bot.storage.privacy import SqlPrivacyStore
from bot.storage.session import StorageUnavailable

log = logging.getLogger(__name__)


async def keep_purging(store: SqlPrivacyStore, keep_for: timedelta, every: float) -> None:
    """Purge now and then every `every` seconds, until cancelled; a dead database only
    postpones the purge to the next run (nothing is kept longer than one extra period)."""
    while True:
        try:
            purged = await store.purge(keep_for)
            if purged.texts or purged.message_ids or purged.engine_events:
                log.info(
                    "retention: purged %d texts, %d message ids, %d engine events",
                    purged.texts,
                    purged.message_ids,
                    purged.engine_events,
                )
        except StorageUnavailable:
            log.warning("retention: database unavailable, will retry")
        await asyncio.sleep(every)
