"""Every table the bot stores, in one metadata: what migrations and schema checks compare.

The tables live beside the code that uses them (bot/storage/models.py, bot/storage/handoff.py,
bot/storage/journal.py, the campaign's broadcasts.py, recipients.py and campaign.py) and none
imports another's tables; importing them here joins them in one place.
"""

from bot.storage import broadcasts as _broadcasts  # noqa: F401  (campaign opt-ins, #14)
from bot.storage import campaign as _campaign  # noqa: F401  (campaign sources, counters)
from bot.storage import handoff as _handoff  # noqa: F401  (its tables join the metadata)
from bot.storage import journal as _journal  # noqa: F401  (the update journal's too)
from bot.storage import recipients as _recipients  # noqa: F401  (each broadcast copy)
from bot.storage.models import metadata

__all__ = ["metadata"]
