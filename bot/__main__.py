"""python -m bot: run the Telegram bot (the engine and action server run separately)."""

from __future__ import annotations

import sys

from telegram.error import InvalidToken

from bot.settings import SettingsError, load_settings
from bot.telegram.app import run
from bot.telegram.logs import configure_logging


def main() -> int:
    """Start the bot, or print the one missing setting and exit with status 2."""
    try:
        settings = load_settings()
    except SettingsError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    configure_logging(settings.secrets())
    try:
        run(settings)
    except SettingsError as error:  # found while building, e.g. a malformed DESKS_FILE
        print(f"error: {error}", file=sys.stderr)
        return 2
    except InvalidToken:  # its message quotes the token: never print it
        print(
            "error: TELEGRAM_BOT_TOKEN was refused by the Bot API server "
            "(copy it again from @BotFather)",
            file=sys.stderr,
        )
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
