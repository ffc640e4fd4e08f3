"""Per-token rate budgets: a leaky bucket of cost points for each API token.

A bucket holds at most `capacity` points and refills at `restore_rate` points a second. An
operation takes its requested cost before it runs (refused with THROTTLED when the bucket
holds less) and gives back what it did not use. With REDIS_URL the buckets live in Redis,
shared by every worker process and replica; otherwise, and while Redis does not answer,
in the process.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from app.errors import AppError, ErrorCode
from app.redis_link import RedisLink
from app.settings import RateLimits

logger = logging.getLogger("app.throttle")

# Seconds the shared buckets are not asked again after Redis failed to answer, and how long
# one Redis call may take before the process keeps the budget itself.


@dataclass(frozen=True, slots=True)
class ThrottleStatus:
    maximum: float
    available: float
    restore_rate: float


class Throttled(AppError):
    code = ErrorCode.THROTTLED

    def __init__(self, cost: int, status: ThrottleStatus) -> None:
        self.retry_after = max(1, math.ceil((cost - status.available) / status.restore_rate))
        super().__init__(
            f"This token's rate budget holds {math.floor(status.available)} cost points and "
            f"the request costs {cost}: try again in {self.retry_after} s."
        )
        self.extensions = {"retryAfter": self.retry_after}

    def response_headers(self) -> Mapping[str, str]:
        return {"Retry-After": str(self.retry_after)}


class CostTooHigh(AppError):
    code = ErrorCode.MAX_COST_EXCEEDED

    def __init__(self, cost: int, limit: int) -> None:
        super().__init__(
            f"The request costs {cost} points, above the maximum of {limit} for one request: "
            "ask for smaller pages or fewer fields."
        )
        self.extensions = {"cost": cost, "maximumCost": limit}


class Buckets(Protocol):
    limits: RateLimits

    async def take(self, key: str, points: float, *, force: bool = False) -> tuple[bool, float]:
        """Takes `points` from the key's bucket if it holds them, or always when forced (the
        bucket then owes what it lacks); a negative amount gives back. Whether it took them,
        and what the bucket holds after."""
        ...

    async def close(self) -> None: ...


class LocalBuckets:
    """The buckets of this process."""

    def __init__(self, limits: RateLimits) -> None:
        self.limits = limits
        self._buckets: dict[str, tuple[float, float]] = {}  # key -> (level, when)

    async def take(self, key: str, points: float, *, force: bool = False) -> tuple[bool, float]:
        now = time.monotonic()
        level, then = self._buckets.get(key, (self.limits.capacity, now))
        level = min(self.limits.capacity, level + (now - then) * self.limits.restore_rate)
        taken = force or points <= level
        if taken:
            level = min(self.limits.capacity, level - points)
        self._buckets[key] = (level, now)
        return taken, level

    async def close(self) -> None:
        self._buckets.clear()


# One round trip, atomic, on Redis's clock (the same for every replica).
_TAKE = """
local capacity, rate, points = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local force = ARGV[4] == '1'
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
local held = redis.call('HMGET', KEYS[1], 'level', 'at')
local level = tonumber(held[1]) or capacity
local at = tonumber(held[2]) or now
level = math.min(capacity, level + math.max(0, now - at) * rate)
local taken = 0
if force or points <= level then
  level = math.min(capacity, level - points)
  taken = 1
end
redis.call('HSET', KEYS[1], 'level', string.format('%.6f', level), 'at', string.format('%.6f', now))
redis.call('PEXPIRE', KEYS[1], math.ceil((capacity - level) / rate * 1000) + 1000)
return {taken, string.format('%.6f', level)}
"""


class SharedBuckets:
    """Buckets in Redis under `prefix`, or in the process while Redis does not answer."""

    def __init__(self, limits: RateLimits, url: str, prefix: str) -> None:
        self.limits = limits
        self._prefix = prefix
        self._link = RedisLink(url, "rate budgets", logger)
        self._take: Any = self._link.redis.register_script(_TAKE)
        self._local = LocalBuckets(limits)

    async def take(self, key: str, points: float, *, force: bool = False) -> tuple[bool, float]:
        limits = self.limits
        answer = await self._link.ask(
            lambda: self._take(
                keys=[f"{self._prefix}:bucket:{key}"],
                args=[limits.capacity, limits.restore_rate, points, int(force)],
            )
        )
        if answer is None:
            return await self._local.take(key, points, force=force)
        taken, level = answer
        return bool(taken), float(level)

    async def close(self) -> None:
        await self._link.close()


def buckets_for(limits: RateLimits, redis_url: str | None, prefix: str) -> Buckets:
    return SharedBuckets(limits, redis_url, prefix) if redis_url else LocalBuckets(limits)


class Budget:
    """One caller's bucket, for one request."""

    def __init__(self, buckets: Buckets, key: str) -> None:
        self._buckets = buckets
        self._key = key
        self.status: ThrottleStatus | None = None

    async def charge(self, cost: int) -> ThrottleStatus:
        limits = self._buckets.limits
        # An operation larger than a full bucket could never run: refused, not throttled.
        most = min(limits.max_cost, limits.capacity)
        if cost > most:
            raise CostTooHigh(cost, most)
        taken, level = await self._buckets.take(self._key, cost)
        self.status = ThrottleStatus(limits.capacity, level, limits.restore_rate)
        if not taken:
            raise Throttled(cost, self.status)
        return self.status

    async def settle(self, charged: int, used: int) -> ThrottleStatus:
        """After the request: gives back what it did not use of its charge, or takes what it
        used beyond it (a breakdown with more groups than priced), even into debt."""
        limits = self._buckets.limits
        if used != charged:
            _, level = await self._buckets.take(self._key, used - charged, force=True)
            self.status = ThrottleStatus(limits.capacity, level, limits.restore_rate)
        assert self.status is not None
        return self.status
