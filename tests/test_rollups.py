"""The audience rollup (app/tables.py, migration 0004) is exact for every writer.

The writers here are plain SQL on connections of the tests' own (sqlite3, asyncpg, or
SQLAlchemy text statements), never the app's code, and every expected value comes from an
independent reference: the test's own dict of the rows it wrote, grouped in Python, or a SQL
GROUP BY over campaign_audience. app.rollups is exercised (compact, check, rebuild), never
trusted for an expected value.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import os
import random
import re
import sqlite3
from collections import Counter, defaultdict
from collections.abc import (
    AsyncIterator,
    Callable,
    Coroutine,
    Iterable,
    Iterator,
    Mapping,
    Sequence,
)
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol, TypeVar

import asyncpg
import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from hypothesis import HealthCheck, Phase, given, note, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import Connection, make_url
from sqlalchemy.ext.asyncio import AsyncEngine

import app
from app import cli, rollups
from app.db import create_engine
from app.filters import AudienceFilter
from app.repository import Repository
from app.stats import AudienceStats
from tests import reference
from tests.conftest import BACKENDS, POSTGRES_URL, clear

T = TypeVar("T")
Row = dict[str, Any]
Rows = dict[int, Row]  # the model: record id -> row, as the test wrote it
Group = tuple[Any, ...]  # (campaign_id, status, call_status, first_status, last_status, attempt)
Totals = dict[Group, tuple[int, int]]  # group -> (records, duration sum)

KEY = ("campaign_id", "status", "call_status", "first_status", "last_status", "attempt")
COLUMNS = (
    "id",
    "campaign_id",
    "mobile_no",
    "status",
    "call_status",
    "first_status",
    "last_status",
    "attempt",
    "duration",
    "last_attempt_at",
    "last_disposition",
    "input_data",
)
ROLLUP = "campaign_audience_rollup"
DELTA = "campaign_audience_delta"
CAMPAIGNS = {1: 1, 2: 1, 3: 2, 4: 2}  # campaign id -> workspace id
CAMPAIGN_IDS = tuple(CAMPAIGNS)
MISSING_CAMPAIGN_ID = 999
BIG = 2**31 - 1
CREATED_AT = datetime(2026, 1, 5, 9, 30, tzinfo=UTC)
# Statuses as writers store them: NULL (often), odd strings ('' and ' ' are not NULL, lower
# case is not upper case) and known ones.
STATUS_TEXTS = (
    *(None,) * 4,
    "BUSY",
    "busy",
    "",
    " ",
    "COMPLETED",
    "Completed",
    "ANSWER",
    " ANSWER ",
    "NO_ANSWER",
    "USER_ENDED",
    "Voice mail",
)
FILTER_TEXTS = ("BUSY", "COMPLETED", "ANSWER", "NO_ANSWER", "USER_ENDED", "VOICE MAIL", "UNHEARD")
POSTGRES_ONLY = pytest.mark.parametrize(
    "database_url", [b for b in BACKENDS if b == "postgresql"], indirect=True
)


def group_by(rows: Iterable[Mapping[str, Any]]) -> Totals:
    """The rollup the rows should have: GROUP BY the key, count and sum of duration."""
    totals: dict[Group, list[int]] = defaultdict(lambda: [0, 0])
    for row in rows:
        total = totals[tuple(row[name] for name in KEY)]
        total[0] += 1
        total[1] += row["duration"]
    return {group: (records, duration) for group, (records, duration) in totals.items()}


def _one_row_per_group(rows: Sequence[Sequence[Any]], table: str) -> Totals:
    found = {tuple(row[:6]): (int(row[6]), int(row[7])) for row in rows}
    assert len(found) == len(rows), f"{table} holds a group twice: {rows}"
    return found


def _summed(rows: Iterable[Sequence[Any]]) -> Totals:
    """Rows of (key..., records, duration) summed per group; groups that sum to nothing go."""
    totals: dict[Group, list[int]] = defaultdict(lambda: [0, 0])
    for row in rows:
        total = totals[tuple(row[:6])]
        total[0] += int(row[6])
        total[1] += int(row[7])
    return {group: (n, d) for group, (n, d) in totals.items() if (n, d) != (0, 0)}


SELECT_GROUPS = f"SELECT {', '.join(KEY)}, records, duration FROM "
SQL_GROUP_BY = (
    f"SELECT {', '.join(KEY)}, count(*), sum(duration) FROM campaign_audience "
    f"GROUP BY {', '.join(KEY)}"
)


# --- Writers: plain SQL on a connection of the test's own -------------------------------------


class Writer(Protocol):
    postgresql: bool

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None: ...
    def fetch(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]: ...
    def copy(self, rows: Sequence[Row]) -> None: ...
    def in_transaction(self) -> bool: ...
    def close(self) -> None: ...


def _sqlite_value(value: Any) -> Any:
    if isinstance(value, datetime):  # as SQLAlchemy stores a timestamp on SQLite
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, dict):
        return json.dumps(value)
    return value


def _postgres_value(value: Any) -> Any:
    return json.dumps(value) if isinstance(value, dict) else value


class SqliteWriter:
    """sqlite3, autocommit unless BEGIN, foreign keys on as a careful writer has them."""

    postgresql = False

    def __init__(self, path: str) -> None:
        self._connection = sqlite3.connect(path, isolation_level=None, timeout=10)
        self._connection.execute("PRAGMA foreign_keys = ON")

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        self._connection.execute(sql, [_sqlite_value(value) for value in params])

    def fetch(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        cursor = self._connection.execute(sql, [_sqlite_value(value) for value in params])
        return [tuple(row) for row in cursor.fetchall()]

    def copy(self, rows: Sequence[Row]) -> None:
        raise NotImplementedError("COPY is PostgreSQL's")

    def in_transaction(self) -> bool:
        return self._connection.in_transaction

    def close(self) -> None:
        self._connection.close()


def _numbered(sql: str) -> str:
    """`?` placeholders as asyncpg's `$1, $2, ...`."""
    numbers = itertools.count(1)
    return re.sub(r"\?", lambda _: f"${next(numbers)}", sql)


class PostgresWriter:
    """A bare asyncpg connection, driven through the test's private event loop."""

    postgresql = True

    def __init__(self, runner: asyncio.Runner, dsn: str) -> None:
        self._run = runner.run
        self._connection: asyncpg.Connection = runner.run(asyncpg.connect(dsn))

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        values = [_postgres_value(value) for value in params]
        self._run(self._connection.execute(_numbered(sql), *values))

    def fetch(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        values = [_postgres_value(value) for value in params]
        return [tuple(row) for row in self._run(self._connection.fetch(_numbered(sql), *values))]

    def copy(self, rows: Sequence[Row]) -> None:
        records = [tuple(_postgres_value(row[name]) for name in COLUMNS) for row in rows]
        self._run(
            self._connection.copy_records_to_table(
                "campaign_audience", records=records, columns=list(COLUMNS)
            )
        )

    def in_transaction(self) -> bool:
        return self._connection.is_in_transaction()

    def close(self) -> None:
        self._run(self._connection.close())


def asyncpg_dsn(database_url: str) -> str:
    return make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)


def open_writer(runner: asyncio.Runner, database_url: str) -> Writer:
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        assert url.database
        return SqliteWriter(url.database)
    return PostgresWriter(runner, asyncpg_dsn(database_url))


def add_campaigns(writer: Writer) -> None:
    for workspace_id in sorted(set(CAMPAIGNS.values())):
        writer.execute(
            "INSERT INTO workspace (id, name) VALUES (?, ?)", (workspace_id, f"W{workspace_id}")
        )
    for campaign_id, workspace_id in CAMPAIGNS.items():
        writer.execute(
            "INSERT INTO campaign (id, workspace_id, name, max_attempts, created_at) "
            "VALUES (?, ?, ?, 3, ?)",
            (campaign_id, workspace_id, f"C{campaign_id}", CREATED_AT),
        )


