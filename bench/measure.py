"""Timing: warm-up rounds, then repeated rounds whose median is reported."""

from __future__ import annotations

import statistics
import time
from collections.abc import Awaitable, Callable
from typing import Any

WARMUP = 2
REPEATS = 9
# PostgreSQL plans a prepared statement for its parameters on its first five executions on a
# connection, then may keep one generic plan. A server pools a few connections, so a dozen
# rounds bring it to the steady state of a long-running server.
STEADY_WARMUP = 12

Runner = Callable[[], Awaitable[Any]]


async def interleaved(
    runners: dict[str, Runner], repeats: int = REPEATS, warmup: int = WARMUP
) -> dict[str, list[float]]:
    """Seconds of each runner per round. A round runs each runner once, so that drift (other
    load on the machine) touches all alike. Runners named "group|way" run group by group, and
    the way that goes first in its group changes every round, so that none always pays for
    the caches the previous group left cold."""
    groups: dict[str, list[str]] = {}
    for name in runners:
        groups.setdefault(name.partition("|")[0] if "|" in name else "", []).append(name)
    samples: dict[str, list[float]] = {name: [] for name in runners}
    for round_ in range(warmup + repeats):
        for names in groups.values():
            turn = round_ % len(names)
            for name in names[turn:] + names[:turn]:
                started = time.perf_counter()
                await runners[name]()
                elapsed = time.perf_counter() - started
                if round_ >= warmup:
                    samples[name].append(elapsed)
    return samples


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000
