"""Load a directory of CSV files into the database (contract section 7).

Files load in dependency order inside one transaction: a bad row anywhere rolls back the whole
load, and the error names the file, line and column. Rows are upserted by primary key, so
loading the same files again changes nothing.

Speed (a million rows in well under a minute on both databases): rows are validated in Python
into tuples the driver takes as they are, staged in a temporary table without indexes (an
executemany on SQLite, a binary COPY on PostgreSQL), then upserted with one INSERT … SELECT per
batch that skips rows whose values are unchanged.
"""

from __future__ import annotations

import csv
import json
import math
import re
from collections.abc import AsyncIterator, Callable, Generator, Iterator
from contextlib import asynccontextmanager, closing
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import NoReturn, Protocol

import sqlalchemy as sa
from asyncpg import PostgresError  # type: ignore[import-untyped]
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from app import tables
from app.db import migrate
from app.filters import AudienceStatus
from app.timestamps import as_utc
from app.tokens import hash_token

# Rows staged and upserted at a time: larger batches gain little, and an error from the
# database names the lines of its batch.
BATCH_SIZE = 50_000

# SQLite's page cache while loading, KiB (the default is 2 MiB): every index of a big table
# is written at once, and a small cache spills pages to the WAL again and again.
_SQLITE_LOAD_CACHE_KIB = 131_072

_INT32_MAX = 2**31 - 1
_INT64_MAX = 2**63 - 1
_SHOWN_CHARS = 40


class ProgressBar(Protocol):
    """What a progress display needs (a tqdm bar is one)."""

    def update(self, n: int, /) -> object: ...

    def close(self) -> None: ...


# Makes the bar of one file from its name and its number of lines after the header.
Progress = Callable[[str, int], ProgressBar]


class LoadError(Exception):
    """A load stopped; nothing of it was kept."""

    def __init__(self, file: str, line: int | None, column: str | None, message: str) -> None:
        self.file = file
        self.line = line
        self.column = column
        self.message = message
        where = file
        if line is not None:
            where += f", line {line}"
        if column is not None:
            where += f', column "{column}"'
        super().__init__(f"{where}: {message}")


# --- Cell parsers: each takes a stripped, non-empty cell and raises ValueError with the rule.


def _text(text: str) -> str:
    if "\x00" in text:  # PostgreSQL refuses NUL in text
        raise ValueError("must not contain a NUL character")
    return text


def _upper(text: str) -> str:
    # Call statuses are an open set, stored upper-case so filters compare exactly.
    return _text(text).upper()


