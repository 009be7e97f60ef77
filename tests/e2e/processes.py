"""What the stack's processes are, what they listen on and what environment they hold,
read from /proc (Linux), for the tests that check the stack is locked down."""

from __future__ import annotations

from pathlib import Path

PROC = Path("/proc")
LISTEN = "0A"


def descendants(root: int) -> list[int]:
    """Every living process below root (children start their own sessions, so walk ppids)."""
    parents: dict[int, int] = {}
    for entry in PROC.iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            parents[int(entry.name)] = int(fields[1])
    found, frontier = [], [root]
    while frontier:
        parent = frontier.pop()
        children = [pid for pid, ppid in parents.items() if ppid == parent]
        found += children
        frontier += children
    return found


def cmdline(pid: int) -> str:
    """The process's command line, words joined by spaces ("" once it is gone)."""
    try:
        return (PROC / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def environ(pid: int) -> dict[str, str]:
    """The environment the process started with."""
    raw = (PROC / str(pid) / "environ").read_bytes().split(b"\0")
    pairs = (item.decode(errors="replace").partition("=") for item in raw if item)
    return {name: value for name, _, value in pairs}


def _socket_inodes(pid: int) -> set[str]:
    inodes = set()
    try:
        for fd in (PROC / str(pid) / "fd").iterdir():
            target = str(fd.readlink()) if fd.is_symlink() else ""
            if target.startswith("socket:["):
                inodes.add(target[8:-1])
    except OSError:
        pass
    return inodes


def listening(pids: list[int]) -> list[tuple[str, int]]:
    """(address, port) of every TCP socket these processes listen on."""
    inodes = set().union(*(_socket_inodes(pid) for pid in pids)) if pids else set()
    found = []
    for table in ("tcp", "tcp6"):
        for line in (PROC / "net" / table).read_text().splitlines()[1:]:
            fields = line.split()
            address, port = fields[1].split(":")
            if fields[3] == LISTEN and fields[9] in inodes:
                found.append((_address(address), int(port, 16)))
    return found


def _address(hexed: str) -> str:
    """A /proc/net address in the usual notation (IPv4 little-endian, IPv6 as 8 groups)."""
    if len(hexed) == 8:
        return ".".join(str(int(hexed[i : i + 2], 16)) for i in (6, 4, 2, 0))
    words = [hexed[i : i + 8] for i in range(0, 32, 8)]
    swapped = "".join(w[6:8] + w[4:6] + w[2:4] + w[0:2] for w in words)
    return ":".join(swapped[i : i + 4] for i in range(0, 32, 4))
