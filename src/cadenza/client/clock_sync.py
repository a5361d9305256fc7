"""A device's clock against the server's, NTP-style, for speaker groups that start together.

The device sends t0 (its clock) to `POST /api/v1/clock`, the server answers t1 (arrival) and
t2 (departure) on its clock, the device notes t3 on arrival. The sample with the shortest round
trip is the one least bent by queueing, so it is the one reported."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class ClockSample:
    offset_ms: float  # server clock minus device clock
    rtt_ms: float


def sample(t0: float, t1: float, t2: float, t3: float) -> ClockSample:
    return ClockSample(((t1 - t0) + (t2 - t3)) / 2, (t3 - t0) - (t2 - t1))


def measure(
    exchange: Callable[[float], tuple[float, float]],
    local_ms: Callable[[], float],
    count: int = 8,
) -> ClockSample:
    """`count` exchanges with the server; the best one. `exchange(t0)` returns (t1, t2)."""
    samples = []
    for _ in range(count):
        t0 = local_ms()
        t1, t2 = exchange(t0)
        samples.append(sample(t0, t1, t2, local_ms()))
    return min(samples, key=lambda s: s.rtt_ms)
