"""Conversation core: decides what to do with a turn; knows nothing of Telegram or SQL."""
