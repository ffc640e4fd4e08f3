"""The databases under test, reached two ways: through the app's engine, and raw through the
driver alone (sqlite3, asyncpg), which is the limit the app is measured against."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
from sqlalchemy import Engine, event
from sqlalchemy.ext.asyncio import AsyncEngine

from bench.data import POSTGRES_URL, Dataset, postgres_dsn, sqlite_url


@dataclass(frozen=True, slots=True)
class Statement:
    """A statement as the app sent it to the driver: SQL text and its parameters."""

    label: str
    sql: str
    params: tuple[Any, ...]


@dataclass(slots=True)
class Capture:
    statements: list[tuple[str, tuple[Any, ...]]] = field(default_factory=list)

    def one(self, label: str, contains: str) -> Statement:
        found = [(sql, params) for sql, params in self.statements if contains in sql]
        if len(found) != 1:
            raise AssertionError(f"{label}: expected one statement with {contains!r}: {found}")
        return Statement(label, *found[0])


@contextmanager
def capturing(engine: AsyncEngine | type[Engine]) -> Iterator[Capture]:
    """Every statement the engine (or, given the Engine class, any engine) executes in the
    block, with its parameters."""
    target = engine.sync_engine if isinstance(engine, AsyncEngine) else engine
    capture = Capture()

    def record(_conn: Any, _cursor: Any, sql: str, params: Any, *_: Any) -> None:
        capture.statements.append((sql, tuple(params)))

    event.listen(target, "before_cursor_execute", record)
    try:
        yield capture
    finally:
        event.remove(target, "before_cursor_execute", record)


@dataclass(frozen=True, slots=True)
class Backend:
    name: str  # "sqlite" or "postgresql"
    url: str  # SQLAlchemy URL, as DATABASE_URL
    sqlite_path: Path | None = None

    @classmethod
    def sqlite(cls, dataset: Dataset) -> Backend:
        return cls("sqlite", sqlite_url(dataset.sqlite_path), dataset.sqlite_path)

    @classmethod
    def postgresql(cls, url: str | None = None) -> Backend:
        return cls("postgresql", url or POSTGRES_URL)

    async def raw(self) -> Raw:
        if self.sqlite_path is not None:
            return SqliteRaw(self.sqlite_path)
        # Planned for its parameters at every execution, as psql would plan the literal
        # statement: the best the database does, whatever plan the app's connections keep.
        settings = {"plan_cache_mode": "force_custom_plan"}
        return PostgresRaw(await asyncpg.connect(postgres_dsn(self.url), server_settings=settings))


class Raw:
    async def fetch(self, statement: Statement) -> list[tuple[Any, ...]]:
        raise NotImplementedError

    async def explain(self, statement: Statement) -> str:
        raise NotImplementedError

    async def version(self) -> str:
        raise NotImplementedError

    async def close(self) -> None:
        raise NotImplementedError


class SqliteRaw(Raw):
    def __init__(self, path: Path) -> None:
        self._conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)

    async def fetch(self, statement: Statement) -> list[tuple[Any, ...]]:
        return self._conn.execute(statement.sql, statement.params).fetchall()

    async def explain(self, statement: Statement) -> str:
        rows = self._conn.execute(f"EXPLAIN QUERY PLAN {statement.sql}", statement.params)
        # Rows are (id, parent, unused, detail); indent each under its parent, as the shell does.
        depth: dict[int, int] = {0: -1}
        lines = []
        for node, parent, _unused, detail in rows:
            depth[node] = depth.get(parent, -1) + 1
            lines.append("  " * depth[node] + detail)
        return "\n".join(lines)

    async def version(self) -> str:
        return sqlite3.sqlite_version

    async def close(self) -> None:
        self._conn.close()


class PostgresRaw(Raw):
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def fetch(self, statement: Statement) -> list[tuple[Any, ...]]:
        return [tuple(row) for row in await self._conn.fetch(statement.sql, *statement.params)]

    async def explain(self, statement: Statement) -> str:
        rows = await self._conn.fetch(
            f"EXPLAIN (ANALYZE, BUFFERS) {statement.sql}", *statement.params
        )
        return "\n".join(row[0] for row in rows)

    async def explain_generic(self, statement: Statement) -> str:
        """The plan PostgreSQL keeps for a prepared statement once it goes generic."""
        await self._conn.execute(f"PREPARE bench_generic AS {statement.sql}")
        try:
            # EXECUTE takes no protocol parameters: the values go in as literals.
            args = ", ".join(_literal(value) for value in statement.params)
            await self._conn.execute("SET plan_cache_mode = force_generic_plan")
            rows = await self._conn.fetch(
                f"EXPLAIN (ANALYZE, BUFFERS) EXECUTE bench_generic({args})"
            )
        finally:
            await self._conn.execute("RESET plan_cache_mode; DEALLOCATE bench_generic")
        return "\n".join(row[0] for row in rows)

    async def version(self) -> str:
        return str(await self._conn.fetchval("SHOW server_version"))

    async def close(self) -> None:
        await self._conn.close()


def _literal(value: object) -> str:
    if isinstance(value, bool | int):
        return str(int(value))
    if value is None:
        return "NULL"
    return "'" + str(value).replace("'", "''") + "'"
