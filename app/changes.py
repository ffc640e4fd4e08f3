"""Change signals: which campaigns' audiences the database says have changed, without a
statement in any writer's transaction.

PostgreSQL: the step that folds the rollup's deltas (app.rollups.compact, once a second on
one server process, and in loads) NOTIFYs the campaigns it folded; each process LISTENs on
one connection of its own. NOTIFY takes a database-wide lock at commit, so it is sent from
there, never from the audience writers' triggers (campaign writes, which are rare, NOTIFY
from a trigger: migration 0006). SQLite: `PRAGMA data_version` changes when any
other connection commits; each process asks once a tick.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Protocol, TypeVar

import asyncpg  # type: ignore[import-untyped]
from sqlalchemy import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

CHANNEL = "audience_stats_changes"
LISTENER = "audience-stats listener"  # the application_name of the LISTEN connections
EVERY = "*"  # a payload that names every campaign
# A NOTIFY payload must stay under 8,000 bytes; past this many ids, name them all.
MOST_IDS = 500
CHECK_SECONDS = 10.0  # how often the LISTEN connection is asked whether it still answers

logger = logging.getLogger("app.changes")
T = TypeVar("T")


class Changes(Protocol):
    async def start(self) -> None: ...

    async def take(self) -> set[int] | None:
        """The campaigns changed since the last call: a set (empty: none), or None for any
        (the signal may have missed some)."""
        ...

    async def close(self) -> None: ...


def payload(campaign_ids: set[int]) -> str:
    """The NOTIFY payload naming these campaigns."""
    if len(campaign_ids) > MOST_IDS:
        return EVERY
    return ",".join(str(c) for c in sorted(campaign_ids))


class NotifiedChanges:
    """PostgreSQL: LISTEN on a connection of its own, reconnecting after it is lost; after a
    reconnection every campaign counts as changed (a notification sent meanwhile is lost)."""

    def __init__(self, url: str, connect_timeout: float) -> None:
        self._dsn = make_url(url).set(drivername="postgresql").render_as_string(False)
        self._timeout = connect_timeout
        self._connection: asyncpg.Connection | None = None
        self._changed: set[int] | None = set()
        self._lost = False
        self._checked_at = time.monotonic()

    async def start(self) -> None:
        await self._listen()

    async def take(self) -> set[int] | None:
        if time.monotonic() - self._checked_at > CHECK_SECONDS:
            await self._check()
        if self._connection is None or self._connection.is_closed():
            await self._listen()
        if self._lost:  # nothing is heard while away: any campaign may have changed
            return None
        changed, self._changed = self._changed, set()
        return changed

    async def _check(self) -> None:
        """A connection cut without a word (no reset) looks open: ask it something now
        and then, and drop it when it does not answer."""
        self._checked_at = time.monotonic()
        if self._connection is None or self._connection.is_closed():
            return
        try:
            await self._connection.fetchval("SELECT 1", timeout=self._timeout)
        except (TimeoutError, OSError, asyncpg.PostgresError, asyncpg.InterfaceError):
            self._connection.terminate()

    async def close(self) -> None:
        if self._connection is not None:
            self._connection.terminate()  # no goodbye: the server may be out of reach

    async def _listen(self) -> None:
        try:
            connection = await asyncpg.connect(
                self._dsn, timeout=self._timeout, server_settings={"application_name": LISTENER}
            )
        except (TimeoutError, OSError, asyncpg.PostgresError) as error:
            self._failed(error)
            return
        try:
            await connection.add_listener(CHANNEL, self._notified)
        except BaseException as error:  # cancelled too: the connection must not outlive it
            connection.terminate()
            if not isinstance(error, (TimeoutError, OSError, asyncpg.PostgresError)):
                raise
            self._failed(error)
            return
        if self._lost or self._connection is not None:
            logger.warning("Listening for changes again; every live subscription is recomputed")
            self._changed = None
        self._connection, self._lost = connection, False

    def _failed(self, error: BaseException) -> None:
        if not self._lost:
            logger.warning("Listening for changes failed, retrying: %s", error)
        self._lost = True

    def _notified(self, _connection: object, _pid: int, _channel: str, payload: str) -> None:
        if self._changed is None:
            return
        if payload == EVERY:
            self._changed = None
        else:
            self._changed.update(int(c) for c in payload.split(",") if c)


class VersionedChanges:
    """SQLite: any commit of another connection changes the file's data version. The
    connection lives on a thread of its own: every use of it, its closing too, runs there in
    turn, so it is never closed under a read that a cancelled caller left running."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._path = engine.url.database or ""
        self._connection: sqlite3.Connection | None = None
        self._version: int | None = None
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="data-version")

    async def start(self) -> None:
        self._version = await self._run(self._read)

    async def take(self) -> set[int] | None:
        version = await self._run(self._read)
        changed, self._version = version != self._version, version
        return None if changed else set()

    async def close(self) -> None:
        await self._run(self._close)
        self._thread.shutdown(wait=False)

    async def _run(self, call: Callable[[], T]) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._thread, call)

    def _read(self) -> int:
        if self._connection is None:
            self._connection = sqlite3.connect(self._path, timeout=5)
        version: int = self._connection.execute("PRAGMA data_version").fetchone()[0]
        return version

    def _close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None


def changes_of(engine: AsyncEngine, connect_timeout: float) -> Changes:
    if engine.dialect.name == "postgresql":
        return NotifiedChanges(engine.url.render_as_string(False), connect_timeout)
    return VersionedChanges(engine)
