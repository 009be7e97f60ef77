"""Settings fail with one clear line; pseudonyms are stable; the tier rule of safety.md."""

import pytest

from bot.core.identity import pseudonym
from bot.settings import SettingsError, load_settings
from bot.tiers import conversation_tier


def test_missing_token_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    with pytest.raises(SettingsError, match="TELEGRAM_BOT_TOKEN"):
        load_settings()


def test_malformed_ids_name_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "1:x")
    monkeypatch.setenv("OPERATOR_IDS", "12,abc")
    with pytest.raises(SettingsError, match="OPERATOR_IDS"):
        load_settings()


def test_every_runtime_variable_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    env = {
        "TELEGRAM_BOT_TOKEN": "1:x",
        "TELEGRAM_API_BASE_URL": "http://127.0.0.1:9/",
        "TELEGRAM_WEBHOOK_URL": "https://example.org/hook",
        "DATABASE_URL": "postgresql+psycopg2://u:p@db/bot",
        "RASA_URL": "http://engine:5005",
        "ACTION_SERVER_URL": "http://actions:5055/webhook",
        "OPERATOR_CHAT_ID": "-100123",
        "STAFF_CHAT_ID": "-100456",
        "OPERATOR_IDS": "1, 2",
        "STAFF_IDS": "3",
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    s = load_settings()
    assert (s.api_base_url, s.webhook_url) == ("http://127.0.0.1:9", "https://example.org/hook")
    assert (s.database_url, s.rasa_url) == (env["DATABASE_URL"], "http://engine:5005")
    assert s.action_server_url == env["ACTION_SERVER_URL"]
    assert (s.operator_chat_id, s.staff_chat_id) == (-100123, -100456)
    assert (s.operator_ids, s.staff_ids) == ({1, 2}, {3})
    assert "1:x" not in repr(s)


def test_pseudonyms_are_stable_keyed_and_not_the_id() -> None:
    assert pseudonym(b"k", 12345) == pseudonym(b"k", 12345)
    assert pseudonym(b"k", 12345) != pseudonym(b"other", 12345)
    assert "12345" not in pseudonym(b"k", 12345)


@pytest.mark.parametrize(
    ("intents", "tier"),
    [
        ([], 4),
        (["greet", "ask_wages"], 4),
        (["report_unpaid_wages"], 3),
        (["report_unpaid_wages", "report_debt_bondage"], 2),
        (["report_excessive_hours", "report_threats"], 2),
        (["report_deception", "report_confinement"], 1),
        (["report_violence", "thanks"], 1),
    ],
)
def test_conversation_tier_is_the_most_urgent_seen(intents: list[str], tier: int) -> None:
    assert conversation_tier(intents) == tier
