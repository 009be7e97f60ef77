"""Every table the bot stores, in one metadata: what migrations and schema checks compare.

The tables live beside the code that uses them (bot/storage/models.py, bot/storage/handoff.py,
bot/storage/journal.py) and none imports another's tables; importing them here joins them in
one place.
"""

from bot.storage import handoff as _handoff  # noqa: F401  (its tables join the metadata)
from bot.storage import journal as _journal  # noqa: F401  (the update journal's too)
from bot.storage.models import metadata

__all__ = ["metadata"]
