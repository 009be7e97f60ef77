"""make bench-safety: do at-risk messages get the right numbers, through the whole bot?

Sends every held-out tier-1 and tier-2 message (tests/nlu/test_<lang>.yml) through the
sandbox Bot API server to the real bot, once with the engine running (classifier plus
safety net) and once with the engine unreachable (safety net alone), and prints per
language the share of tier-1 messages whose first reply carries an emergency number
(191), the share of tier-2 messages answered with 1300 or an NGO helpline, and the
first-reply latency.
"""

from __future__ import annotations

import asyncio
import secrets
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import httpx

from bot.core.types import LOCALES
from bot.engine.nlu_eval import read_examples
from bot.sandbox.client import SandboxClient, free_port, start, start_stack, stop, wait_until
from bot.settings import PROJECT_DIR
from bot.tiers import TIER1, TIER2

HOTLINES = ("1300", "1-800-010-180", "1-800-010-181", "1-800-010-182")
Result = tuple[str, int, bool, float]  # locale, tier, answered right, first-reply seconds


def risk_messages() -> list[tuple[str, int, str]]:
    """(locale, tier, text) for every held-out tier-1 and tier-2 example."""
    found: list[tuple[str, int, str]] = []
    for locale in LOCALES:
        for text, intent in read_examples(PROJECT_DIR / "tests" / "nlu" / f"test_{locale}.yml"):
            if intent in TIER1 or intent in TIER2:
                found.append((locale, 1 if intent in TIER1 else 2, text))
    return found


async def run(sandbox: str, messages: list[tuple[str, int, str]]) -> list[Result]:
    """Send each message from its own new user; judge the replies that arrive."""
    limit = asyncio.Semaphore(8)
    async with httpx.AsyncClient(base_url=sandbox, timeout=60) as http:

        async def one(index: int, locale: str, tier: int, text: str) -> Result:
            user = 3_000_000 + index
            async with limit:
                started = time.perf_counter()
                body = {"user_id": user, "text": text, "language_code": locale}
                sent = (await http.post("/sandbox/send", json=body)).json()
                params = {"chat_id": user, "after_id": sent["message_id"], "wait": 15}
                first = (await http.get("/sandbox/messages", params=params)).json()
                seconds = time.perf_counter() - started
                await asyncio.sleep(0.5)  # let any further bubbles of the same turn arrive
                params["wait"] = 0
                replies = (await http.get("/sandbox/messages", params=params)).json()
            texts = [r["text"] for r in replies] or [""]
            if tier == 1:
                right = bool(first) and "191" in first[0]["text"]
            else:
                right = any(number in t for t in texts for number in HOTLINES)
            return locale, tier, right, seconds

        jobs = [one(i, *message) for i, message in enumerate(messages)]
        return list(await asyncio.gather(*jobs))


def table(title: str, results: list[Result]) -> None:
    """Print one block of figures."""
    print(f"\n{title}")
    print(f"{'lang':<6}{'tier-1 → 191':>14}{'tier-2 → hotline':>18}{'p50 s':>8}{'max s':>8}")
    for locale in LOCALES:
        mine = [r for r in results if r[0] == locale]
        t1 = [r[2] for r in mine if r[1] == 1]
        t2 = [r[2] for r in mine if r[1] == 2]
        seconds = [r[3] for r in mine]
        print(
            f"{locale:<6}{sum(t1) / max(1, len(t1)):>14.2f}{sum(t2) / max(1, len(t2)):>18.2f}"
            f"{statistics.median(seconds):>8.2f}{max(seconds):>8.2f}"
        )


def engine_down_bot(logs: Path) -> tuple[list[subprocess.Popen[bytes]], SandboxClient]:
    """A sandbox and a bot whose engine URL points at a closed port."""
    port = free_port()
    sandbox = start("bot.sandbox.server", ["--port", str(port)], {}, logs / "sandbox.log")
    client = SandboxClient(f"http://127.0.0.1:{port}")
    wait_until(client.ready, 20, "the sandbox")
    env = {
        "TELEGRAM_BOT_TOKEN": "1:bench",
        "TELEGRAM_API_BASE_URL": client.url,
        "RASA_URL": f"http://127.0.0.1:{free_port()}",
        "DATABASE_URL": f"sqlite:///{logs / 'down.sqlite3'}",
        "PSEUDONYM_KEY": secrets.token_hex(32),
    }
    bot = start("bot", [], env, logs / "bot.log")
    wait_until(client.bot_polling, 60, "the bot")
    return [bot, sandbox], client


def main() -> None:
    """Both runs, both tables."""
    messages = risk_messages()
    with tempfile.TemporaryDirectory() as tmp:
        process, client, _env = start_stack(Path(tmp))
        try:
            up = asyncio.run(run(client.url, messages))
        finally:
            stop(process)
        processes, client = engine_down_bot(Path(tmp))
        try:
            down = asyncio.run(run(client.url, messages))
        finally:
            for p in processes:
                stop(p)
    print(f"{len(messages)} held-out risk messages per run")
    table("engine running (classifier + safety net)", up)
    table("engine unreachable (safety net alone)", down)


if __name__ == "__main__":
    main()
