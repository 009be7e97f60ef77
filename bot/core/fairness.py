"""Fairness (#11.2): one account cannot slow everybody else down.

Each person has a budget, checked after the urgency gate and before their lock: a token
bucket (BURST turns at once, then RATE per second) and a cap on turns in flight (admitted,
not yet answered). A turn over budget is not read; the first one in SLOW_AGAIN seconds
gets one kind "slow down" message, the rest nothing. Danger is never over budget: the gate
has already answered a tier-1 message with the numbers before the budget is asked.

Someone typing as people do (a message every few seconds, a burst of five, a long story
split in several messages, a quick walk through every topic of the menu) never meets the
limit; someone sending ten a second for half a minute gets about two turns a second, one
at a time (a person's turns always run in order, under their lock).
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.state import State, key

RATE = 2.0  # turns per second, refilled
BURST = 20.0  # turns at once
IN_FLIGHT = 10  # turns admitted and not yet answered
HOLD = 60.0  # seconds an in-flight count outlives a process that died holding it
SLOW_AGAIN = 60.0  # seconds before another "slow down" message


@dataclass
class Budget:
    """The per-person budget, kept in the state port (shared when Redis is there)."""

    state: State
    rate: float = RATE
    burst: float = BURST
    in_flight: int = IN_FLIGHT

    async def admit(self, sender: str) -> bool:
        """Take one turn of the person's budget; False when over it."""
        if not await self.state.take(key("bucket", sender), self.rate, self.burst):
            return False
        return await self.state.enter(key("flight", sender), self.in_flight, HOLD)

    async def done(self, sender: str) -> None:
        """An admitted turn is finished."""
        await self.state.leave(key("flight", sender))

    async def first_slow(self, sender: str) -> bool:
        """True for the first turn over budget in SLOW_AGAIN seconds (it gets the message)."""
        return await self.state.put_new(key("slow", sender), "1", SLOW_AGAIN)
