"""Settings fail with one clear line; pseudonyms are stable; the tier rule of safety.md."""

import pytest

from bot.core.identity import pseudonym
from bot.core.urgency import intent_tier
from bot.core.urgency.conversation import ConversationTier, fold
from bot.settings import SettingsError, load_settings

KEY = "c0ffee0123456789abcdef0fedcba9876543210aa55bb66cc77dd88ee99ff001"


def test_missing_token_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    with pytest.raises(SettingsError, match="TELEGRAM_BOT_TOKEN"):
        load_settings()


def test_malformed_ids_name_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "1:x")
    monkeypatch.setenv("PSEUDONYM_KEY", KEY)
    monkeypatch.setenv("OPERATOR_IDS", "12,abc")
    with pytest.raises(SettingsError, match="OPERATOR_IDS"):
        load_settings()


def test_every_runtime_variable_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    env = {
        "TELEGRAM_BOT_TOKEN": "1:x",
        "TELEGRAM_API_BASE_URL": "http://127.0.0.1:9/",
        "TELEGRAM_WEBHOOK_URL": "https://example.org/hook",
        "TELEGRAM_WEBHOOK_SECRET": "a-webhook-secret-of-32-characters",
        "PSEUDONYM_KEY": KEY,
        "DESK_MEMBER_CHECK": "alert",
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
    assert s.webhook_secret == env["TELEGRAM_WEBHOOK_SECRET"]
    assert s.desk_member_check == "alert"
    assert "1:x" not in repr(s) and env["TELEGRAM_WEBHOOK_SECRET"] not in repr(s)


def test_a_webhook_needs_a_secret_and_listens_on_loopback(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "1:x")
    monkeypatch.setenv("PSEUDONYM_KEY", KEY)
    monkeypatch.setenv("TELEGRAM_WEBHOOK_URL", "https://example.org/hook")
    monkeypatch.delenv("TELEGRAM_WEBHOOK_SECRET", raising=False)
    monkeypatch.delenv("TELEGRAM_WEBHOOK_LISTEN", raising=False)
    with pytest.raises(SettingsError, match=r"^TELEGRAM_WEBHOOK_SECRET is required"):
        load_settings()
    for bad in ("short", "has spaces in it and more", "x" * 257):
        monkeypatch.setenv("TELEGRAM_WEBHOOK_SECRET", bad)
        with pytest.raises(SettingsError, match=r"^TELEGRAM_WEBHOOK_SECRET must be"):
            load_settings()
    monkeypatch.setenv("TELEGRAM_WEBHOOK_SECRET", "0123456789abcdef_-XYZ")
    assert load_settings().webhook_listen == "127.0.0.1"  # the TLS proxy is in front


def test_desk_member_check_is_strict_unless_told(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "1:x")
    monkeypatch.setenv("PSEUDONYM_KEY", KEY)
    monkeypatch.delenv("DESK_MEMBER_CHECK", raising=False)
    assert load_settings().desk_member_check == "strict"
    monkeypatch.setenv("DESK_MEMBER_CHECK", "off")
    with pytest.raises(SettingsError, match=r"^DESK_MEMBER_CHECK"):
        load_settings()


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
    record = ConversationTier()
    for intent in intents:  # as the pipeline notes each intent the engine named
        record = fold(record, intent_tier(intent), intent, 1.0)
    assert record.tier == tier