def groups_seen(writer: Writer) -> Totals:
    """The groups as the rollup has them: on SQLite the rollup table itself, exactly (a group
    of no records has no row); on PostgreSQL the rollup plus the pending deltas."""
    if not writer.postgresql:
        return _one_row_per_group(writer.fetch(SELECT_GROUPS + ROLLUP), ROLLUP)
    return _summed([*writer.fetch(SELECT_GROUPS + ROLLUP), *writer.fetch(SELECT_GROUPS + DELTA)])


# --- The statements the state machine writes, and what each does to the model ---------------


@dataclass(frozen=True)
class Write:
    """One statement, and what it does to the model's rows (`apply` replaces row dicts, never
    mutates them, so a shallow copy of the model is a snapshot)."""

    sql: str
    params: tuple[Any, ...]
    apply: Callable[[Rows], None] = field(repr=False, compare=False)
    copy: tuple[Row, ...] | None = None  # COPY these rows (PostgreSQL) instead of the sql

    def run(self, writer: Writer) -> None:
        if self.copy is not None:
            writer.copy(self.copy)
        else:
            writer.execute(self.sql, self.params)


@dataclass(frozen=True)
class Where:
    sql: str
    params: tuple[Any, ...]
    matches: Callable[[Row], bool] = field(repr=False, compare=False)


@dataclass(frozen=True)
class Assignment:
    """`column = sql` in an UPDATE; `value` computes it in Python from the row before."""

    column: str
    sql: str
    params: tuple[Any, ...]
    value: Callable[[Row], Any] = field(repr=False, compare=False)


texts = st.sampled_from(STATUS_TEXTS)
attempts = st.integers(0, 4) | st.integers(5, 1000)
durations = st.integers(0, 600) | st.integers(BIG - 1000, BIG)
moments = st.none() | st.datetimes(
    min_value=datetime(2025, 1, 1), max_value=datetime(2027, 1, 1), timezones=st.just(UTC)
)
dispositions = st.sampled_from((None, "Interested", "Callback", ""))
inputs = st.sampled_from(({}, {"name": "Ann"}, {"n": 1}))
mobile_numbers = st.text("0123456789+", min_size=1, max_size=8)
VALUES: dict[str, st.SearchStrategy[Any]] = {
    "campaign_id": st.sampled_from(CAMPAIGN_IDS),
    "mobile_no": mobile_numbers,
    "status": st.integers(0, 3),
    "call_status": texts,
    "first_status": texts,
    "last_status": texts,
    "attempt": attempts,
    "duration": durations,
    "last_attempt_at": moments,
    "last_disposition": dispositions,
    "input_data": inputs,
}
row_values = st.fixed_dictionaries(VALUES)
IRRELEVANT = ("mobile_no", "last_attempt_at", "last_disposition", "input_data")


def _constant(value: Any) -> Callable[[Row], Any]:
    return lambda _row: value


def constant(column: str) -> st.SearchStrategy[Assignment]:
    return VALUES[column].map(lambda value: Assignment(column, "?", (value,), _constant(value)))


def _upper(text: str | None) -> str | None:
    return None if text is None else text.upper()  # ASCII only: as SQL's upper()


