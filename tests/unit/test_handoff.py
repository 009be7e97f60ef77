"""Hand-off building blocks: desks routing, sealed chat ids, staff figures, settings."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from bot.campaign.figures import case_figures as figures
from bot.core.identity import seal, unseal
from bot.handoff.desks import BANGKOK, DeskError, Desks, load_desks
from bot.settings import SettingsError, load_settings

DESKS = """
desks:
  - name: burmese
    organisation: Burmese Helpline
    chat_id: -1001
    languages: [my]
    tiers: [1, 2]
    hours: ["mon-fri 08:00-17:00"]
    members: [7]
  - name: night
    organisation: Night Desk
    chat_id: -1002
    languages: [my, th]
    tiers: [1, 2, 3]
    hours: ["sat-sun 00:00-24:00", "mon-fri 17:00-24:00"]
  - name: iom
    organisation: IOM
    chat_id: -1003
fallback: iom
"""
# a Tuesday, 10:00 and 20:00 in Bangkok
TUESDAY_10 = datetime(2026, 12, 1, 10, 0, tzinfo=BANGKOK)
TUESDAY_20 = datetime(2026, 12, 1, 20, 0, tzinfo=BANGKOK)


@pytest.fixture
def desks(tmp_path: Path) -> Desks:
    path = tmp_path / "desks.yml"
    path.write_text(DESKS)
    return Desks.load(path)


def test_routing_by_language_tier_and_hour(desks: Desks) -> None:
    assert desks.route("my", 1, TUESDAY_10).name == "burmese"
    assert desks.route("my", 1, TUESDAY_20).name == "night"  # burmese desk closed
    assert desks.route("my", 4, TUESDAY_10).name == "iom"  # tier 4: only the fallback
    assert desks.route("km", 1, TUESDAY_10).name == "iom"  # nobody else serves Khmer
    assert desks.route("th", 3, TUESDAY_10).name == "iom"  # night desk closed at 10:00


def test_escalation_goes_to_the_next_open_desk_then_the_fallback(desks: Desks) -> None:
    assert desks.next_after("burmese", "my", 1, TUESDAY_20).name == "night"  # type: ignore[union-attr]
    assert desks.next_after("burmese", "my", 1, TUESDAY_10).name == "iom"  # type: ignore[union-attr]
    assert desks.next_after("iom", "km", 1, TUESDAY_10) is None  # nowhere else to go


def test_members_restrict_who_acts(desks: Desks) -> None:
    burmese, night = desks.get("burmese"), desks.get("night")
    assert burmese and night
    assert burmese.may_act(7, frozenset({8})) and not burmese.may_act(8, frozenset({8}))
    assert night.may_act(8, frozenset({8}))  # no members: OPERATOR_IDS decide


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ("organisation: IOM", "organisation: ''"),
        ("languages: [my]", "languages: [xx]"),
        ('hours: ["mon-fri 08:00-17:00"]', 'hours: ["weekdays 8-5"]'),
        ("fallback: iom", "fallback: nobody"),
    ],
)
def test_a_malformed_desks_file_is_refused(tmp_path: Path, change: str, problem: str) -> None:
    path = tmp_path / "desks.yml"
    path.write_text(DESKS.replace(change, problem, 1))
    with pytest.raises(DeskError):
        Desks.load(path)


def test_operator_chat_id_alone_is_one_desk_for_everyone() -> None:
    desks = load_desks(None, -1009)
    assert desks is not None and len(desks.desks) == 1
    assert desks.route("lo", 4, TUESDAY_20).chat_id == -1009
    assert load_desks(None, None) is None  # no hand-off: the hotlines instead


def test_a_sealed_chat_id_hides_the_id_and_only_its_key_opens_it() -> None:
    token = seal(b"key-one", 123456789)
    assert "123456789" not in token
    assert unseal(b"key-one", token) == 123456789
    with pytest.raises(ValueError):
        unseal(b"key-two", token)


def test_staff_figures_from_events() -> None:
    t0 = datetime(2026, 11, 28, tzinfo=timezone.utc)
    events = [
        (1, "requested", "a", "my", t0),
        (1, "queued", "a", "my", t0),
        (1, "claimed", "a", "my", t0 + timedelta(minutes=4)),
        (1, "first_reply", "a", "my", t0 + timedelta(minutes=5)),
        (1, "closed", "a", "my", t0 + timedelta(minutes=30)),
        (2, "queued", "b", "km", t0),
        (2, "escalated", "b", "km", t0 + timedelta(minutes=10)),
    ]
    result = figures(events)
    assert result["cases"] == "2" and result["closed"] == "1"
    assert (result["claim"], result["reply"], result["duration"]) == ("4.0", "5.0", "30.0")
    assert result["escalated"] == "1"
    assert result["desks"] == "a 1, b 1" and result["languages"] == "my 1, km 1"


def test_handoff_settings_are_checked(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "1:x")
    monkeypatch.setenv("PSEUDONYM_KEY", secrets.token_hex(32))
    monkeypatch.setenv("DESKS_FILE", str(tmp_path / "missing.yml"))
    with pytest.raises(SettingsError, match="DESKS_FILE"):
        load_settings()
    monkeypatch.delenv("DESKS_FILE")
    monkeypatch.setenv("HANDOFF_ESCALATE_MINUTES", "soon")
    with pytest.raises(SettingsError, match="HANDOFF_ESCALATE_MINUTES"):
        load_settings()
    monkeypatch.setenv("HANDOFF_ESCALATE_MINUTES", "0.5")
    assert load_settings().handoff_escalate_minutes == 0.5
