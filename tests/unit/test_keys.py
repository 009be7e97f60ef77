"""Keys (issue #13.7): real bots need a random PSEUDONYM_KEY, one key per purpose, rotation
of the sealing key, and everything sealed or hashed before keeps working."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from bot import settings as settings_module
from bot.core.identity import Keys, Sealer, derive, pseudonym
from bot.settings import SANDBOX_TOKEN, SettingsError, load_settings

KEY = "00112233445566778899aabbccddeeff0123456789abcdeffedcba9876543210"
NEW_SEAL = "9f8e7d6c5b4a39281706f5e4d3c2b1a0ffeeddccbbaa99887766554433221100"
# made by the code before this change (bot/core/identity.py at 19bf264) with KEY:
OLD_PSEUDONYM = "e06464f91e46ac085273ed72be069d43"  # of Telegram id 987654321
OLD_SEALED = (  # chat id 987654321
    "gAAAAABrFdQtaibJzHUmcg1-GJ4UPJiztK41E35S37jQzSPhmJNy-EUHKoyHKK30Vlutl8H2oDlZUui-"
    "PfNfS1t__q1vt_-BPg=="
)


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    """A real token, no key yet, and a data folder of our own for generated keys."""
    for name in ("PSEUDONYM_KEY", "SEAL_KEYS", "TELEGRAM_WEBHOOK_URL", "DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123456:real-looking-token")
    monkeypatch.setattr(settings_module, "DATA_DIR", tmp_path)
    monkeypatch.setattr(settings_module, "KEY_FILE", tmp_path / "pseudonym.key")
    return monkeypatch


def test_a_real_bot_without_a_key_refuses_to_start(env: pytest.MonkeyPatch) -> None:
    with pytest.raises(SettingsError, match=r"^PSEUDONYM_KEY is not set") as raised:
        load_settings()
    assert "\n" not in str(raised.value)
    assert not settings_module.KEY_FILE.exists()  # nothing generated for a real bot


@pytest.mark.parametrize(
    "weak",
    [
        *("a", "e2e-key", KEY[:62], KEY + "0", "g" * 64, "a" * 64, "ab" * 32),
        *("0123456789" * 7 + "01", "0123456789abcdef" * 4),
    ],
)
def test_weak_or_malformed_keys_are_refused(env: pytest.MonkeyPatch, weak: str) -> None:
    env.setenv("PSEUDONYM_KEY", weak)
    with pytest.raises(SettingsError, match=r"^PSEUDONYM_KEY") as raised:
        load_settings()
    assert len(weak) < 6 or weak not in str(raised.value)  # the line never repeats it


def test_a_random_key_is_accepted_and_kept_out_of_repr(env: pytest.MonkeyPatch) -> None:
    env.setenv("PSEUDONYM_KEY", KEY)
    loaded = load_settings()
    assert loaded.pseudonym_key == KEY.encode() and not loaded.sandbox
    assert KEY not in repr(loaded)


def test_the_sandbox_generates_its_key_once_owner_only(env: pytest.MonkeyPatch) -> None:
    env.setenv("TELEGRAM_BOT_TOKEN", SANDBOX_TOKEN)
    first = load_settings()
    path = settings_module.KEY_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(first.pseudonym_key) == 64 and first.sandbox
    path.chmod(0o644)  # widened by hand: tightened again at the next start
    assert load_settings().pseudonym_key == first.pseudonym_key
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_seal_keys_are_checked_like_the_pseudonym_key(env: pytest.MonkeyPatch) -> None:
    env.setenv("PSEUDONYM_KEY", KEY)
    env.setenv("SEAL_KEYS", f"{NEW_SEAL},short")
    with pytest.raises(SettingsError, match=r"^SEAL_KEYS"):
        load_settings()
    env.setenv("SEAL_KEYS", f" {NEW_SEAL} ")
    assert load_settings().seal_keys == (NEW_SEAL.encode(),)


def test_rows_made_before_this_change_still_work_with_the_same_key() -> None:
    keys = Keys.from_secrets(KEY.encode())
    assert pseudonym(keys.pseudonym, 987654321) == OLD_PSEUDONYM
    assert keys.sealer.unseal(OLD_SEALED) == 987654321
    # and after a rotation to a new sealing secret, too
    rotated = Keys.from_secrets(KEY.encode(), [NEW_SEAL.encode()])
    assert rotated.sealer.unseal(OLD_SEALED) == 987654321


def test_each_purpose_has_its_own_key() -> None:
    keys = Keys.from_secrets(KEY.encode())
    seal_key = derive(KEY.encode(), b"safe-migration-bot:seal:v1")
    assert len({keys.pseudonym, keys.relay, seal_key}) == 3
    assert KEY.encode() not in (keys.relay, seal_key)


def test_rotation_new_key_seals_old_keys_still_open_reseal_moves_them() -> None:
    before = Keys.from_secrets(KEY.encode())
    old_token = before.sealer.seal(4242)
    after = Keys.from_secrets(KEY.encode(), [NEW_SEAL.encode()])
    new_token = after.sealer.seal(4242)
    assert after.sealer.is_newest(new_token) and not after.sealer.is_newest(old_token)
    assert after.sealer.unseal(old_token) == after.sealer.unseal(new_token) == 4242
    moved = after.sealer.reseal(old_token)
    assert after.sealer.is_newest(moved) and after.sealer.unseal(moved) == 4242
    # a token of the new secret cannot be opened by a bot that lacks it
    with pytest.raises(ValueError):
        before.sealer.unseal(new_token)
    with pytest.raises(ValueError):
        Sealer([NEW_SEAL.encode()]).reseal("not a token")
