"""`make bench`'s CPU figures: each process of the stack is counted under its part, and
cores are the CPU time a part spent over the time between two readings."""

from __future__ import annotations

import os
import subprocess
import sys

from bot.engine.load import cores_between, part_of, stack_cpu

# burns 0.3 s of CPU, says so, then waits to be stopped (run as "redis-server", its part)
BURN = """import sys, time
while time.process_time() < 0.3:
    pass
print("done", flush=True)
sys.stdin.read()
"""


def test_a_child_process_is_counted_under_its_part() -> None:
    child = subprocess.Popen(
        ["redis-server", "-c", BURN],
        executable=sys.executable,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None and child.stdout.readline() == "done\n"
        used = stack_cpu(os.getpid())
        assert part_of(child.pid) == "redis"
        part, seconds = used[child.pid]
        assert part == "redis" and seconds >= 0.25  # /proc counts whole 10-ms ticks
        assert part_of(os.getpid()) is None  # pytest itself is no part of the stack
    finally:
        child.kill()
        child.wait()


def test_cores_are_cpu_seconds_over_the_time_between_readings() -> None:
    before = {1: ("bot", 10.0), 2: ("engines", 5.0), 3: ("engines", 1.0)}
    after = {1: ("bot", 13.0), 2: ("engines", 7.0), 3: ("engines", 2.0), 4: ("sandbox", 9.0)}
    # pid 4 started in between: its total is not the load's
    cores = cores_between(before, after, 10.0)
    assert cores.keys() == {"bot", "engines"}
    assert abs(cores["bot"] - 0.3) < 1e-9 and abs(cores["engines"] - 0.3) < 1e-9