def _whole_number(low: int, high: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        # isdigit alone also accepts digits of other scripts; int() would accept "1_0" and "+1".
        if not (text.isascii() and text.isdigit()):
            raise ValueError(f"must be a whole number ≥ {low}")
        try:
            value = int(text)
        except ValueError:  # more digits than int() converts
            value = high + 1
        if not low <= value <= high:
            raise ValueError(f"must be a whole number from {low} to {high}")
        return value

    return parse


_id32 = _whole_number(1, _INT32_MAX)
_id64 = _whole_number(1, _INT64_MAX)
_count = _whole_number(0, _INT32_MAX)

_STATUS_CODES = {str(status.value): status.value for status in AudienceStatus}
_KNOWN_STATUSES = ", ".join(f"{status.value} {status.name}" for status in AudienceStatus)


def _status(text: str) -> int:
    code = _STATUS_CODES.get(text)
    if code is None:
        raise ValueError(f"unknown audience status (known: {_KNOWN_STATUSES})")
    return code


def _timestamp(text: str) -> datetime:
    try:
        return as_utc(datetime.fromisoformat(text))
    except (ValueError, OverflowError):  # OverflowError: an offset pushes it past year 1 or 9999
        raise ValueError("must be an ISO 8601 timestamp") from None


def _reject_constant(name: str) -> NoReturn:
    raise ValueError(f"{name} is not valid JSON")


def _finite(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):  # 1e400: it would be served as Infinity, which is not JSON
        raise ValueError(f"the number {_shown(text)} is too large")
    return number


# One decoder for all rows: json.loads with options would build a new one per call.
# NaN and Infinity are not JSON, and PostgreSQL's JSONB refuses them.
_JSON = json.JSONDecoder(parse_constant=_reject_constant, parse_float=_finite)
_SURROGATE = re.compile("[\ud800-\udfff]")


def _has_lone_surrogate(value: object) -> bool:
    """Whether a decoded JSON value holds half of a UTF-16 pair, such as "\\ud800" alone."""
    if isinstance(value, str):
        return _SURROGATE.search(value) is not None
    if isinstance(value, dict):
        return any(_has_lone_surrogate(k) or _has_lone_surrogate(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_lone_surrogate(item) for item in value)
    return False


_JSON_TYPES: dict[type, str] = {
    list: "an array",
    str: "a string",
    int: "a number",
    float: "a number",
    bool: "a boolean",
    type(None): "null",
}


def _json_object(text: str) -> str:
    """The text itself once it is known to be a JSON object: re-serialising costs time."""
    try:
        value = _JSON.decode(text)
    except RecursionError:
        raise ValueError("must be a JSON object (nested too deeply)") from None
    except ValueError as error:  # bad JSON, or a NaN / Infinity constant
        raise ValueError(f"must be a JSON object ({getattr(error, 'msg', error)})") from None
    if not isinstance(value, dict):
        raise ValueError(f"must be a JSON object, not {_JSON_TYPES[type(value)]}")
    if "\\u0000" in text:  # PostgreSQL's JSONB refuses NUL in strings
        raise ValueError("must not contain a NUL character (\\u0000)")
    # Only an escape can make one (the file is valid UTF-8); no database can store it.
    if "\\u" in text and _has_lone_surrogate(value):
        raise ValueError("must not contain half of a UTF-16 surrogate pair (\\ud800 … \\udfff)")
    return text


# --- What each file holds.


@dataclass(frozen=True, slots=True)
class _Column:
    name: str  # in the CSV header
    parse: Callable[[str], object]
    required: bool = True
    empty: object = None  # stored for an empty cell when not required
    target: str = ""  # the table column, when it differs from the name

    @property
    def key(self) -> str:
        return self.target or self.name


@dataclass(frozen=True, slots=True)
class _File:
    name: str
    table: sa.Table
    columns: tuple[_Column, ...]
    unique: str  # this column's values may appear only once in the file
    references: tuple[str, sa.Table] | None = None  # a column naming an id of that table


def _optional(name: str, parse: Callable[[str], object], empty: object = None) -> _Column:
    return _Column(name, parse, required=False, empty=empty)


_FILES = (
    _File(
        "workspaces.csv",
        tables.workspace,
        (_Column("id", _id32), _Column("name", _text)),
        unique="id",
    ),
    _File(
        "api_tokens.csv",
        tables.api_token,
        (
            _Column("token", hash_token, target="token_hash"),  # only the digest is kept
            _Column("workspace_id", _id32),
            _Column("name", _text),
        ),
        unique="token",
        references=("workspace_id", tables.workspace),
    ),
    _File(
        "campaigns.csv",
        tables.campaign,
        (
            _Column("id", _id32),
            _Column("workspace_id", _id32),
            _Column("name", _text),
            _Column("max_attempts", _count),
            _Column("created_at", _timestamp),
        ),
        unique="id",
        references=("workspace_id", tables.workspace),
    ),
    _File(
        "audience.csv",
        tables.campaign_audience,
        (
            _Column("id", _id64),
            _Column("campaign_id", _id32),
            _Column("mobile_no", _text),
            _Column("status", _status),
            _optional("call_status", _upper),
            _optional("first_status", _upper),
            _optional("last_status", _upper),
            _Column("attempt", _count),
            _Column("duration", _count),
            _optional("last_attempt_at", _timestamp),
            _optional("last_disposition", _text),
            _optional("input_data", _json_object, empty="{}"),
        ),
        unique="id",
        references=("campaign_id", tables.campaign),
    ),
)

# Each file's header row, in the order the columns are written.
HEADERS: dict[str, tuple[str, ...]] = {
    spec.name: tuple(column.name for column in spec.columns) for spec in _FILES
}


# --- Reading: plain generators, streamed; the async loader pulls one batch at a time.


_Row = tuple[object, ...]  # a file's values in the order of its _File.columns


@dataclass(frozen=True, slots=True)
class _Batch:
    first_line: int
    last_line: int
    rows: list[_Row]


def _lines(path: Path) -> Iterator[str]:
    # Decoding line by line puts a UTF-8 error on its own line, not on the start of a chunk.
    with path.open("rb") as binary:
        for number, raw in enumerate(binary, start=1):
            try:
                yield raw.decode("utf-8-sig" if number == 1 else "utf-8")
            except UnicodeDecodeError:
                raise LoadError(path.name, number, None, "not valid UTF-8") from None


def _count_lines(path: Path) -> int:
    """Lines of the file after the header, a last line without a line end included."""
    lines, last = 0, b"\n"
    with path.open("rb") as binary:
        while chunk := binary.read(1 << 20):
            lines += chunk.count(b"\n")
            last = chunk[-1:]
    return max(0, lines + (last != b"\n") - 1)


def _positions(spec: _File, header: list[str] | None) -> list[int]:
    """Each column's cell index; the header must name exactly the file's columns."""
    if header is None:
        raise LoadError(spec.name, 1, None, "the file is empty; a header row is required")
    names = [name.strip() for name in header]
    expected = [column.name for column in spec.columns]
    for name in expected:
        if name not in names:
            raise LoadError(spec.name, 1, name, "missing from the header row")
    for name in names:
        if name not in expected:
            raise LoadError(spec.name, 1, name, f"unknown column; expected {', '.join(expected)}")
        if names.count(name) > 1:
            raise LoadError(spec.name, 1, name, "appears more than once in the header row")
    return [names.index(name) for name in expected]


def _shown(text: str) -> str:
    return f'"{text}"' if len(text) <= _SHOWN_CHARS else f'"{text[:_SHOWN_CHARS]}…"'


def _batches(
    path: Path, spec: _File, known: set[int], dialect: sa.Dialect
) -> Generator[_Batch, None, None]:
    """Parse and validate the file's rows, BATCH_SIZE at a time; known: the referenced ids."""
    reader = csv.reader(_lines(path), strict=True)
    try:
        cells_at = _positions(spec, next(reader, None))
        readers = [
            (index, column, _for_driver(column, spec, dialect))
            for index, column in zip(cells_at, spec.columns, strict=True)
        ]
        width = len(readers)
        names = [column.name for column in spec.columns]
        unique_at = names.index(spec.unique)
        reference_at = names.index(spec.references[0]) if spec.references else -1
        referenced = spec.references[1].name if spec.references else ""
        seen: set[object] = set()
        rows: list[_Row] = []
        first_line = line = end = reader.line_num
        for cells in reader:
            # A record may span lines (quoted newlines): it starts after the previous one ends.
            line, end = end + 1, reader.line_num
            if not cells:  # a blank line
                continue
            if len(cells) != width:
                raise LoadError(
                    spec.name, line, None, f"expected {width} cells, found {len(cells)}"
                )
            values: list[object] = []
            for index, column, parse in readers:
                text = cells[index].strip()
                if text:
                    try:
                        values.append(parse(text))
                    except ValueError as error:
                        message = f"{error}, got {_shown(text)}"
                        raise LoadError(spec.name, line, column.name, message) from None
                elif column.required:
                    raise LoadError(spec.name, line, column.name, "a value is required")
                else:
                    values.append(column.empty)
            row = tuple(values)
            if row[unique_at] in seen:
                message = "an earlier line has the same value; it must be unique in the file"
                raise LoadError(spec.name, line, spec.unique, message)
            seen.add(row[unique_at])
            if reference_at >= 0 and row[reference_at] not in known:
                message = f"{referenced} {row[reference_at]} does not exist"
                raise LoadError(spec.name, line, names[reference_at], message)
            if not rows:
                first_line = line
            rows.append(row)
            if len(rows) >= BATCH_SIZE:
                yield _Batch(first_line, end, rows)
                rows = []
        if rows:
            yield _Batch(first_line, end, rows)
    except csv.Error as error:
        raise LoadError(spec.name, reader.line_num, None, f"malformed CSV: {error}") from None
    except OSError as error:
        raise LoadError(spec.name, None, None, f"cannot read the file: {error}") from None


def _for_driver(column: _Column, spec: _File, dialect: sa.Dialect) -> Callable[[str], object]:
    """The column's parser, returning what the driver takes without SQLAlchemy in between.

    COPY to PostgreSQL takes Python values. SQLite's driver gets what SQLAlchemy would bind
    (its text format for timestamps), so loaded rows read and compare like any others. JSON
    stays the file's validated text on both.
    """
    column_type = spec.table.c[column.key].type
    if dialect.name != "sqlite" or isinstance(column_type, sa.JSON):
        return column.parse
    convert = column_type.dialect_impl(dialect).bind_processor(dialect)
    if convert is None:
        return column.parse
    parse = column.parse
    return lambda text: convert(parse(text))


# --- Writing: each batch is staged in a temporary table, then upserted from it at once.


# The schema of temporary tables: naming it keeps DROP TABLE IF EXISTS off any other table.
_TEMPORARY_SCHEMA = {"sqlite": "temp", "postgresql": "pg_temp"}


@dataclass(frozen=True, slots=True)
class _Staging:
    """The statements that move one file's batches through its staging table."""

    table: sa.Table
    upsert: sa.Insert

    @classmethod
    def of(cls, spec: _File, dialect: str) -> _Staging:
        if dialect not in _TEMPORARY_SCHEMA:
            raise LoadError(spec.name, None, None, f"loading into {dialect} is not supported")
        target = spec.table
        keys = [column.key for column in spec.columns]
        table = sa.Table(
            f"load_staging_{target.name}",
            sa.MetaData(),
            *(sa.Column(key, target.c[key].type) for key in keys),
            schema=_TEMPORARY_SCHEMA[dialect],
            prefixes=["TEMPORARY"],
        )
        # SQLite needs a WHERE before ON CONFLICT in INSERT … SELECT, or it misparses it.
        rows = sa.select(*table.c).where(sa.true())
        primary_key = [column.name for column in target.primary_key.columns]
        updated = [key for key in keys if key not in primary_key]
        insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(target)
        insert = insert.from_select(keys, rows)
        # Columns the file does not hold (a token's revocation) are left as they are, and
        # a row whose values are all unchanged is not written again.
        upsert = insert.on_conflict_do_update(
            index_elements=primary_key,
            set_={key: insert.excluded[key] for key in updated},
            where=sa.tuple_(*(target.c[key] for key in updated)).is_distinct_from(
                sa.tuple_(*(insert.excluded[key] for key in updated))
            ),
        )
        return cls(table, upsert)

    async def create(self, connection: AsyncConnection) -> None:
        # A failed SQLite load may leave it behind on a pooled connection: start afresh.
        await connection.execute(sa.schema.DropTable(self.table, if_exists=True))
        await connection.execute(sa.schema.CreateTable(self.table))

    async def drop(self, connection: AsyncConnection) -> None:
        await connection.execute(sa.schema.DropTable(self.table))

    async def write(self, connection: AsyncConnection, rows: list[_Row]) -> None:
        """Upsert the rows: stage them, insert them from the stage, empty the stage."""
        if connection.dialect.name == "postgresql":
            driver = (await connection.get_raw_connection()).driver_connection
            assert driver is not None
            # Binary COPY through asyncpg: the fastest way in. It runs in the transaction
            # SQLAlchemy began (create() ran through it first).
            await driver.copy_records_to_table(
                self.table.name,
                schema_name=self.table.schema,
                records=rows,
                columns=[column.name for column in self.table.c],
            )
            await connection.execute(self.upsert)
            await connection.execute(sa.text(f"TRUNCATE {self.table.fullname}"))
        else:
            # Driver-level executemany: the rows are already what the driver takes.
            insert = str(sa.insert(self.table).compile(dialect=connection.dialect))
            await connection.exec_driver_sql(insert, rows)
            await connection.execute(self.upsert)
            await connection.execute(sa.delete(self.table))  # SQLite truncates without WHERE


async def _load_file(
    connection: AsyncConnection, spec: _File, path: Path, bar: ProgressBar | None
) -> int:
    known: set[int] = set()
    if spec.references:
        # Ids already in the database, including those this load has just written.
        result = await connection.execute(sa.select(spec.references[1].c.id))
        known = set(result.scalars())
    staging = _Staging.of(spec, connection.dialect.name)
    await staging.create(connection)
    count = lines = 0
    with closing(_batches(path, spec, known, connection.dialect)) as batches:
        for batch in batches:
            try:
                await staging.write(connection, batch.rows)
            except (SQLAlchemyError, PostgresError) as error:
                reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
                where = f"lines {batch.first_line}-{batch.last_line}"
                message = f"the database rejected a row in {where}: {reason}"
                raise LoadError(spec.name, None, None, message) from error
            count += len(batch.rows)
            if bar:
                bar.update(batch.last_line - 1 - lines)
                lines = batch.last_line - 1
    await staging.drop(connection)
    return count


def _present(directory: Path) -> list[tuple[_File, Path]]:
    """The directory's files to load, in load order."""
    if not directory.is_dir():
        raise LoadError(str(directory), None, None, "no such directory")
    present = [(spec, directory / spec.name) for spec in _FILES if (directory / spec.name).exists()]
    if not present:
        names = ", ".join(spec.name for spec in _FILES)
        raise LoadError(str(directory), None, None, f"none of {names} is in the directory")
    return present


async def load_directory(
    engine: AsyncEngine, directory: Path, progress: Progress | None = None
) -> dict[str, int]:
    """Create or upgrade the schema, then load the directory's CSV files in one transaction.

    Returns the rows read from each file present. Raises LoadError, keeping nothing of the load,
    on the first bad row or when the directory holds none of the files. progress, when given,
    makes a bar per file that advances by the file's lines.
    """
    present = _present(directory)
    await migrate(engine)
    counts: dict[str, int] = {}
    async with engine.begin() as connection, _load_cache(connection):
        for spec, path in present:
            bar = progress(spec.name, _count_lines(path)) if progress else None
            try:
                counts[spec.name] = await _load_file(connection, spec, path, bar)
            finally:
                if bar:
                    bar.close()
    return counts


@asynccontextmanager
async def _load_cache(connection: AsyncConnection) -> AsyncIterator[None]:
    """A bigger SQLite page cache while loading; the connection gets its own back after."""
    if connection.dialect.name != "sqlite":
        yield
        return
    before = await connection.scalar(sa.text("PRAGMA cache_size"))
    await connection.execute(sa.text(f"PRAGMA cache_size = -{_SQLITE_LOAD_CACHE_KIB}"))
    try:
        yield
    finally:
        await connection.execute(sa.text(f"PRAGMA cache_size = {int(before or 0)}"))