SAME_STATUS = Assignment("status", "status", (), lambda row: row["status"])
SAME_CAMPAIGN = Assignment("campaign_id", "campaign_id", (), lambda row: row["campaign_id"])
EXPRESSIONS = (
    Assignment("attempt", "attempt + 1", (), lambda row: row["attempt"] + 1),
    Assignment("duration", "duration / 2", (), lambda row: row["duration"] // 2),
    Assignment("status", "(status + 1) % 4", (), lambda row: (row["status"] + 1) % 4),
    Assignment("call_status", "last_status", (), lambda row: row["last_status"]),
    Assignment("last_status", "call_status", (), lambda row: row["call_status"]),
    Assignment("first_status", "upper(first_status)", (), lambda row: _upper(row["first_status"])),
    Assignment("call_status", "NULL", (), _constant(None)),
    SAME_STATUS,
    SAME_CAMPAIGN,
)
any_assignment = st.sampled_from(tuple(VALUES)).flatmap(constant) | st.sampled_from(EXPRESSIONS)
assignments = st.lists(any_assignment, min_size=1, max_size=4, unique_by=lambda a: a.column)
# Updates that change no group: other columns, or statuses set to themselves.
irrelevant_assignments = st.lists(
    st.sampled_from(IRRELEVANT).flatmap(constant) | st.sampled_from((SAME_STATUS, SAME_CAMPAIGN)),
    min_size=1,
    max_size=3,
    unique_by=lambda a: a.column,
)


@st.composite
def wheres(draw: st.DrawFn, rows: Rows) -> Where:
    """Which rows a statement touches: one (or none: id 0 is never used), a few, many, all."""
    ids = sorted(rows)
    kind = draw(
        st.sampled_from(
            ("id",) * 4
            + ("ids",) * 2
            + ("campaign", "null", "equal", "attempt", "status", "range", "all", "none")
        )
    )
    if kind == "id":
        record_id = draw(st.sampled_from(ids)) if ids and draw(st.integers(0, 7)) else 0
        return Where("id = ?", (record_id,), lambda row: row["id"] == record_id)
    if kind == "ids":
        chosen = draw(st.lists(st.sampled_from([*ids, 0]), min_size=1, max_size=5, unique=True))
        marks = ", ".join("?" * len(chosen))
        return Where(f"id IN ({marks})", tuple(chosen), lambda row: row["id"] in chosen)
    if kind == "campaign":
        campaign_id = draw(st.sampled_from(CAMPAIGN_IDS))
        return Where("campaign_id = ?", (campaign_id,), lambda r: r["campaign_id"] == campaign_id)
    if kind == "null":
        return Where("call_status IS NULL", (), lambda row: row["call_status"] is None)
    if kind == "equal":
        text = draw(st.sampled_from([t for t in STATUS_TEXTS if t is not None]))
        return Where("call_status = ?", (text,), lambda row: row["call_status"] == text)
    if kind == "attempt":
        least = draw(st.integers(0, 5))
        return Where("attempt >= ?", (least,), lambda row: row["attempt"] >= least)
    if kind == "status":
        status = draw(st.integers(0, 3))
        return Where("status = ?", (status,), lambda row: row["status"] == status)
    if kind == "range":
        low = draw(st.integers(0, max(ids, default=0)))
        high = low + draw(st.integers(0, 10))
        return Where("id BETWEEN ? AND ?", (low, high), lambda row: low <= row["id"] <= high)
    if kind == "all":
        return Where("1 = 1", (), lambda _row: True)
    return Where("id < 0", (), lambda _row: False)


def _insert_sql(count: int) -> str:
    marks = "(" + ", ".join("?" * len(COLUMNS)) + ")"
    return f"INSERT INTO campaign_audience ({', '.join(COLUMNS)}) VALUES " + ", ".join(
        [marks] * count
    )


def _add(new: Sequence[Row]) -> Callable[[Rows], None]:
    def apply(rows: Rows) -> None:
        for row in new:
            assert row["id"] not in rows
            rows[row["id"]] = dict(row)

    return apply


# (ON CONFLICT action, the row it leaves from the row before and the excluded row)
UPSERT_ACTIONS: tuple[tuple[str, Callable[[Row, Row], Row]], ...] = (
    (
        "DO UPDATE SET " + ", ".join(f"{name} = excluded.{name}" for name in COLUMNS[1:]),
        lambda _old, new: dict(new),
    ),
    (
        "DO UPDATE SET attempt = campaign_audience.attempt + 1, call_status = excluded.call_status",
        lambda old, new: {**old, "attempt": old["attempt"] + 1, "call_status": new["call_status"]},
    ),
    (
        "DO UPDATE SET campaign_id = excluded.campaign_id, "
        "duration = campaign_audience.duration / 2",
        lambda old, new: {
            **old,
            "campaign_id": new["campaign_id"],
            "duration": old["duration"] // 2,
        },
    ),
    (
        "DO UPDATE SET last_disposition = excluded.last_disposition",
        lambda old, new: {**old, "last_disposition": new["last_disposition"]},
    ),
    ("DO NOTHING", lambda old, _new: old),
)
COPIED_COLUMNS = ", ".join(COLUMNS[2:])


def _reference_stats(found: AudienceStats) -> reference.Stats:
    return reference.Stats(
        total_audience=found.total_audience,
        coverage=found.coverage,
        total_attempt=found.total_attempt,
        total_duration=found.total_duration,
        successful_calls=found.successful_calls,
    )


@st.composite
def audience_filters(draw: st.DrawFn, rows: Sequence[Row], anchor: Row) -> dict[str, Any]:
    """A GraphQL-shaped AudienceFilter without a mobile number: mostly of the anchor row's
    values, so that several constraints together still match some rows; else any row's, or
    values no row has."""

    def values(column: str, others: st.SearchStrategy[Any]) -> list[Any] | None:
        if draw(st.integers(0, 2)):  # no constraint
            return None
        seen = sorted({row[column] for row in rows if _usable(column, row[column])})
        pool = st.sampled_from(seen) | others if seen else others
        chosen = draw(st.lists(pool, min_size=0, max_size=2))
        if _usable(column, anchor[column]) and draw(st.integers(0, 4)):
            chosen.append(anchor[column])
        elif draw(st.integers(0, 2)):  # a constraint the anchor could not meet: seldom
            return None
        return chosen or [draw(others)]

    found: dict[str, Any] = {"mobileNo": draw(st.sampled_from((None, "")))}
    codes = {code: name for name, code in reference.AUDIENCE_STATUS_CODES.items()}
    statuses = values("status", st.sampled_from(sorted(codes)))
    if statuses is not None:
        found["status"] = sorted({codes[status] for status in statuses})
    for name, column in reference.TEXT_STATUS_FILTERS.items():
        texts = values(column, st.sampled_from(FILTER_TEXTS))
        if texts is not None:
            case = draw(st.sampled_from((str.upper, str.lower, str.title)))
            found[name] = [case(text) for text in texts]
    attempts = values("attempt", st.integers(0, 1000))
    if attempts is not None:
        found["attempt"] = attempts
    return found


def _usable(column: str, value: Any) -> bool:
    """Whether a filter can name the value: attempts up to 1000; statuses the app does not
    trim or drop (the reference only upper-cases them) and that are not NULL."""
    if column in ("status", "attempt"):
        return bool(value <= 1000)
    return isinstance(value, str) and value != "" and value.strip() == value


def parsed(audience_filter: Mapping[str, Any]) -> AudienceFilter:
    statuses = audience_filter.get("status")
    return AudienceFilter.parse(
        mobile_no=audience_filter.get("mobileNo"),
        status=None if statuses is None else [reference.AUDIENCE_STATUS_CODES[s] for s in statuses],
        call_status=audience_filter.get("callStatus"),
        first_status=audience_filter.get("firstStatus"),
        last_status=audience_filter.get("lastStatus"),
        attempt=audience_filter.get("attempt"),
    )


@dataclass
class Context:
    """What the examples of one test share: a private event loop, the app's engine (for
    app.rollups and the repository only) and the writer's own connection."""

    runner: asyncio.Runner
    engine: AsyncEngine
    writer: Writer

    def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        return self.runner.run(coroutine)

    async def check(self) -> list[rollups.Drift]:
        async with self.engine.connect() as connection:
            return await rollups.check(connection)

    async def compact(self) -> bool:
        async with self.engine.begin() as connection:
            return await rollups.compact(connection)


class RollupMachine(RuleBasedStateMachine):
    """Random writes through plain SQL; after each step the rollup equals the model grouped."""

    def __init__(self, context: Context) -> None:
        super().__init__()
        self.context = context
        self.writer = context.writer
        self.postgresql = self.writer.postgresql
        self.rows: Rows = {}
        self.next_id = 1  # every id ever used is below it
        self.freed: list[int] = []  # ids of deleted rows, which writers may use again
        if self.writer.in_transaction():
            self.writer.execute("ROLLBACK")
        # Children first: the deletes of records add deltas on PostgreSQL.
        for table in ("campaign_audience", ROLLUP, *((DELTA,) if self.postgresql else ())):
            self.writer.execute(f"DELETE FROM {table}")

    # Statement builders, against the rows as they are (the model, or a transaction's copy).

    def fresh_ids(self, data: st.DataObject, count: int, rows: Rows) -> list[int]:
        ids: list[int] = []
        for _ in range(count):
            reusable = sorted({i for i in self.freed if i not in rows and i not in ids})
            if reusable and data.draw(st.integers(0, 3)) == 0:
                ids.append(data.draw(st.sampled_from(reusable)))
            else:
                ids.append(self.next_id)
                self.next_id += 1
        return ids

    def _new_rows(self, data: st.DataObject, rows: Rows, least: int, most: int) -> list[Row]:
        values = data.draw(st.lists(row_values, min_size=least, max_size=most))
        ids = self.fresh_ids(data, len(values), rows)
        return [{"id": i, **v} for i, v in zip(ids, values, strict=True)]

    def build_insert(self, data: st.DataObject, rows: Rows) -> Write:
        new = self._new_rows(data, rows, 1, 8)
        params = tuple(row[name] for row in new for name in COLUMNS)
        return Write(_insert_sql(len(new)), params, _add(new))

    def build_update(
        self,
        data: st.DataObject,
        rows: Rows,
        strategy: st.SearchStrategy[list[Assignment]] = assignments,
    ) -> Write:
        sets = data.draw(strategy)
        where = data.draw(wheres(rows))
        changes = ", ".join(f"{a.column} = {a.sql}" for a in sets)
        params = (*(p for a in sets for p in a.params), *where.params)

        def apply(rows: Rows) -> None:
            for record_id, row in list(rows.items()):
                if where.matches(row):
                    rows[record_id] = {**row, **{a.column: a.value(row) for a in sets}}

        return Write(f"UPDATE campaign_audience SET {changes} WHERE {where.sql}", params, apply)

    def build_irrelevant_update(self, data: st.DataObject, rows: Rows) -> Write:
        return self.build_update(data, rows, irrelevant_assignments)

    def build_update_id(self, data: st.DataObject, rows: Rows) -> Write:
        old = data.draw(st.sampled_from(sorted(rows)))
        (new,) = self.fresh_ids(data, 1, rows)
        sets = data.draw(st.lists(any_assignment, max_size=2, unique_by=lambda a: a.column))
        changes = "".join(f", {a.column} = {a.sql}" for a in sets)

        def apply(rows: Rows) -> None:
            row = rows.pop(old)
            rows[new] = {**row, **{a.column: a.value(row) for a in sets}, "id": new}
            self.freed.append(old)

        params = (new, *(p for a in sets for p in a.params), old)
        return Write(f"UPDATE campaign_audience SET id = ?{changes} WHERE id = ?", params, apply)

    def build_delete(self, data: st.DataObject, rows: Rows) -> Write:
        where = data.draw(wheres(rows))

        def apply(rows: Rows) -> None:
            for record_id in [i for i, row in rows.items() if where.matches(row)]:
                del rows[record_id]
                self.freed.append(record_id)

        return Write(f"DELETE FROM campaign_audience WHERE {where.sql}", where.params, apply)

    def _offset(self) -> int:
        """An id offset that makes a copy of any row's id unused."""
        offset = self.next_id
        self.next_id *= 2
        return offset

    def build_insert_select(self, data: st.DataObject, rows: Rows) -> Write:
        """Copies of some rows, into one campaign: INSERT ... SELECT from the table itself."""
        where = data.draw(wheres(rows))
        campaign_id = data.draw(st.sampled_from(CAMPAIGN_IDS))
        offset = self._offset()

        def apply(rows: Rows) -> None:
            copies = [row for row in rows.values() if where.matches(row)]
            _add([{**r, "id": r["id"] + offset, "campaign_id": campaign_id} for r in copies])(rows)

        sql = (
            f"INSERT INTO campaign_audience ({', '.join(COLUMNS)}) "
            f"SELECT id + CAST(? AS BIGINT), CAST(? AS INTEGER), {COPIED_COLUMNS} "
            f"FROM campaign_audience WHERE {where.sql}"
        )
        return Write(sql, (offset, campaign_id, *where.params), apply)

    def build_upsert(self, data: st.DataObject, rows: Rows) -> Write:
        """INSERT ... ON CONFLICT (id): some ids exist (the conflict action), some do not."""
        count = data.draw(st.integers(1, 4))
        existing = (
            data.draw(st.lists(st.sampled_from(sorted(rows)), max_size=count, unique=True))
            if rows
            else []
        )
        ids = existing + self.fresh_ids(data, count - len(existing), rows)
        values = data.draw(st.lists(row_values, min_size=len(ids), max_size=len(ids)))
        new = [{"id": i, **v} for i, v in zip(ids, values, strict=True)]
        action, result = data.draw(st.sampled_from(UPSERT_ACTIONS))

        def apply(rows: Rows) -> None:
            for row in new:
                old = rows.get(row["id"])
                rows[row["id"]] = (
                    dict(row) if old is None else {**result(old, row), "id": row["id"]}
                )

        params = tuple(row[name] for row in new for name in COLUMNS)
        return Write(f"{_insert_sql(len(new))} ON CONFLICT (id) {action}", params, apply)

    def build_copy(self, data: st.DataObject, rows: Rows) -> Write:
        new = self._new_rows(data, rows, 1, 5)
        return Write("COPY campaign_audience FROM STDIN", (), _add(new), copy=tuple(new))

    def build_merge(self, data: st.DataObject, rows: Rows) -> Write:
        """MERGE (PostgreSQL): per source row, delete, update or insert."""
        count = data.draw(st.integers(1, 4))
        existing = (
            data.draw(st.lists(st.sampled_from(sorted(rows)), max_size=count, unique=True))
            if rows
            else []
        )
        ids = existing + self.fresh_ids(data, count - len(existing), rows)
        source = [
            (
                record_id,
                data.draw(st.sampled_from(CAMPAIGN_IDS)),
                data.draw(st.integers(0, 3)),
                data.draw(texts),
                data.draw(st.integers(0, 3)),
                data.draw(durations),
                data.draw(st.booleans()),
            )
            for record_id in ids
        ]

        def apply(rows: Rows) -> None:
            for record_id, campaign_id, status, call_status, attempt, duration, remove in source:
                old = rows.get(record_id)
                if old is not None and remove:
                    del rows[record_id]
                    self.freed.append(record_id)
                elif old is not None:
                    rows[record_id] = {
                        **old,
                        "campaign_id": campaign_id,
                        "status": status,
                        "call_status": call_status,
                        "attempt": old["attempt"] + attempt,
                        "duration": duration,
                    }
                else:
                    rows[record_id] = {
                        "id": record_id,
                        "campaign_id": campaign_id,
                        "mobile_no": "merged",
                        "status": status,
                        "call_status": call_status,
                        "first_status": None,
                        "last_status": None,
                        "attempt": attempt,
                        "duration": duration,
                        "last_attempt_at": None,
                        "last_disposition": None,
                        "input_data": {},
                    }

        typed = (
            "(CAST(? AS BIGINT), CAST(? AS INTEGER), CAST(? AS SMALLINT), CAST(? AS TEXT), "
            "CAST(? AS INTEGER), CAST(? AS INTEGER), CAST(? AS BOOLEAN))"
        )
        sql = (
            f"MERGE INTO campaign_audience AS t USING (VALUES {', '.join([typed] * len(source))}) "
            "AS v(id, campaign_id, status, call_status, attempt, duration, remove) ON t.id = v.id "
            "WHEN MATCHED AND v.remove THEN DELETE "
            "WHEN MATCHED THEN UPDATE SET campaign_id = v.campaign_id, status = v.status, "
            "call_status = v.call_status, attempt = t.attempt + v.attempt, duration = v.duration "
            "WHEN NOT MATCHED THEN INSERT (id, campaign_id, mobile_no, status, call_status, "
            "attempt, duration, input_data) VALUES (v.id, v.campaign_id, 'merged', v.status, "
            "v.call_status, v.attempt, v.duration, '{}')"
        )
        return Write(sql, tuple(value for values in source for value in values), apply)

    def build_move(self, data: st.DataObject, rows: Rows) -> Write:
        """One statement that deletes rows and inserts them elsewhere (PostgreSQL's writable
        CTE): both triggers fire, of one statement."""
        where = data.draw(wheres(rows))
        campaign_id = data.draw(st.sampled_from(CAMPAIGN_IDS))
        offset = self._offset()

        def apply(rows: Rows) -> None:
            moved = [row for row in rows.values() if where.matches(row)]
            for row in moved:
                del rows[row["id"]]
                self.freed.append(row["id"])
            copies = [
                {
                    **r,
                    "id": r["id"] + offset,
                    "campaign_id": campaign_id,
                    "attempt": r["attempt"] + 1,
                }
                for r in moved
            ]
            _add(copies)(rows)

        sql = (
            f"WITH gone AS (DELETE FROM campaign_audience WHERE {where.sql} RETURNING *) "
            f"INSERT INTO campaign_audience ({', '.join(COLUMNS)}) "
            "SELECT id + CAST(? AS BIGINT), CAST(? AS INTEGER), mobile_no, status, call_status, "
            "first_status, last_status, attempt + 1, duration, last_attempt_at, "
            "last_disposition, input_data FROM gone"
        )
        return Write(sql, (*where.params, offset, campaign_id), apply)

    def builders(self) -> list[Callable[[st.DataObject, Rows], Write]]:
        found = [
            self.build_insert,
            self.build_update,
            self.build_irrelevant_update,
            self.build_delete,
            self.build_insert_select,
            self.build_upsert,
        ]
        if self.postgresql:
            found += [self.build_copy, self.build_merge, self.build_move]
        return found

    def perform(self, write: Write) -> None:
        note(f"{write.sql} -- {write.params}")
        write.run(self.writer)
        write.apply(self.rows)

    # Rules

    @initialize(data=st.data())
    def some_rows(self, data: st.DataObject) -> None:
        for _ in range(data.draw(st.integers(0, 3))):
            self.perform(self.build_insert(data, self.rows))

    @rule(data=st.data())
    def insert(self, data: st.DataObject) -> None:
        self.perform(self.build_insert(data, self.rows))

    @rule(data=st.data())
    def update(self, data: st.DataObject) -> None:
        self.perform(self.build_update(data, self.rows))

    @rule(data=st.data())
    def update_nothing_relevant(self, data: st.DataObject) -> None:
        self.perform(self.build_irrelevant_update(data, self.rows))

    @precondition(lambda self: self.rows)
    @rule(data=st.data())
    def update_id(self, data: st.DataObject) -> None:
        self.perform(self.build_update_id(data, self.rows))

    @rule(data=st.data())
    def swap_campaigns(self, data: st.DataObject) -> None:
        """Two campaigns' records trade places in one statement: the deltas of the statement
        net out per group where they may."""
        first, second = data.draw(st.lists(st.sampled_from(CAMPAIGN_IDS), min_size=2, max_size=2))
        swap = {first: second, second: first}

        def apply(rows: Rows) -> None:
            for record_id, row in list(rows.items()):
                if row["campaign_id"] in swap:
                    rows[record_id] = {**row, "campaign_id": swap[row["campaign_id"]]}

        sql = (
            "UPDATE campaign_audience SET campaign_id = CASE WHEN campaign_id = CAST(? AS INTEGER) "
            "THEN CAST(? AS INTEGER) ELSE CAST(? AS INTEGER) END WHERE campaign_id IN (?, ?)"
        )
        self.perform(Write(sql, (first, second, first, first, second), apply))

    @rule(data=st.data())
    def delete(self, data: st.DataObject) -> None:
        self.perform(self.build_delete(data, self.rows))

    @rule(data=st.data())
    def insert_select(self, data: st.DataObject) -> None:
        self.perform(self.build_insert_select(data, self.rows))

    @rule(data=st.data())
    def upsert(self, data: st.DataObject) -> None:
        self.perform(self.build_upsert(data, self.rows))

    @precondition(lambda self: self.postgresql)
    @rule(data=st.data())
    def copy(self, data: st.DataObject) -> None:
        self.perform(self.build_copy(data, self.rows))

    @precondition(lambda self: self.postgresql)
    @rule(data=st.data())
    def merge(self, data: st.DataObject) -> None:
        self.perform(self.build_merge(data, self.rows))

    @precondition(lambda self: self.postgresql)
    @rule(data=st.data())
    def move(self, data: st.DataObject) -> None:
        self.perform(self.build_move(data, self.rows))

    @precondition(lambda self: len(self.rows) >= 8)
    @rule()
    def empty_the_table(self) -> None:
        sql = "TRUNCATE campaign_audience" if self.postgresql else "DELETE FROM campaign_audience"

        def apply(rows: Rows) -> None:
            self.freed += list(rows)
            rows.clear()

        self.perform(Write(sql, (), apply))

    @rule(data=st.data(), commit=st.booleans())
    def transaction(self, data: st.DataObject, commit: bool) -> None:
        """1-3 statements in one transaction, committed or rolled back. Inside it, its own
        connection sees the rollup of its own changes."""
        scratch = dict(self.rows)
        note("BEGIN")
        self.writer.execute("BEGIN")
        for _ in range(data.draw(st.integers(1, 3))):
            write = data.draw(st.sampled_from(self.builders()))(data, scratch)
            note(f"{write.sql} -- {write.params}")
            write.run(self.writer)
            write.apply(scratch)
            assert groups_seen(self.writer) == group_by(scratch.values())
        note("COMMIT" if commit else "ROLLBACK")
        self.writer.execute("COMMIT" if commit else "ROLLBACK")
        if commit:
            self.rows = scratch

    @precondition(lambda self: self.postgresql)
    @rule()
    def compact(self) -> None:
        assert self.context.run(self.context.compact())
        assert self.writer.fetch(f"SELECT count(*) FROM {DELTA}") == [(0,)]
        # Compacted, the rollup table alone is the GROUP BY: no group twice, none empty.
        rollup = _one_row_per_group(self.writer.fetch(SELECT_GROUPS + ROLLUP), ROLLUP)
        assert rollup == group_by(self.rows.values())

    @precondition(lambda self: self.rows)
    @rule(data=st.data())
    def stats_equal_the_reference(self, data: st.DataObject) -> None:
        rows = sorted(self.rows.values(), key=lambda row: row["id"])
        anchor = data.draw(st.sampled_from(rows))
        audience_filter = data.draw(audience_filters(rows, anchor))
        # Mostly the anchor's workspace and all its campaigns, besides others and a missing one.
        workspace_id = CAMPAIGNS[anchor["campaign_id"]]
        if not data.draw(st.integers(0, 5)):
            workspace_id = 3 - workspace_id
        asked = data.draw(
            st.lists(
                st.sampled_from((*CAMPAIGN_IDS, MISSING_CAMPAIGN_ID)),
                min_size=1,
                max_size=5,
                unique=True,
            )
        )
        if data.draw(st.integers(0, 3)):
            asked += [c for c, w in CAMPAIGNS.items() if w == workspace_id and c not in asked]
        repository = Repository(self.context.engine)
        found = self.context.run(repository.stats(workspace_id, asked, parsed(audience_filter)))
        expected = {}
        for campaign_id in asked:
            if CAMPAIGNS.get(campaign_id) == workspace_id:
                of_campaign = [r for r in self.rows.values() if r["campaign_id"] == campaign_id]
                stats = reference.stats(of_campaign, audience_filter)
                if stats.total_audience:
                    expected[campaign_id] = stats
        assert {c: _reference_stats(s) for c, s in found.items()} == expected

    # After every step

    @invariant()
    def rollup_is_the_rows_grouped(self) -> None:
        assert groups_seen(self.writer) == group_by(self.rows.values())

    @invariant()
    def check_finds_no_drift(self) -> None:
        assert self.context.run(self.context.check()) == []


MACHINE_SETTINGS = settings(
    max_examples=25,
    stateful_step_count=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    # One drift usually breaks both invariants: shrink one failure, not each of them.
    report_multiple_bugs=False,
    # Without the explain phase, which traces every line while shrinking: a failure shrinks
    # to its few statements in seconds, not minutes.
    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink],
)


