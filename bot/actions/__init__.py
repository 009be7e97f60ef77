"""Custom actions for the Rasa action server: rasa run actions --actions bot.actions.

None today: every rule is answered by a named response (domain.yml), so no turn waits for
a round trip to this server. The server still runs in the stack (shared/spec/runtime.md,
`ACTION_SERVER_URL`) so that an action added here is live without changing deployments.
"""
