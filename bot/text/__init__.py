"""Text utilities shared by the Telegram adapter and the Rasa NLU components.

Imports only the standard library and the Myanmar encoding tools, so that Rasa can load
the NLU components without pulling in the bot's own dependencies.
"""
