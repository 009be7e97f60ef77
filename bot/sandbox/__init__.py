"""A local Telegram Bot API server and a terminal chat, for trying and testing without Telegram."""
