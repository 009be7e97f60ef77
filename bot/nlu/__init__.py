"""Rasa 3.6 graph components. Loaded by the engine: import only rasa, stdlib and bot.text."""
