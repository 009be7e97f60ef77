"""Chat with the bot from a terminal, as a Telegram user would, through the sandbox server.

Type a message and press Enter. Buttons appear numbered: type #1, #2, ... to press one.
/start, /help and /language work as in Telegram; :voice, :photo, :sticker, :document,
:location and :contact send that kind of message; :quit (or Ctrl-D) leaves.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import Any

import httpx

from bot.sandbox.users import MEDIA

SANDBOX_USER = 424242


class TerminalChat:
    """One sandbox user typing in a terminal."""

    def __init__(self, url: str, user_id: int, language_code: str | None) -> None:
        self._http = httpx.AsyncClient(base_url=url, timeout=40)
        self._user = user_id
        self._language = language_code
        self._last_id = 0
        self._buttons: list[tuple[int, str]] = []  # (message id, callback data)

    async def show_replies(self) -> None:
        """Print the bot's messages as they arrive, with numbered buttons."""
        while True:
            try:
                response = await self._http.get(
                    "/sandbox/messages",
                    params={"chat_id": self._user, "after_id": self._last_id, "wait": 30},
                )
            except httpx.HTTPError:
                await asyncio.sleep(1)
                continue
            for message in response.json():
                self._last_id = max(self._last_id, message["message_id"])
                self.print_message(message)

    def print_message(self, message: dict[str, Any]) -> None:
        """Show one bot message and remember its buttons."""
        print(f"\n🤖 {message['text']}")
        rows = message.get("reply_markup", {}).get("inline_keyboard", [])
        buttons = [button for row in rows for button in row]
        if buttons:
            self._buttons = [(message["message_id"], b["callback_data"]) for b in buttons]
            for number, button in enumerate(buttons, 1):
                print(f"   [#{number}] {button['text']}")
        print("> ", end="", flush=True)

    async def say(self, line: str) -> None:
        """Send one typed line: a button press, a media kind, or text."""
        if line.startswith("#") and line[1:].isdigit():
            index = int(line[1:]) - 1
            if 0 <= index < len(self._buttons):
                message_id, data = self._buttons[index]
                press = {
                    "user_id": self._user,
                    "message_id": message_id,
                    "data": data,
                    "language_code": self._language,
                }
                await self._http.post("/sandbox/press", json=press)
                return
            print("no such button")
            return
        body: dict[str, Any] = {"user_id": self._user, "language_code": self._language}
        if line.startswith(":") and line[1:] in MEDIA:
            body["kind"] = line[1:]
        else:
            body["text"] = line
        await self._http.post("/sandbox/send", json=body)

    async def run(self) -> None:
        """Read lines until :quit or end of input."""
        printer = asyncio.create_task(self.show_replies())
        print(__doc__)
        print("> ", end="", flush=True)
        loop = asyncio.get_running_loop()
        while True:
            line = await loop.run_in_executor(None, sys.stdin.readline)
            if not line or line.strip() == ":quit":
                break
            if line.strip():
                await self.say(line.strip())
        printer.cancel()
        await self._http.aclose()


def main() -> None:
    """Parse arguments and chat."""
    parser = argparse.ArgumentParser(description="chat with the bot through the sandbox")
    parser.add_argument("--url", default="http://127.0.0.1:8081")
    parser.add_argument("--user-id", type=int, default=SANDBOX_USER)
    parser.add_argument("--language-code", default=None, help="Telegram language_code, e.g. my")
    args = parser.parse_args()
    asyncio.run(TerminalChat(args.url, args.user_id, args.language_code).run())


if __name__ == "__main__":
    main()
