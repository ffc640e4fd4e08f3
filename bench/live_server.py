"""The app served in one process as `audience-stats serve` serves it, counting the SQL
statements it runs and what each live tick recomputes, for the live case (bench/live_case.py).

Every statement an engine of the process executes is counted by kind, from a
`before_cursor_execute` listener on SQLAlchemy's Engine class. `Live.tick` and
`Live._recompute` are wrapped: for each tick that recomputed topics, the record keeps when it
started (CLOCK_MONOTONIC, the clock of the bench process too), how long it took until it
returned (the pushes it queued run before it resumes), the topics and campaigns it
recomputed, the distinct (workspace, filter, dimensions) among them (what the loaders turn
into one statement each) and the aggregate statements run during it, each with the time its
cursor execute took (before_cursor_execute to after_cursor_execute). The
counts go to --out every 0.25 s, each time written whole and then renamed. The database must
be migrated already (`audience-stats load` leaves it so). SIGINT stops the server.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import threading
import time
from collections import Counter
from collections.abc import Sequence
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event

from app.live import Live, Watched
from app.server import serve
from app.settings import Settings

DUMP_SECONDS = 0.25
AGGREGATE = "aggregate"  # the stats and breakdown statement: a SELECT … GROUP BY
COMPACTION = "compaction"  # PostgreSQL's fold of the rollup's deltas (app.rollups)

_lock = threading.Lock()
_statements: Counter[str] = Counter()
_ticks: list[dict[str, Any]] = []
_aggregate_seconds: list[float] = []  # each aggregate's cursor execute, in order
# What the current tick recomputes; None outside a tick (a first subscriber's computation
# runs in a task of its own, so it never sees the tick's list).
_in_tick: ContextVar[list[Watched] | None] = ContextVar("in_tick", default=None)


def kind(sql: str) -> str:
    """AGGREGATE, COMPACTION, "notify", or the statement's verb and first table."""
    text = sql.lstrip()
    head = text.split(None, 1)[0].lower() if text else ""
    if head == "select" and "GROUP BY" in text:
        return AGGREGATE
    if head == "with" and "DELETE FROM campaign_audience_delta" in text:
        return COMPACTION
    if "pg_notify" in text:
        return "notify"
    table = re.search(r"\b(?:FROM|INTO|UPDATE)\s+(\w+)", text)
    return f"{head} {table.group(1)}" if table else head or "empty"


def _count(conn: Any, _cursor: Any, sql: str, *_: Any) -> None:
    conn.info["bench_started"] = time.monotonic()
    with _lock:
        _statements[kind(sql)] += 1


def _timed(conn: Any, _cursor: Any, sql: str, *_: Any) -> None:
    started = conn.info.pop("bench_started", None)
    if started is not None and kind(sql) == AGGREGATE:
        with _lock:
            _aggregate_seconds.append(time.monotonic() - started)


def _instrument() -> None:
    event.listen(Engine, "before_cursor_execute", _count)
    event.listen(Engine, "after_cursor_execute", _timed)
    tick, recompute = Live.tick, Live._recompute

    async def counted_tick(self: Live) -> None:
        watched: list[Watched] = []
        token = _in_tick.set(watched)
        started = time.monotonic()
        with _lock:
            before, timed = _statements[AGGREGATE], len(_aggregate_seconds)
        try:
            await tick(self)
        finally:
            _in_tick.reset(token)
        if not watched:
            return
        with _lock:
            _ticks.append(
                {
                    "at": started,
                    "seconds": time.monotonic() - started,
                    "topics": len(watched),
                    "campaigns": len({w.campaign_id for w in watched}),
                    "filters": len({(w.workspace_id, w.audience_filter, w.by) for w in watched}),
                    "aggregates": _statements[AGGREGATE] - before,
                    "aggregate_seconds": _aggregate_seconds[timed:],
                    "open_topics": self.topics,
                }
            )

    async def noted_recompute(self: Live, watched: Sequence[Watched]) -> None:
        if (noted := _in_tick.get()) is not None:
            noted.extend(watched)
        await recompute(self, watched)

    Live.tick = counted_tick  # type: ignore[method-assign]
    Live._recompute = noted_recompute  # type: ignore[method-assign]


def _dump(out: Path) -> None:
    with _lock:
        record = {
            "pid": os.getpid(),
            "written_at": time.monotonic(),
            "statements": dict(_statements),
            "ticks": list(_ticks),
        }
    partial = out.with_suffix(".partial")
    partial.write_text(json.dumps(record))
    partial.rename(out)


def _dump_every(out: Path, stop: threading.Event) -> None:
    while not stop.wait(DUMP_SECONDS):
        _dump(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    settings = Settings.from_env()
    _instrument()
    stop = threading.Event()
    dumper = threading.Thread(target=_dump_every, args=(args.out, stop), daemon=True)
    dumper.start()
    try:
        serve(
            "app.app:create_app",
            factory=True,
            host="127.0.0.1",
            port=args.port,
            max_message_bytes=settings.max_body_bytes,
        )
    finally:
        stop.set()
        dumper.join()
        _dump(args.out)


if __name__ == "__main__":
    main()
