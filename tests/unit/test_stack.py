"""How `make run` lays out its processes: replicas, the token, what each child may see."""

import argparse

import pytest

from bot.engine.serve import rasa_argv
from bot.settings import SettingsError
from bot.stack import child_env, engine_urls, plan, prepare

SECRETS = {"TELEGRAM_BOT_TOKEN": "1:x", "PSEUDONYM_KEY": "ab" * 32, "SEAL_KEYS": "cd" * 32}


def test_replicas_count_up_from_rasa_url_or_follow_its_list() -> None:
    assert engine_urls("http://localhost:5005", 0) == ["http://localhost:5005"]
    assert engine_urls("http://localhost:5005/", 3) == [
        "http://localhost:5005",
        "http://localhost:5006",
        "http://localhost:5007",
    ]
    listed = "http://127.0.0.1:6001, http://127.0.0.1:7002"
    assert engine_urls(listed, 0) == ["http://127.0.0.1:6001", "http://127.0.0.1:7002"]
    with pytest.raises(SettingsError, match="ENGINE_REPLICAS=3"):
        engine_urls(listed, 3)
    with pytest.raises(SettingsError, match="this machine only"):
        engine_urls("http://engine.example.org:5005", 0)


def test_each_run_gets_a_token_unless_one_is_set_and_actions_stay_on_loopback() -> None:
    first: dict[str, str] = {}
    second: dict[str, str] = {}
    prepare(first, scaled=False)
    prepare(second, scaled=True)
    assert (
        len(first["RASA_AUTH_TOKEN"]) >= 32
        and first["RASA_AUTH_TOKEN"] != second["RASA_AUTH_TOKEN"]
    )
    assert first["RASA_URL"] == "http://localhost:5005"
    assert second["RASA_URL"] == "http://localhost:5005,http://localhost:5006"  # --scaled: 2
    assert first["SANIC_HOST"] == "127.0.0.1"
    given = {"RASA_AUTH_TOKEN": "set-by-the-operator-0123"}
    prepare(given, scaled=False)
    assert given["RASA_AUTH_TOKEN"] == "set-by-the-operator-0123"


def test_only_the_bot_sees_the_bots_secrets() -> None:
    env = {**SECRETS, "PATH": "/usr/bin", "DATABASE_URL": "sqlite:///x", "RASA_AUTH_TOKEN": "t"}
    engine, actions = child_env("engine", env), child_env("actions", env)
    assert not set(SECRETS) & (set(engine) | set(actions))
    assert engine == {"PATH": "/usr/bin", "DATABASE_URL": "sqlite:///x", "RASA_AUTH_TOKEN": "t"}
    assert actions == {"PATH": "/usr/bin"}
    assert child_env("bot", env) == env


def test_the_plan_starts_a_locked_down_engine_per_replica() -> None:
    env = {
        "RASA_URL": "http://127.0.0.1:6001,http://127.0.0.1:6002",
        "ACTION_SERVER_URL": "http://127.0.0.1:6055/webhook",
        "TELEGRAM_API_BASE_URL": "http://127.0.0.1:6081",
    }
    children = plan(env, sandbox=True, interactive=False)
    assert [c.name for c in children] == ["actions", "engine", "engine2", "sandbox", "bot"]
    engines = [c for c in children if c.kind == "engine"]
    assert [c.argv[c.argv.index("--port") + 1] for c in engines] == ["6001", "6002"]
    assert all(
        "bot.engine.serve" in c.argv and not any("--auth-token" in a for a in c.argv)
        for c in engines
    )


def test_the_engine_runs_with_the_token_on_loopback_unless_told() -> None:
    argv = rasa_argv(["--port", "5005"], "secret-token-123456")
    assert argv[:5] == ["rasa", "run", "--enable-api", "--interface", "127.0.0.1"]
    assert argv[-1] == "--auth-token=secret-token-123456"
    assert "127.0.0.1" not in rasa_argv(["--interface", "10.0.0.5"], "t" * 20)


def test_a_token_that_starts_with_a_dash_reaches_rasa() -> None:
    # about 1 random token in 64 starts with "-": `--auth-token -x...` made `rasa run` stop
    # with "expected one argument", and the stack never came up
    from rasa.cli.arguments.run import add_server_arguments  # Rasa's own `run` options

    parser = argparse.ArgumentParser()
    add_server_arguments(parser)
    token = "-Q2Vk" + "t" * 40
    argv = rasa_argv(["--port", "5005"], token)
    assert parser.parse_args(argv[3:]).auth_token == token