def test_rollup_is_exact_after_every_write_of_random_writers(database_url: str) -> None:
    with asyncio.Runner() as runner:
        engine = create_engine(database_url)
        runner.run(clear(engine))
        writer = open_writer(runner, database_url)
        try:
            add_campaigns(writer)
            context = Context(runner, engine, writer)
            run_state_machine_as_test(lambda: RollupMachine(context), settings=MACHINE_SETTINGS)
        finally:
            if writer.in_transaction():
                writer.execute("ROLLBACK")
            writer.close()
            runner.run(clear(engine))
            runner.run(engine.dispose())


# --- Many writers at once, with compaction beside them (PostgreSQL) ---------------------------

WRITERS = 6
WRITING_SECONDS = 3.0
SEEDED_RECORDS = 300
CALL_STATUSES = (None, "BUSY", "COMPLETED", "ANSWER", "NO_ANSWER", "")
INSERT_ONE = (
    "INSERT INTO campaign_audience (id, campaign_id, mobile_no, status, call_status, "
    "first_status, last_status, attempt, duration, input_data) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, '{}')"
)


def _random_record(rng: random.Random, record_id: int, campaign_id: int) -> tuple[Any, ...]:
    return (
        record_id,
        campaign_id,
        f"+1202555{record_id:04d}",
        rng.randrange(4),
        rng.choice(CALL_STATUSES),
        rng.choice(CALL_STATUSES),
        rng.choice(CALL_STATUSES),
        rng.randrange(4),
        rng.randrange(600),
    )


