"""A database that cannot be reached in time: told apart from other failures, answered as
SERVICE_UNAVAILABLE (503, Retry-After), and logged once per kind of failure while it lasts."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from app.errors import Unavailable

logger = logging.getLogger("app.database")

UNAVAILABLE = "The database cannot be reached right now; retry in a moment."

# SQLSTATE classes of a server that is away, overloaded or shutting down, or that cancelled
# a statement running past statement_timeout: 08 connection exception, 53 insufficient
# resources, 57 operator intervention.
_UNAVAILABLE_SQLSTATES = ("08", "53", "57")


def outage_kind(error: BaseException) -> str | None:
    """What kind of outage the error shows (a short label for the log), or None when the
    error is not one: a bug or a bad statement stays an internal error."""
    for cause in _chain(error):
        if isinstance(cause, sa.exc.TimeoutError):
            return "no free connection in the pool in time"
        if isinstance(cause, TimeoutError):
            return "no answer in time"
        if isinstance(cause, ConnectionRefusedError):
            return "connection refused"
        if isinstance(cause, OSError):
            return f"network error ({type(cause).__name__})"
        sqlstate = getattr(cause, "sqlstate", None)
        if isinstance(sqlstate, str) and sqlstate[:2] in _UNAVAILABLE_SQLSTATES:
            return f"{type(cause).__name__} (SQLSTATE {sqlstate})"
        if isinstance(cause, sa.exc.DBAPIError) and cause.connection_invalidated:
            return "connection lost"
        if isinstance(cause, sqlite3.OperationalError) and "locked" in str(cause):
            return "database locked by another writer"
        if type(cause).__name__ == "InterfaceError" and "connection is closed" in str(cause):
            return "connection lost"
    return None


def _chain(error: BaseException) -> list[BaseException]:
    found: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and current not in found:
        found.append(current)
        current = current.__cause__ or current.__context__
    return found


class OutageLog:
    """Logs the first failure of each kind, and the recovery, not every failed request."""

    def __init__(self) -> None:
        self._seen: set[str] = set()

    def failed(self, kind: str) -> None:
        if kind not in self._seen:
            self._seen.add(kind)
            logger.warning("Database unavailable: %s; answering 503 until it is back", kind)

    def recovered(self) -> None:
        if self._seen:
            self._seen.clear()
            logger.warning("Database reachable again")


@asynccontextmanager
async def connection(engine: AsyncEngine, log: OutageLog) -> AsyncIterator[AsyncConnection]:
    """A connection of the engine; an outage on the way, or while it is used, is Unavailable."""
    try:
        async with engine.connect() as conn:
            yield conn
    except Exception as error:
        kind = outage_kind(error)
        if kind is None:
            raise
        log.failed(kind)
        raise Unavailable(UNAVAILABLE) from error
    log.recovered()
