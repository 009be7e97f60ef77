"""Safe-migration chatbot: Telegram adapter, Rasa NLU components and custom actions."""
