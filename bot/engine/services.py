"""Redis and PostgreSQL for the scaled topology on one machine (`make run-scaled`).

When REDIS_URL or DATABASE_URL is not given, `python -m bot.stack --scaled` starts what is
missing from Debian's packages and stops it again when the stack stops:
- Redis: our own `redis-server` on a free loopback port, with a random password (in a
  config file only its owner reads, never on the command line), no persistence (it holds
  locks and short-lived state; the database holds everything that must last);
- PostgreSQL: the machine's cluster (`pg_ctlcluster`, started only if it was down), with a
  role of this data folder's own (`bot_<hash of the folder>`, so two stacks on one host and
  the test suite's `bot` role never change each other's password) and a `bot_scaled`
  database. The role's password is drawn once and kept in the folder (mode 0600).
"""

from __future__ import annotations

import hashlib
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

DATABASE = "bot_scaled"


class ServiceError(Exception):
    """A service could not be started; the message says what to install or set."""


def free_port() -> int:
    """A loopback TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _as_postgres(sql: str) -> str:
    """Run one statement as the postgres superuser (peer authentication, as root)."""
    done = subprocess.run(
        ["runuser", "-u", "postgres", "--", "psql", "-qAtc", sql],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    if done.returncode != 0:
        raise ServiceError(f"psql as postgres failed: {done.stderr.strip()[:200]}")
    return done.stdout.strip()


def _wait(check: Callable[[], bool], what: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise ServiceError(f"{what} did not come up within {timeout:.0f} s")


def redis_answers(port: int, password: str) -> bool:
    """True when the Redis on this loopback port accepts the password and answers PING."""
    with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
        sock.sendall(f"AUTH {password}\r\nPING\r\n".encode())
        reply = b""
        while b"PONG" not in reply and len(reply) < 200:
            chunk = sock.recv(100)
            if not chunk:
                break
            reply += chunk
        return b"+OK\r\n+PONG" in reply


def postgres_answers(port: str) -> bool:
    """True when PostgreSQL accepts connections on this loopback port."""
    done = subprocess.run(
        ["pg_isready", "-q", "-h", "127.0.0.1", "-p", port], timeout=10, check=False
    )
    return done.returncode == 0


@dataclass
class LocalServices:
    """What this run started, so that it stops exactly that."""

    folder: Path
    # a throw-away database of this run's own, dropped at stop (benchmarks, tests)
    fresh: bool = False
    env: dict[str, str] = field(default_factory=dict)
    database: str = DATABASE
    _redis: subprocess.Popen[bytes] | None = None
    _cluster: tuple[str, str] | None = None  # (version, name) of a cluster we started

    def start(self, redis_url: str, database_url: str) -> dict[str, str]:
        """Start what is missing; the REDIS_URL and DATABASE_URL to use."""
        self.folder.mkdir(parents=True, exist_ok=True)
        if not redis_url:
            self.env["REDIS_URL"] = self._start_redis()
        if not database_url:
            self.env["DATABASE_URL"] = self._start_postgres()
        return dict(self.env)

    def _start_redis(self) -> str:
        server = shutil.which("redis-server")
        if server is None:
            raise ServiceError(
                "redis-server not found: apt-get install redis-server, or set REDIS_URL"
            )
        port, password = free_port(), secrets.token_hex(16)
        config = self.folder / "redis.conf"
        config.touch(mode=0o600)
        config.chmod(0o600)  # it holds the password
        config.write_text(
            f'port {port}\nbind 127.0.0.1\nsave ""\nappendonly no\n'
            f"dir {self.folder}\nrequirepass {password}\n"
        )
        log = (self.folder / "redis.log").open("ab")
        self._redis = subprocess.Popen([server, str(config)], stdout=log, stderr=log)
        _wait(lambda: redis_answers(port, password), "redis-server")
        return f"redis://:{password}@127.0.0.1:{port}/0"

    def _start_postgres(self) -> str:
        if shutil.which("pg_lsclusters") is None or shutil.which("runuser") is None:
            raise ServiceError(
                "PostgreSQL not found: apt-get install postgresql, or set DATABASE_URL"
            )
        lines = subprocess.run(["pg_lsclusters", "-h"], capture_output=True, text=True, check=True)
        if not lines.stdout.strip():
            raise ServiceError(
                "no PostgreSQL cluster: pg_createcluster 15 main, or set DATABASE_URL"
            )
        version, name, port, status, *_ = lines.stdout.split("\n")[0].split()
        if status != "online":
            subprocess.run(["pg_ctlcluster", version, name, "start"], check=True, timeout=60)
            self._cluster = (version, name)
        _wait(lambda: postgres_answers(port), "PostgreSQL")
        role, password = self.role, self._role_password()
        exists = _as_postgres(f"SELECT 1 FROM pg_roles WHERE rolname = '{role}'")
        verb = "ALTER" if exists == "1" else "CREATE"
        _as_postgres(f"{verb} ROLE {role} LOGIN PASSWORD '{password}'")
        if self.fresh:
            self.database = f"bot_run_{os.getpid()}"
            _as_postgres(f"DROP DATABASE IF EXISTS {self.database} WITH (FORCE)")
        if _as_postgres(f"SELECT 1 FROM pg_database WHERE datname = '{self.database}'") != "1":
            _as_postgres(f"CREATE DATABASE {self.database} OWNER {role}")
        return f"postgresql+psycopg2://{role}:{password}@127.0.0.1:{port}/{self.database}"

    @property
    def role(self) -> str:
        """This data folder's own PostgreSQL role: stacks in other folders keep theirs."""
        digest = hashlib.sha256(str(self.folder.resolve()).encode()).hexdigest()[:10]
        return f"bot_{digest}"

    def _role_password(self) -> str:
        """The role's password, drawn on the first run and kept where only we read it."""
        kept = self.folder / "postgres.password"
        if kept.exists():
            return kept.read_text().strip()
        password = secrets.token_hex(16)
        kept.touch(mode=0o600)
        kept.chmod(0o600)
        kept.write_text(password)
        return password

    def stop(self) -> None:
        """Stop what start() started, newest first."""
        if self._redis is not None and self._redis.poll() is None:
            self._redis.terminate()
            try:
                self._redis.wait(10)
            except subprocess.TimeoutExpired:
                self._redis.kill()
                self._redis.wait()
        if self.fresh and "DATABASE_URL" in self.env:
            try:
                _as_postgres(f"DROP DATABASE IF EXISTS {self.database} WITH (FORCE)")
                # a throw-away folder's role would otherwise pile up on the host
                _as_postgres(f"DROP ROLE IF EXISTS {self.role}")
            except ServiceError as error:
                print(f"stack: {self.database} not dropped: {error}", file=sys.stderr)
        if self._cluster is not None:
            subprocess.run(["pg_ctlcluster", *self._cluster, "stop"], check=False, timeout=60)
