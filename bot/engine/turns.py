"""The bare engine's REST turn: what one turn costs, per kind of answer and by how long
the conversation already is. The reference every `make bench` figure is reported against.

    python -m bot.engine.turns                 # starts one engine of its own (`make bench-engine`)
    python -m bot.engine.turns --url http://127.0.0.1:5005 --token $RASA_AUTH_TOKEN
    python -m bot.engine.turns --in-process    # the same model in this process, for contrast

One request at a time, so the figures are the engine's own cost, not queueing.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import secrets
import statistics
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path

import httpx

from bot.engine.fingerprint import model_path

# typed messages, as people write them: each goes through the NLU and one rule
KINDS = {
    "one bubble (greet)": "hello there",
    "topic, 3 bubbles": "how can I renew my passport",
    "tier 1": "help me, the boss locked us in the room",
}
LENGTH_MARKS = (1, 100, 300)  # the turn numbers reported for a long conversation
Turn = Callable[[str, str], Awaitable[object]]


def rest_turn(http: httpx.AsyncClient, url: str, token: str) -> Turn:
    """One turn through the engine's REST channel; raises on anything but an answer."""

    async def turn(sender: str, text: str) -> object:
        response = await http.post(
            f"{url.rstrip('/')}/webhooks/rest/webhook",
            params={"token": token} if token else {},
            json={"sender": sender, "message": text},
        )
        response.raise_for_status()
        answers = response.json()
        if not answers:
            raise RuntimeError("the engine named no answer")
        return answers

    return turn


async def timed(turn: Turn, sender: str, text: str) -> float:
    """Milliseconds one turn took."""
    started = time.perf_counter()
    await turn(sender, text)
    return (time.perf_counter() - started) * 1000


async def per_kind(turn: Turn, repeat: int = 30) -> dict[str, float]:
    """p50 (ms) of a first turn of each kind, each from a new person."""
    run = uuid.uuid4().hex[:8]
    for text in KINDS.values():  # warm the caches of every path once
        await turn(f"warm-{run}", text)
    found = {}
    for kind, text in KINDS.items():
        found[kind] = statistics.median(
            [await timed(turn, f"kind-{run}-{n}", text) for n in range(repeat)]
        )
    return found


async def by_length(turn: Turn, window: int = 10) -> dict[int, float]:
    """p50 (ms) of a topic question around turn 1, 100 and 300 of one conversation."""
    sender, texts = f"long-{uuid.uuid4().hex[:8]}", list(KINDS.values())[:2]
    times = [await timed(turn, sender, texts[n % 2]) for n in range(max(LENGTH_MARKS) + window)]
    return {
        mark: statistics.median(times[max(0, mark - 1) : mark - 1 + window])
        for mark in LENGTH_MARKS
    }


async def capacity(turns: list[Turn], concurrency: int, seconds: float) -> tuple[float, float]:
    """Turns per second and p50 (ms) with `concurrency` people writing back to back,
    spread over the replicas given: how much one engine (or several) can carry."""
    run, latencies = uuid.uuid4().hex[:8], list[float]()
    deadline = time.monotonic() + seconds

    async def person(n: int) -> None:
        turn, texts = turns[n % len(turns)], list(KINDS.values())
        while time.monotonic() < deadline:
            latencies.append(await timed(turn, f"cap-{run}-{n}", texts[len(latencies) % 3]))

    started = time.monotonic()
    await asyncio.gather(*(person(n) for n in range(concurrency)))
    return len(latencies) / (time.monotonic() - started), statistics.median(latencies)


def in_process_turn(model: str) -> Turn:
    """The same model in this process with Rasa's in-memory tracker store, no action
    server and no HTTP: the floor a REST turn can approach."""
    import logging

    from rasa.core.agent import load_agent
    from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

    logging.disable(logging.WARNING)
    agent = asyncio.get_event_loop().run_until_complete(load_agent(model_path=model))

    async def turn(sender: str, text: str) -> object:
        output = CollectingOutputChannel()
        await agent.handle_message(UserMessage(text, output, sender))
        return output.messages

    return turn


