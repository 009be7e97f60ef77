"""Asking for a person in words, in each of the five languages, with the real engine.

The engine classifies request_human; with a desk configured the bot answers with the
consent step (naming who will read) instead of the engine's hotline-only answer, and the
engine's tracker records the pause while a person has the conversation and the resume.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from bot.core.identity import pseudonym
from bot.engine.fingerprint import model_path
from bot.sandbox.client import STACK_KEY, SandboxClient, start_stack, stop, wait_until
from tests.e2e.scripts import script_of

pytestmark = pytest.mark.e2e
DESK = -1002500
ASK_FOR_A_PERSON = {
    "en": "I want to talk to a real person",
    "th": "ขอคุยกับคน",
    "my": "လူနဲ့ စကားပြောချင်တယ်",
    "km": "ចង់និយាយជាមួយមន្ត្រីពិតៗ",
    "lo": "ຂໍລົມກັບພະນັກງານແທ້ໆ",
}


@pytest.fixture(scope="module")
def engine_desk(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[SandboxClient, dict[str, str]]]:
    if not model_path().exists():
        pytest.skip("no trained model for the current data (run `make model`)")
    logs: Path = tmp_path_factory.mktemp("handoff-stack")
    extra = {"OPERATOR_CHAT_ID": str(DESK), "OPERATOR_IDS": "501"}
    process, client, env = start_stack(logs, extra)
    yield client, env
    stop(process)


@pytest.mark.parametrize("locale", list(ASK_FOR_A_PERSON))
def test_asking_for_a_person_leads_to_consent(
    engine_desk: tuple[SandboxClient, dict[str, str]], locale: str
) -> None:
    sandbox, _ = engine_desk
    user = 5100 + list(ASK_FOR_A_PERSON).index(locale)
    [consent] = sandbox.ask(user, ASK_FOR_A_PERSON[locale], language_code=locale)
    assert script_of(consent["text"]) == locale
    first_button = consent["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    assert first_button == "handoff:agree:operators"


def test_the_engine_tracker_records_pause_and_resume(
    engine_desk: tuple[SandboxClient, dict[str, str]],
) -> None:
    sandbox, env = engine_desk
    user = 5200
    [consent] = sandbox.ask(user, "I want to talk to a real person", language_code="en")
    sandbox.press(user, consent["message_id"], "handoff:agree:operators")
    [queued] = sandbox.replies(user, consent["message_id"])  # nothing kept: nothing to share
    sender = pseudonym(STACK_KEY.encode(), user)
    tracker = f"{env['RASA_URL']}/conversations/{sender}/tracker"
    token = {"token": env["RASA_AUTH_TOKEN"]}
    assert httpx.get(tracker, params=token).json()["latest_event_time"]
    events = [e["event"] for e in httpx.get(tracker, params=token).json()["events"]]
    assert "pause" in events
    relayed = sandbox.send(user, "this goes to the person, not the engine")
    sandbox.send(user, "/end")
    [closed] = sandbox.replies(user, relayed["message_id"])
    assert "ended" in closed["text"]

    def resumes() -> int:
        events = [e["event"] for e in httpx.get(tracker, params=token).json()["events"]]
        return events[events.index("pause") :].count("resume")

    # the person is told first; the desk's topic is closed and the engine resumed after
    wait_until(lambda: resumes() > 0, 10, "the engine's tracker resumed")
    assert resumes() == 1
    assert queued["text"]
