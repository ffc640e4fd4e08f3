"""`audience-stats serve` with counters in each server process, for the throughput case: the
database connections its pools open, close and lend (SQLAlchemy's pool "connect", "close" and
"checkout" events, listened to on the Pool class so that every engine's pool counts), and
aiosqlite's thread hops (calls of `aiosqlite.Connection._execute`, each of which queues one
call for the connection's thread and awaits its result: every statement, fetch, cursor,
commit and rollback).

    BENCH_COUNTS=DIR python -m bench.counted_server serve --port 8000 --workers 2

On SIGUSR1 a process writes its counts so far to DIR/<pid>.json. uvicorn's worker processes
are spawned, and import this module again (as __mp_main__), so they count too; the parent of
several workers serves nothing and keeps SIGUSR1 for itself.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import time
from collections.abc import Callable, Coroutine
from pathlib import Path
from types import FrameType
from typing import Any

import aiosqlite.core
from sqlalchemy import event
from sqlalchemy.pool import Pool

from app.cli import main as cli

COUNTS = {"connects": 0, "closes": 0, "checkouts": 0, "thread_hops": 0}
# When each connection was opened (time.monotonic, one clock for every process of the
# machine), so that the bench can tell a pool growing at the start of a run from churn.
CONNECTED_AT: list[float] = []

Execute = Callable[..., Coroutine[Any, Any, Any]]


def _connected(_dbapi_connection: Any, _record: Any) -> None:
    COUNTS["connects"] += 1
    CONNECTED_AT.append(time.monotonic())


def _closed(_dbapi_connection: Any, _record: Any) -> None:
    # A connection the pool drops (invalidated, or over its size) is opened again later.
    COUNTS["closes"] += 1


def _checked_out(_dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
    # A unit of work: how the load fell on the workers.
    COUNTS["checkouts"] += 1


def _counting(execute: Execute) -> Execute:
    def counted(self: aiosqlite.Connection, *args: Any, **kwargs: Any) -> Any:
        COUNTS["thread_hops"] += 1
        return execute(self, *args, **kwargs)  # its coroutine as is: no frame of our own

    return counted


def _write(_signal: int, _frame: FrameType | None) -> None:
    out = Path(os.environ["BENCH_COUNTS"]) / f"{os.getpid()}.json"
    partial = out.with_suffix(".partial")
    partial.write_text(json.dumps({**COUNTS, "connected_at": CONNECTED_AT}))
    partial.rename(out)  # whole, or not there yet


def install() -> None:
    event.listen(Pool, "connect", _connected)
    event.listen(Pool, "close", _closed)
    event.listen(Pool, "checkout", _checked_out)
    connection = aiosqlite.core.Connection
    connection._execute = _counting(connection._execute)  # type: ignore[method-assign]
    signal.signal(signal.SIGUSR1, _write)


# On import too, not only as the main module: a spawned worker imports it and runs no main.
if __name__ in {"__main__", "__mp_main__"}:
    install()

if __name__ == "__main__":
    sys.exit(cli(sys.argv[1:]))