def _random_statement(
    rng: random.Random, new_ids: Iterator[int], top: int
) -> tuple[str, tuple[Any, ...]]:
    """One write to campaign 1, the hot one (now and then a record moves to campaign 2)."""
    record_id = rng.randrange(1, top)
    kind = rng.choices(("move", "many", "wide", "insert", "delete", "deletes"), (6, 2, 1, 2, 2, 1))
    if kind[0] == "move":
        return (
            "UPDATE campaign_audience SET status = $1, call_status = $2, attempt = $3, "
            "duration = $4, campaign_id = $5 WHERE id = $6",
            (
                rng.randrange(4),
                rng.choice(CALL_STATUSES),
                rng.randrange(4),
                rng.randrange(600),
                rng.choice((1, 1, 1, 2)),
                record_id,
            ),
        )
    if kind[0] == "many":
        return (
            "UPDATE campaign_audience SET attempt = attempt + 1, call_status = $1 "
            "WHERE campaign_id = 1 AND id BETWEEN $2 AND $3",
            (rng.choice(CALL_STATUSES), record_id, record_id + rng.randrange(20)),
        )
    if kind[0] == "wide":
        return (
            "UPDATE campaign_audience SET status = (status + 1) % 4, last_status = call_status "
            "WHERE campaign_id = 1 AND status = $1",
            (rng.randrange(4),),
        )
    if kind[0] == "insert":
        return INSERT_ONE, _random_record(rng, next(new_ids), 1)
    if kind[0] == "delete":
        return "DELETE FROM campaign_audience WHERE id = $1", (record_id,)
    return (
        "DELETE FROM campaign_audience WHERE campaign_id = 1 AND id BETWEEN $1 AND $2",
        (record_id, record_id + rng.randrange(4)),
    )


