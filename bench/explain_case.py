"""(f) The query plan of every statement of cases (a) and (b), the app's with the parameters
it sent and then (a)'s plain SQL statements: EXPLAIN QUERY PLAN on SQLite, EXPLAIN (ANALYZE,
BUFFERS) on PostgreSQL, run raw."""

from __future__ import annotations

from typing import Any

from bench import pages_case, stats_case
from bench.data import Dataset
from bench.database import Backend, PostgresRaw


async def run(backend: Backend, dataset: Dataset) -> dict[str, Any]:
    found = await stats_case.statements(backend, dataset)
    count = len(stats_case.CASES)
    # The app's statements first, then the plain ones, so that the generic plans below are
    # the app's.
    statements = found[:count] + await pages_case.statements(backend, dataset) + found[count:]
    raw = await backend.raw()
    try:
        await raw.explain(statements[0])  # the first run warms the cache for the rest
        plans = [
            {
                "label": statement.label,
                "sql": statement.sql,
                "params": [repr(p) for p in statement.params],
                "plan": await raw.explain(statement),
            }
            for statement in statements
        ]
        if isinstance(raw, PostgresRaw):
            # The app's connections keep prepared statements; after five runs PostgreSQL may
            # keep one generic plan for all parameter values.
            plans += [
                {
                    "label": f"{statement.label}: the generic plan",
                    "sql": statement.sql,
                    "params": [repr(p) for p in statement.params],
                    "plan": await raw.explain_generic(statement),
                }
                for statement in statements[: len(stats_case.CASES)]
            ]
    finally:
        await raw.close()
    return {"plans": plans}
