"""python -m bot.engine.serve [rasa run options]: one engine replica, locked down.

It is `rasa run --enable-api` with Rasa's `--auth-token` taken from RASA_AUTH_TOKEN, so
the token protects the HTTP API (and, through bot/engine/channel.py, the REST channel)
without ever appearing in the process list, where any local user could read it. The
interface defaults to 127.0.0.1: only processes on this machine reach the engine unless
an operator binds it elsewhere on purpose (`--interface 10.0.0.5` behind a firewall).
"""

from __future__ import annotations

import os
import sys

TOKEN_ENV = "RASA_AUTH_TOKEN"
LOOPBACK = "127.0.0.1"


def rasa_argv(args: list[str], token: str) -> list[str]:
    """`rasa run` arguments: the API on, the token given, loopback unless told otherwise."""
    # one argument: a token that starts with "-" would read as an option of its own
    argv = ["rasa", "run", "--enable-api", *args, f"--auth-token={token}"]
    if "--interface" not in args and "-i" not in args:
        argv[3:3] = ["--interface", LOOPBACK]
    return argv


def main() -> int:
    """Refuse to start without a token; otherwise run Rasa in this process."""
    token = os.environ.get(TOKEN_ENV, "").strip()
    if len(token) < 16:
        print(f"error: {TOKEN_ENV} must be set (16+ random characters)", file=sys.stderr)
        return 2
    # argv is rewritten in this process only: /proc/<pid>/cmdline keeps the original
    sys.argv = rasa_argv(sys.argv[1:], token)
    from rasa.__main__ import main as rasa_main

    rasa_main()
    return 0


if __name__ == "__main__":
    sys.exit(main())