async def _write_for_a_while(
    dsn: str, seed: int, until: float, new_ids: Iterator[int], counts: Counter[str]
) -> None:
    rng = random.Random(seed)
    connection = await asyncpg.connect(dsn)
    try:
        with contextlib.suppress(asyncpg.InsufficientPrivilegeError):
            await connection.execute("SET deadlock_timeout = '50ms'")  # retries sooner
        loop = asyncio.get_running_loop()
        while loop.time() < until:
            statements = [
                _random_statement(rng, new_ids, SEEDED_RECORDS + 50)
                for _ in range(rng.randint(1, 3))
            ]
            isolation = rng.choice(("read_committed", "repeatable_read", "serializable"))
            for _ in range(50):  # as a real writer would: the same transaction again
                try:
                    async with connection.transaction(isolation=isolation):
                        for sql, args in statements:
                            await connection.execute(sql, *args)
                except (asyncpg.DeadlockDetectedError, asyncpg.SerializationError) as error:
                    counts[type(error).__name__] += 1
                    await asyncio.sleep(rng.random() * 0.01)
                else:
                    counts["committed"] += 1
                    break
    finally:
        await connection.close()


@POSTGRES_ONLY
async def test_concurrent_writers_and_compaction_keep_the_rollup_exact(
    engine: AsyncEngine, database_url: str
) -> None:
    dsn = asyncpg_dsn(database_url)
    rng = random.Random(20261202)
    main = await asyncpg.connect(dsn)
    try:
        await main.execute("INSERT INTO workspace (id, name) VALUES (1, 'W1')")
        await main.execute(
            "INSERT INTO campaign (id, workspace_id, name, max_attempts, created_at) "
            "VALUES (1, 1, 'C1', 3, now()), (2, 1, 'C2', 3, now())"
        )
        await main.executemany(
            INSERT_ONE,
            [_random_record(rng, i, 1 + (i % 5 == 0)) for i in range(1, SEEDED_RECORDS + 1)],
        )
        counts: Counter[str] = Counter()
        drifts: list[list[rollups.Drift]] = []
        stop = asyncio.Event()

        async def compact_every_50_ms() -> None:
            while not stop.is_set():
                async with engine.begin() as connection:
                    counts["compactions"] += await rollups.compact(connection)
                await asyncio.sleep(0.05)

        async def check_meanwhile() -> None:
            # check reads one snapshot, so it sees no drift even while writers run.
            while not stop.is_set():
                async with engine.connect() as connection:
                    if found := await rollups.check(connection):
                        drifts.append(found)
                await asyncio.sleep(0.1)

        beside = [
            asyncio.create_task(compact_every_50_ms()),
            asyncio.create_task(check_meanwhile()),
        ]
        new_ids = itertools.count(SEEDED_RECORDS + 1)
        until = asyncio.get_running_loop().time() + WRITING_SECONDS
        try:
            await asyncio.gather(
                *(_write_for_a_while(dsn, n, until, new_ids, counts) for n in range(WRITERS))
            )
        finally:
            stop.set()
            await asyncio.gather(*beside)

        async with engine.begin() as connection:
            assert await rollups.compact(connection, wait=True)
        assert await main.fetchval(f"SELECT count(*) FROM {DELTA}") == 0
        rollup = _one_row_per_group(await main.fetch(SELECT_GROUPS + ROLLUP), ROLLUP)
        assert rollup == _one_row_per_group(await main.fetch(SQL_GROUP_BY), "GROUP BY")
        async with engine.connect() as connection:
            assert await rollups.check(connection) == []
        assert drifts == []
        assert counts["committed"] > 0, counts
        assert counts["compactions"] > 0, counts
    finally:
        await main.close()


# --- Emptying the table -----------------------------------------------------------------------


def audience_rows(seed: int, count: int, first_id: int = 1) -> list[Row]:
    rng = random.Random(seed)
    return [
        {
            "id": record_id,
            "campaign_id": rng.choice(CAMPAIGN_IDS),
            "mobile_no": f"+1202555{record_id:04d}",
            "status": rng.randrange(4),
            "call_status": rng.choice(STATUS_TEXTS),
            "first_status": rng.choice(STATUS_TEXTS),
            "last_status": rng.choice(STATUS_TEXTS),
            "attempt": rng.randrange(4),
            "duration": rng.choice((0, rng.randrange(600), BIG)),
            "last_attempt_at": None,
            "last_disposition": None,
            "input_data": {},
        }
        for record_id in range(first_id, first_id + count)
    ]


INSERT_NAMED = sa.text(
    f"INSERT INTO campaign_audience ({', '.join(COLUMNS)}) "
    f"VALUES ({', '.join(':' + name for name in COLUMNS)})"
)


async def insert(connection: Any, rows: Sequence[Row]) -> None:
    """Plain SQL inserts (SQLAlchemy text, no table metadata)."""
    await connection.execute(
        INSERT_NAMED, [{**row, "input_data": json.dumps(row["input_data"])} for row in rows]
    )


async def add_workspaces_and_campaigns(connection: Any) -> None:
    for workspace_id in sorted(set(CAMPAIGNS.values())):
        await connection.execute(
            sa.text("INSERT INTO workspace (id, name) VALUES (:id, 'W')"), {"id": workspace_id}
        )
    for campaign_id, workspace_id in CAMPAIGNS.items():
        await connection.execute(
            sa.text(
                "INSERT INTO campaign (id, workspace_id, name, max_attempts, created_at) "
                "VALUES (:id, :workspace_id, 'C', 3, :created_at)"
            ),
            {
                "id": campaign_id,
                "workspace_id": workspace_id,
                "created_at": _created_at(connection),
            },
        )


def _created_at(connection: Any) -> Any:
    return CREATED_AT if connection.dialect.name == "postgresql" else _sqlite_value(CREATED_AT)


async def fetch(engine: AsyncEngine, sql: str) -> list[tuple[Any, ...]]:
    async with engine.connect() as connection:
        return [tuple(row) for row in await connection.execute(sa.text(sql))]


async def rollup_of(engine: AsyncEngine) -> Totals:
    """The rollup table as it is, one row per group."""
    return _one_row_per_group(await fetch(engine, SELECT_GROUPS + ROLLUP), ROLLUP)


async def rollup_and_deltas(engine: AsyncEngine) -> Totals:
    rows = await fetch(engine, SELECT_GROUPS + ROLLUP)
    if engine.dialect.name == "postgresql":
        rows += await fetch(engine, SELECT_GROUPS + DELTA)
    return _summed(rows)


async def count_of(engine: AsyncEngine, table: str) -> int:
    ((count,),) = await fetch(engine, f"SELECT count(*) FROM {table}")
    return int(count)


async def compact(engine: AsyncEngine) -> None:
    async with engine.begin() as connection:
        assert await rollups.compact(connection, wait=True)


async def check(engine: AsyncEngine) -> list[rollups.Drift]:
    async with engine.connect() as connection:
        return await rollups.check(connection)


