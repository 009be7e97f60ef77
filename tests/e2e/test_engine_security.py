"""The engine and the action server are closed to everyone but the bot (issue #13.1):
loopback only, the engine's API and channel behind RASA_AUTH_TOKEN, and no secret of the
bot in their environment. Runs against the stack `make run` starts."""

from __future__ import annotations

import httpx
import pytest

from tests.e2e.conftest import StackRun
from tests.e2e.processes import cmdline, descendants, environ, listening

pytestmark = pytest.mark.e2e
LOOPBACK = ("127.0.0.1", "0000:0000:0000:0000:0000:0000:0000:0001")


def engine_and_actions(stack: StackRun) -> dict[str, int]:
    found = {}
    for pid in descendants(stack.process.pid):
        line = cmdline(pid)
        if "bot.engine.serve" in line:
            found["engine"] = pid
        elif "run actions" in line:
            found["actions"] = pid
    return found


def test_the_engine_refuses_every_call_without_the_token(stack: StackRun) -> None:
    url, token = stack.env["RASA_URL"], stack.env["RASA_AUTH_TOKEN"]
    turn = {"sender": "intruder", "message": "hello"}
    for params in ({}, {"token": "wrong-token-of-the-same-size-as-it"}):
        assert httpx.get(f"{url}/conversations/x/tracker", params=params).status_code == 401
        assert httpx.put(f"{url}/model", params=params, json={}).status_code == 401
        hook = httpx.post(f"{url}/webhooks/rest/webhook", params=params, json=turn)
        assert hook.status_code == 401 and "custom" not in hook.text
    answered = httpx.post(f"{url}/webhooks/rest/webhook", params={"token": token}, json=turn)
    assert answered.status_code == 200 and answered.json()[0]["custom"]["answer"] == "greet"


def test_nothing_of_the_stack_listens_beyond_this_machine(stack: StackRun) -> None:
    pids = [stack.process.pid, *descendants(stack.process.pid)]
    sockets = listening(pids)
    ports = {port for _, port in sockets}
    for url in (stack.env["RASA_URL"], stack.env["ACTION_SERVER_URL"], stack.sandbox.url):
        assert httpx.URL(url).port in ports  # the engine, the actions and the sandbox listen
    assert sockets and all(address in LOOPBACK for address, _ in sockets), sockets


def test_the_engine_and_the_actions_hold_no_secret_of_the_bot(stack: StackRun) -> None:
    found = engine_and_actions(stack)
    assert set(found) == {"engine", "actions"}
    engine, actions = environ(found["engine"]), environ(found["actions"])
    for env in (engine, actions):
        assert not {"TELEGRAM_BOT_TOKEN", "PSEUDONYM_KEY", "SEAL_KEYS"} & set(env)
    assert engine["RASA_AUTH_TOKEN"] == stack.env["RASA_AUTH_TOKEN"]
    assert "RASA_AUTH_TOKEN" not in actions and "DATABASE_URL" not in actions
    # and the token never shows in the process list
    assert all(stack.env["RASA_AUTH_TOKEN"] not in cmdline(pid) for pid in found.values())
