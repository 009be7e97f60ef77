"""The staff web console (issue #15): messages in five languages, the hotline directory,
figures, and a chat with the bot as a test person.

Served by the bot process (aiohttp, started in the Telegram application's post_init), on
127.0.0.1 by default for a TLS proxy in front. Only staff get in: `/console` in a private
chat with the bot gives a link that works once, for 10 minutes, and opens a session
(bot/console/access.py). Pages are rendered on the server (bot/console/html.py); the
content is the bot's own (the same catalogs, values, directory and pipeline).
"""