@POSTGRES_ONLY
async def test_truncate_empties_the_rollup_and_its_deltas(engine: AsyncEngine) -> None:
    first, second = audience_rows(1, 40), audience_rows(2, 30, first_id=41)
    async with engine.begin() as connection:
        await add_workspaces_and_campaigns(connection)
        await insert(connection, first)
    await compact(engine)
    async with engine.begin() as connection:  # pending deltas besides the rollup
        await insert(connection, second)
        await connection.execute(sa.text("DELETE FROM campaign_audience WHERE id <= 10"))
    rows = [row for row in first + second if row["id"] > 10]
    assert await count_of(engine, ROLLUP) > 0
    assert await count_of(engine, DELTA) > 0

    # Rolled back, a TRUNCATE takes nothing with it.
    async with engine.connect() as connection:
        transaction = await connection.begin()
        await connection.execute(sa.text("TRUNCATE campaign_audience"))
        await transaction.rollback()
    assert await rollup_and_deltas(engine) == group_by(rows)

    async with engine.begin() as connection:
        await connection.execute(sa.text("TRUNCATE campaign_audience"))
    assert await count_of(engine, ROLLUP) == 0
    assert await count_of(engine, DELTA) == 0
    assert await check(engine) == []

    again = audience_rows(3, 20)  # the same ids once more
    async with engine.begin() as connection:
        await insert(connection, again)
    assert await rollup_and_deltas(engine) == group_by(again)
    await compact(engine)
    assert await rollup_of(engine) == group_by(again)


async def test_deleting_every_row_empties_the_rollup(engine: AsyncEngine) -> None:
    postgresql = engine.dialect.name == "postgresql"
    async with engine.begin() as connection:
        await add_workspaces_and_campaigns(connection)
        await insert(connection, audience_rows(4, 50))
    if postgresql:
        await compact(engine)
    async with engine.begin() as connection:
        await insert(connection, audience_rows(5, 20, first_id=51))
    assert await rollup_and_deltas(engine) == group_by(
        audience_rows(4, 50) + audience_rows(5, 20, 51)
    )

    async with engine.begin() as connection:
        await connection.execute(sa.text("DELETE FROM campaign_audience"))
    if postgresql:
        await compact(engine)
        assert await count_of(engine, DELTA) == 0
    assert await count_of(engine, ROLLUP) == 0
    assert await check(engine) == []
    for workspace_id in (1, 2):
        stats = await Repository(engine).stats(workspace_id, CAMPAIGN_IDS, AudienceFilter())
        assert stats == {}


# --- The migration's back-fill ------------------------------------------------------------------


def _alembic(connection: Connection, action: str, revision: str) -> None:
    config = Config()
    config.set_main_option("script_location", str(Path(app.__file__).parent / "migrations"))
    config.attributes["connection"] = connection
    getattr(command, action)(config, revision)


async def migrate_to(engine: AsyncEngine, revision: str, action: str = "upgrade") -> None:
    async with engine.begin() as connection:
        await connection.run_sync(_alembic, action, revision)


