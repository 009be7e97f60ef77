"""make bench: end-to-end turn latency through the sandbox Bot API server.

Starts the whole stack as `make run` does (sandbox mode), sends messages in the five
languages from many users at a fixed rate (default 30 msg/s, Telegram's global send
limit), and measures message-in to first-reply-out. Then sends the same messages straight
to the engine's REST channel at the same rate, so the bot's own overhead is visible.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path

import httpx

from bot.sandbox.client import start_stack, stop

MESSAGES = [
    "สวัสดีครับ",
    "ขอบคุณมากค่ะ",
    "မင်္ဂလာပါ",
    "ကျေးဇူးတင်ပါတယ်",
    "សួស្តីបាទ",
    "អរគុណច្រើន",
    "ສະບາຍດີ",
    "ຂອບໃຈຫຼາຍໆ",
    "hello there",
    "what can you do",
]


def percentile(values: list[float], share: float) -> float:
    """The value below which `share` of values fall (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else float("nan")


async def through_bot(sandbox: str, count: int, rate: float, users: int) -> list[float | None]:
    """Latency (ms) of each message from sandbox in to first bot reply out; None if lost."""
    async with httpx.AsyncClient(base_url=sandbox, timeout=60) as http:

        async def one(i: int) -> float | None:
            await asyncio.sleep(i / rate)
            user = 900_000 + i % users
            started = time.perf_counter()
            body = {"user_id": user, "text": MESSAGES[i % len(MESSAGES)]}
            sent = (await http.post("/sandbox/send", json=body)).json()
            params = {"chat_id": user, "after_id": sent["message_id"], "wait": 30}
            replies = (await http.get("/sandbox/messages", params=params)).json()
            return (time.perf_counter() - started) * 1000 if replies else None

        return list(await asyncio.gather(*(one(i) for i in range(count))))


async def through_engine(rasa: str, count: int, rate: float, users: int) -> list[float | None]:
    """Latency (ms) of the same messages sent straight to the engine's REST channel."""
    async with httpx.AsyncClient(timeout=60) as http:

        async def one(i: int) -> float | None:
            await asyncio.sleep(i / rate)
            started = time.perf_counter()
            body = {"sender": f"bench{i % users}", "message": MESSAGES[i % len(MESSAGES)]}
            response = await http.post(f"{rasa}/webhooks/rest/webhook", json=body)
            ok = response.status_code == 200 and response.json()
            return (time.perf_counter() - started) * 1000 if ok else None

        return list(await asyncio.gather(*(one(i) for i in range(count))))


def report(name: str, latencies: list[float | None]) -> None:
    """Print one row of the table."""
    done = [x for x in latencies if x is not None]
    lost = len(latencies) - len(done)
    p50, p95 = percentile(done, 0.5), percentile(done, 0.95)
    worst = max(done, default=float("nan"))
    print(f"{name:<28}{len(latencies):>6}{p50:>10.0f}{p95:>10.0f}{worst:>10.0f}{lost:>7}")


def main() -> None:
    """Run both measurements and print the table."""
    parser = argparse.ArgumentParser(description="end-to-end latency benchmark")
    parser.add_argument("--rate", type=float, default=30.0, help="messages per second")
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--users", type=int, default=60)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        process, client, env = start_stack(Path(tmp))
        try:
            asyncio.run(through_bot(client.url, 20, 10, 20))  # warm-up, not reported
            bot = asyncio.run(through_bot(client.url, args.count, args.rate, args.users))
            engine = asyncio.run(
                through_engine(env["RASA_URL"], args.count, args.rate, args.users)
            )
        finally:
            stop(process)
    print(f"\n{args.count} messages at {args.rate:g} msg/s from {args.users} users")
    print(f"{'path':<28}{'sent':>6}{'p50 ms':>10}{'p95 ms':>10}{'max ms':>10}{'lost':>7}")
    report("sandbox -> bot -> reply", bot)
    report("engine REST only", engine)


if __name__ == "__main__":
    main()
