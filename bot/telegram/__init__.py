"""Telegram adapter: Update in, rendered replies out. No SQL and no Rasa JSON here."""