@contextlib.asynccontextmanager
async def fresh_database(backend: str, tmp_path: Path) -> AsyncIterator[str]:
    """An empty database of the test's own, without any schema."""
    if backend == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'backfill.db'}"
        return
    url = make_url(POSTGRES_URL)
    database = f"{url.database}_rollup_backfill_{os.getpid()}"
    admin = create_engine(POSTGRES_URL).execution_options(isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as connection:
            await connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
            await connection.execute(sa.text(f'CREATE DATABASE "{database}"'))
        yield url.set(database=database).render_as_string(hide_password=False)
    finally:
        async with admin.connect() as connection:
            await connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
        await admin.dispose()


def backfill_rows() -> list[Row]:
    rows = audience_rows(6, 150)
    base = {**rows[0], "campaign_id": 1, "status": 1, "first_status": None, "last_status": None}
    base["attempt"] = 2
    # NULL, '' and ' ' are three groups; so are 'busy' and 'BUSY'; and one group's duration
    # sum is past 2^31 - 1.
    odd = [None, None, "", " ", "busy", "BUSY", "BUSY", "BUSY"]
    rows += [
        {**base, "id": 1000 + i, "call_status": text, "duration": BIG if text == "BUSY" else i}
        for i, text in enumerate(odd)
    ]
    return rows


@pytest.mark.parametrize("backend", BACKENDS)
async def test_migration_back_fills_the_rollup_from_the_rows_already_there(
    backend: str, tmp_path: Path
) -> None:
    async with fresh_database(backend, tmp_path) as url:
        engine = create_engine(url)
        try:
            await migrate_to(engine, "0003")
            rows = backfill_rows()
            async with engine.begin() as connection:
                await add_workspaces_and_campaigns(connection)
                await insert(connection, rows)
            await migrate_to(engine, "head")
            expected = group_by(rows)
            assert max(duration for _, duration in expected.values()) > BIG
            assert await rollup_of(engine) == expected
            if backend == "postgresql":
                assert await count_of(engine, DELTA) == 0
            assert await check(engine) == []

            # Migrated, the triggers keep it.
            async with engine.begin() as connection:
                await connection.execute(sa.text("DELETE FROM campaign_audience WHERE id < 20"))
                await connection.execute(
                    sa.text("UPDATE campaign_audience SET status = 3, attempt = 7 WHERE id = 1000")
                )
            rows = [
                {**row, "status": 3, "attempt": 7} if row["id"] == 1000 else row
                for row in rows
                if row["id"] >= 20
            ]
            assert await rollup_and_deltas(engine) == group_by(rows)

            # Down and up again: rows changed meanwhile, without triggers, are back-filled.
            await migrate_to(engine, "0003", action="downgrade")
            async with engine.begin() as connection:
                await connection.execute(
                    sa.text("UPDATE campaign_audience SET campaign_id = 4 WHERE id % 3 = 0")
                )
                await connection.execute(sa.text("DELETE FROM campaign_audience WHERE id % 7 = 0"))
            rows = [
                {**row, "campaign_id": 4} if row["id"] % 3 == 0 else row
                for row in rows
                if row["id"] % 7
            ]
            await migrate_to(engine, "head")
            assert await rollup_of(engine) == group_by(rows)
            assert await check(engine) == []
        finally:
            await engine.dispose()


# --- Repairs: rollups.rebuild and the command line ----------------------------------------------

# Campaign 1's group (status 1, 'BUSY', NULL, NULL, attempt 2): three records, 60 s.
DRIFTED = (1, 1, "BUSY", None, None, 2)
PHANTOM = (1, 0, "GHOST", None, None, 0)  # a group of no record
# DRIFTED's and PHANTOM's group, by value (their first and last status are NULL).
GROUP_WHERE = (
    "campaign_id = :campaign_id AND status = :status AND call_status = :call_status "
    "AND first_status IS NULL AND last_status IS NULL AND attempt = :attempt"
)


def repair_rows() -> list[Row]:
    rows = audience_rows(7, 60)
    busy = {**rows[0], "campaign_id": 1, "status": 1, "call_status": "BUSY", "attempt": 2}
    busy.update(first_status=None, last_status=None)
    return [
        *(row for row in rows if tuple(row[name] for name in KEY) != DRIFTED),
        *({**busy, "id": 500 + i, "duration": 10 * i} for i in (1, 2, 3)),
    ]


async def corrupt(engine: AsyncEngine, group: Group, records: int, duration: int) -> None:
    """Make the rollup say `records` more records and `duration` more seconds for the group:
    on SQLite in the rollup itself, on PostgreSQL as a bogus delta."""
    values = {**dict(zip(KEY, group, strict=True)), "records": records, "duration": duration}
    insert_into = (
        f"INSERT INTO {{}} ({', '.join(KEY)}, records, duration) "
        f"VALUES ({', '.join(':' + name for name in KEY)}, :records, :duration)"
    )
    async with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            await connection.execute(sa.text(insert_into.format(DELTA)), values)
            return
        assert group[3] is None  # GROUP_WHERE tests first and last status for NULL
        assert group[4] is None
        changed = await connection.execute(
            sa.text(
                f"UPDATE {ROLLUP} SET records = records + :records, "
                f"duration = duration + :duration WHERE {GROUP_WHERE}"
            ),
            values,
        )
        if changed.rowcount == 0:
            await connection.execute(sa.text(insert_into.format(ROLLUP)), values)


async def other_campaigns_rows(engine: AsyncEngine, campaign_id: int) -> list[tuple[Any, ...]]:
    """The rollup's (and deltas') rows of the other campaigns, with their physical place."""
    place = "ctid::text" if engine.dialect.name == "postgresql" else "rowid"
    tables = [ROLLUP, DELTA] if engine.dialect.name == "postgresql" else [ROLLUP]
    found = []
    for table in tables:
        sql = (
            f"SELECT '{table}', {place}, {', '.join(KEY)}, records, duration FROM {table} "
            f"WHERE campaign_id <> {campaign_id}"
        )
        found += await fetch(engine, sql)
    return sorted(found, key=repr)


def drift_of(found: Sequence[rollups.Drift]) -> dict[Group, tuple[tuple[int, int], ...]]:
    return {tuple(d.group): (d.records, d.rollup) for d in found}


async def test_rebuild_repairs_one_campaign_and_leaves_the_others_alone(
    engine: AsyncEngine,
) -> None:
    rows = repair_rows()
    async with engine.begin() as connection:
        await add_workspaces_and_campaigns(connection)
        await insert(connection, rows)
    await compact(engine)
    assert await rollup_and_deltas(engine) == group_by(rows)
    assert group_by(rows)[DRIFTED] == (3, 60)

    await corrupt(engine, DRIFTED, records=2, duration=7)
    await corrupt(engine, PHANTOM, records=1, duration=5)
    assert drift_of(await check(engine)) == {
        DRIFTED: ((3, 60), (5, 67)),
        PHANTOM: ((0, 0), (1, 5)),
    }

    others = await other_campaigns_rows(engine, 1)
    async with engine.begin() as connection:
        await rollups.rebuild(connection, [1])
    assert await check(engine) == []
    assert await other_campaigns_rows(engine, 1) == others
    assert await rollup_and_deltas(engine) == group_by(rows)

    # A rebuild of one campaign repairs only that one.
    phantom_of_2 = (2, *PHANTOM[1:])
    await corrupt(engine, phantom_of_2, records=4, duration=0)
    await corrupt(engine, DRIFTED, records=-1, duration=-10)
    async with engine.begin() as connection:
        await rollups.rebuild(connection, [1])
    assert drift_of(await check(engine)) == {phantom_of_2: ((0, 0), (4, 0))}
    async with engine.begin() as connection:
        await rollups.rebuild(connection)
    assert await check(engine) == []
    await compact(engine)
    assert await rollup_of(engine) == group_by(rows)


async def _drifted_database(database_url: str) -> list[Row]:
    engine = create_engine(database_url)
    try:
        await clear(engine)
        rows = repair_rows()
        async with engine.begin() as connection:
            await add_workspaces_and_campaigns(connection)
            await insert(connection, rows)
        await corrupt(engine, DRIFTED, records=2, duration=7)
        await corrupt(engine, (3, *PHANTOM[1:]), records=1, duration=5)
        return rows
    finally:
        await engine.dispose()


async def _compacted_rollup(database_url: str) -> Totals:
    engine = create_engine(database_url)
    try:
        await compact(engine)
        return await rollup_of(engine)
    finally:
        await engine.dispose()


async def _clear(database_url: str) -> None:
    engine = create_engine(database_url)
    await clear(engine)
    await engine.dispose()


def test_cli_check_reports_the_drift_and_rebuild_repairs_it(
    database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)
    rows = asyncio.run(_drifted_database(database_url))
    try:
        assert cli.main(["rollups", "check"]) == 1
        out, err = capsys.readouterr()
        lines = out.splitlines()
        assert len(lines) == 2, out
        assert lines[0].startswith("campaign 1 (")
        assert "call_status='BUSY'" in lines[0]
        assert lines[0].endswith("records 3 with 60 s, rollup 5 with 67 s")
        assert lines[1].startswith("campaign 3 (")
        assert lines[1].endswith("records 0 with 0 s, rollup 1 with 5 s")
        assert "2 groups" in err
        assert "rebuild" in err

        assert cli.main(["rollups", "rebuild", "--campaign", "1"]) == 0
        capsys.readouterr()
        assert cli.main(["rollups", "check"]) == 1
        out, _ = capsys.readouterr()
        assert [line.split(" (")[0] for line in out.splitlines()] == ["campaign 3"]

        assert cli.main(["rollups", "rebuild"]) == 0
        assert cli.main(["rollups", "check"]) == 0
        assert asyncio.run(_compacted_rollup(database_url)) == group_by(rows)
    finally:
        asyncio.run(_clear(database_url))


# --- SQLite's conflict resolution: REPLACE deletes rows without the DELETE trigger ----------

_VALUES = f"({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})"
_UPSERT_SET = ", ".join(f"{name} = excluded.{name}" for name in (*KEY, "duration"))
CONFLICTING = {
    "insert or replace": f"INSERT OR REPLACE INTO campaign_audience {_VALUES}",
    "replace": f"REPLACE INTO campaign_audience {_VALUES}",
    "insert or ignore": f"INSERT OR IGNORE INTO campaign_audience {_VALUES}",
    "upsert": f"INSERT INTO campaign_audience {_VALUES} "
    f"ON CONFLICT (id) DO UPDATE SET {_UPSERT_SET}",
    "update or replace": "UPDATE OR REPLACE campaign_audience SET id = ? WHERE id = ?",
    "update or ignore": "UPDATE OR IGNORE campaign_audience SET id = ? WHERE id = ?",
    "delete": "DELETE FROM campaign_audience WHERE id = ?",
}
CONFLICT_IDS = st.integers(1, 5)  # few ids, so most writes meet a row that holds theirs


def _write_with_conflicts(rows: Rows, kind: str, row: Row, to_id: int) -> tuple[Any, ...]:
    """What `kind` does to the model, and its parameters."""
    record_id = row["id"]
    if kind in ("update or replace", "update or ignore", "delete"):
        moved = rows.get(record_id)
        if kind == "delete":
            rows.pop(record_id, None)
            return (record_id,)
        if moved is not None and (kind == "update or replace" or to_id not in rows):
            del rows[record_id]
            rows[to_id] = {**moved, "id": to_id}
        return (to_id, record_id)
    held = rows.get(record_id)
    if held is None or kind in ("insert or replace", "replace"):
        rows[record_id] = row
    elif kind == "upsert":
        rows[record_id] = {**held, **{name: row[name] for name in (*KEY, "duration")}}
    return tuple(row[name] for name in COLUMNS)


# Each example empties the audience itself, so the function-scoped database may be shared.
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    steps=st.lists(
        st.tuples(st.sampled_from(sorted(CONFLICTING)), CONFLICT_IDS, CONFLICT_IDS, st.integers()),
        min_size=1,
        max_size=12,
    )
)
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_sqlite_conflict_resolution_keeps_the_rollup_exact(
    database_url: str, steps: list[tuple[str, int, int, int]]
) -> None:
    """Writers on SQLite may REPLACE, IGNORE or upsert on the id, on a connection without
    recursive triggers (the default): after each statement, rollup = GROUP BY the rows."""
    with asyncio.Runner() as runner:
        writer = open_writer(runner, database_url)
        try:
            if not writer.fetch("SELECT 1 FROM campaign"):
                add_campaigns(writer)
            writer.execute("DELETE FROM campaign_audience")
            rows: Rows = {}
            for kind, record_id, to_id, seed in steps:
                row = {**audience_rows(seed, 1)[0], "id": record_id}
                writer.execute(CONFLICTING[kind], _write_with_conflicts(rows, kind, row, to_id))
                assert groups_seen(writer) == group_by(rows.values()), kind
        finally:
            writer.close()
