"""Hand-off to human operator desks (issue #6): desks, cases, relay and escalation.

`cases.CaseBook` is the single owner of case state; the Telegram side lives in
bot/telegram/operators.py (operators' groups) and a small hook in bot/telegram/handlers.py
(the user's private chat).
"""