def report(title: str, kinds: dict[str, float], lengths: dict[int, float]) -> None:
    """Print one block of figures."""
    print(title)
    for kind, ms in kinds.items():
        print(f"  {kind:<22} p50 {ms:6.1f} ms")
    marks = "  ".join(f"turn {mark}: {ms:.1f}" for mark, ms in lengths.items())
    print(f"  by conversation length (p50 ms)  {marks}")


async def measure_rest(url: str, token: str) -> tuple[dict[str, float], dict[int, float]]:
    """Both measurements against a running engine."""
    async with httpx.AsyncClient(timeout=30) as http:
        turn = rest_turn(http, url, token)
        return await per_kind(turn), await by_length(turn)


async def measure_capacity(urls: list[str], token: str, people: int) -> tuple[float, float]:
    """Turns per second over these replicas with this many people writing back to back."""
    async with httpx.AsyncClient(timeout=60) as http:
        turns = [rest_turn(http, url, token) for url in urls]
        return await capacity(turns, people, 20.0)


def main() -> None:
    """Measure an engine over REST (a running one, or one of its own), or in process."""
    parser = argparse.ArgumentParser(description="the bare engine's turn cost")
    parser.add_argument("--url", default="", help="a running engine (default: start one)")
    parser.add_argument("--token", default=os.environ.get("RASA_AUTH_TOKEN", ""))
    parser.add_argument("--in-process", action="store_true")
    parser.add_argument(
        "--capacity", type=int, default=0, help="N people back to back over every URL: turns/s"
    )
    args = parser.parse_args()
    if args.in_process:
        loop = asyncio.new_event_loop()  # Rasa installs uvloop, which makes none by itself
        asyncio.set_event_loop(loop)
        turn = in_process_turn(str(model_path()))
        kinds = loop.run_until_complete(per_kind(turn))
        report(
            "in process (in-memory tracker store)", kinds, loop.run_until_complete(by_length(turn))
        )
        return
    with contextlib.ExitStack() as stack:
        urls, token, title = args.url.split(","), args.token, args.url
        if not args.url:
            folder = stack.enter_context(tempfile.TemporaryDirectory())
            url, token = stack.enter_context(own_engine(Path(folder)))
            urls, title = [url], "one engine of its own, SQLite, no other load"
        if args.capacity:
            rate, p50 = asyncio.run(measure_capacity(urls, token, args.capacity))
            print(f"capacity ({title}, {args.capacity} people back to back):")
            print(f"  {rate:.1f} turns/s, p50 {p50:.0f} ms")
            return
        kinds, lengths = asyncio.run(measure_rest(urls[0], token))
    report(f"engine REST turn ({title})", kinds, lengths)


@contextlib.contextmanager
def own_engine(folder: Path) -> Iterator[tuple[str, str]]:
    """One engine replica on a free port with a throw-away database: (url, token)."""
    from bot.sandbox.client import free_port, start, stop, wait_until

    port, token = free_port(), secrets.token_urlsafe(24)
    argv = ["--port", str(port), "--model", str(model_path()), "--endpoints", "endpoints.yml"]
    env = {
        "RASA_AUTH_TOKEN": token,
        "DATABASE_URL": f"sqlite:///{folder / 'engine.sqlite3'}",
        "ACTION_SERVER_URL": f"http://127.0.0.1:{free_port()}/webhook",  # nothing calls it
        "RASA_TELEMETRY_ENABLED": "false",
    }
    process = start(
        "bot.engine.serve", [*argv, "--credentials", "credentials.yml"], env, folder / "engine.log"
    )
    try:
        url = f"http://127.0.0.1:{port}"
        wait_until(lambda: httpx.get(url).status_code == 200, 300, "the engine")
        yield url, token
    finally:
        stop(process)


if __name__ == "__main__":
    main()
