"""A Redis connection that the process can do without: while Redis does not answer, its
users keep their state in the process, and it is asked again every few seconds."""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

import redis.asyncio as aioredis
from redis.exceptions import RedisError

RETRY_SECONDS = 5.0  # how long Redis is left alone after it did not answer
TIMEOUT_SECONDS = 0.25  # a Redis that takes longer is treated as away

T = TypeVar("T")


class RedisLink:
    """Redis at `url`, for state it shares between processes (`what`, in the log lines: one
    when Redis goes away, one when it is back)."""

    def __init__(self, url: str, what: str, logger: logging.Logger) -> None:
        self.redis = aioredis.Redis.from_url(
            url, socket_timeout=TIMEOUT_SECONDS, socket_connect_timeout=TIMEOUT_SECONDS
        )
        self._what = what
        self._logger = logger
        self._away_until: float | None = None  # set while Redis is treated as away

    async def ask(self, call: Callable[[], Awaitable[T]]) -> T | None:
        """What the call of Redis answers; None while Redis is away, or when it does not
        answer (then it is away)."""
        now = time.monotonic()
        if self._away_until is not None and now < self._away_until:
            return None
        try:
            answer = await call()
        except (RedisError, OSError) as error:
            if self._away_until is None:
                self._logger.warning(
                    "Redis does not answer (%s): %s are kept per process until it does",
                    type(error).__name__,
                    self._what,
                )
            self._away_until = now + RETRY_SECONDS
            return None
        if self._away_until is not None:
            self._logger.warning("Redis answers again: %s are shared", self._what)
            self._away_until = None
        return answer

    async def close(self) -> None:
        await self.redis.aclose()
