"""Load a directory of CSV files into the database (contract section 7).

Files load in dependency order inside one transaction: a bad row anywhere rolls back the whole
load, and the error names the file, line and column. Rows are upserted by primary key, so
loading the same files again changes nothing.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Generator, Iterator
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, NoReturn

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from app import tables
from app.db import migrate
from app.filters import AudienceStatus
from app.timestamps import as_utc
from app.tokens import hash_token

# Rows per executemany: large enough to amortise round trips, small enough to stay lean.
BATCH_SIZE = 5000

_INT32_MAX = 2**31 - 1
_INT64_MAX = 2**63 - 1
_SHOWN_CHARS = 40


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


# One decoder for all rows: json.loads with options would build a new one per call.
# NaN and Infinity are not JSON, and PostgreSQL's JSONB refuses them.
_JSON = json.JSONDecoder(parse_constant=_reject_constant)

_JSON_TYPES: dict[type, str] = {
    list: "an array",
    str: "a string",
    int: "a number",
    float: "a number",
    bool: "a boolean",
    type(None): "null",
}


def _json_object(text: str) -> dict[str, Any]:
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
    return value


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

    def column(self, name: str) -> _Column:
        return next(column for column in self.columns if column.name == name)


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
            # One shared {} for empty cells: rows are only serialised, never mutated.
            _optional("input_data", _json_object, empty={}),
        ),
        unique="id",
        references=("campaign_id", tables.campaign),
    ),
)


# --- Reading: plain generators, streamed; the async loader pulls one batch at a time.


@dataclass(frozen=True, slots=True)
class _Batch:
    first_line: int
    last_line: int
    rows: list[dict[str, object]]


def _lines(path: Path) -> Iterator[str]:
    # Decoding line by line puts a UTF-8 error on its own line, not on the start of a chunk.
    with path.open("rb") as binary:
        for number, raw in enumerate(binary, start=1):
            try:
                yield raw.decode("utf-8-sig" if number == 1 else "utf-8")
            except UnicodeDecodeError:
                raise LoadError(path.name, number, None, "not valid UTF-8") from None


def _positions(spec: _File, header: list[str] | None) -> list[tuple[int, str, _Column]]:
    """Each column's cell index and row key; the header must name exactly the file's columns."""
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
    return [(names.index(column.name), column.key, column) for column in spec.columns]


def _shown(text: str) -> str:
    return f'"{text}"' if len(text) <= _SHOWN_CHARS else f'"{text[:_SHOWN_CHARS]}…"'


def _batches(path: Path, spec: _File, known: set[int]) -> Generator[_Batch, None, None]:
    """Parse and validate the file's rows, BATCH_SIZE at a time; known: the referenced ids."""
    reader = csv.reader(_lines(path), strict=True)
    try:
        positions = _positions(spec, next(reader, None))
        width = len(positions)
        unique = spec.column(spec.unique).key
        reference = spec.column(spec.references[0]) if spec.references else None
        referenced = spec.references[1].name if spec.references else ""
        seen: set[object] = set()
        rows: list[dict[str, object]] = []
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
            row: dict[str, object] = {}
            for index, key, column in positions:
                text = cells[index].strip()
                if text:
                    try:
                        row[key] = column.parse(text)
                    except ValueError as error:
                        message = f"{error}, got {_shown(text)}"
                        raise LoadError(spec.name, line, column.name, message) from None
                elif column.required:
                    raise LoadError(spec.name, line, column.name, "a value is required")
                else:
                    row[key] = column.empty
            if row[unique] in seen:
                message = "an earlier line has the same value; it must be unique in the file"
                raise LoadError(spec.name, line, spec.unique, message)
            seen.add(row[unique])
            if reference is not None and row[reference.key] not in known:
                message = f"{referenced} {row[reference.key]} does not exist"
                raise LoadError(spec.name, line, reference.name, message)
            if not rows:
                first_line = line
            rows.append(row)
            if len(rows) >= BATCH_SIZE:
                yield _Batch(first_line, line, rows)
                rows = []
        if rows:
            yield _Batch(first_line, line, rows)
    except csv.Error as error:
        raise LoadError(spec.name, reader.line_num, None, f"malformed CSV: {error}") from None
    except OSError as error:
        raise LoadError(spec.name, None, None, f"cannot read the file: {error}") from None


# --- Writing.


def _upsert(dialect: str, spec: _File) -> sa.Insert:
    """INSERT … ON CONFLICT (pk) DO UPDATE: a reload overwrites a row with the same values."""
    key = [column.name for column in spec.table.primary_key.columns]
    updated = [column.key for column in spec.columns if column.key not in key]
    if dialect == "postgresql":
        pg = postgresql.insert(spec.table)
        return pg.on_conflict_do_update(
            index_elements=key, set_={name: pg.excluded[name] for name in updated}
        )
    if dialect == "sqlite":
        lite = sqlite.insert(spec.table)
        return lite.on_conflict_do_update(
            index_elements=key, set_={name: lite.excluded[name] for name in updated}
        )
    raise LoadError(spec.name, None, None, f"loading into {dialect} is not supported")


async def _load_file(connection: AsyncConnection, spec: _File, path: Path) -> int:
    known: set[int] = set()
    if spec.references:
        # Ids already in the database, including those this load has just written.
        result = await connection.execute(sa.select(spec.references[1].c.id))
        known = set(result.scalars())
    statement = _upsert(connection.dialect.name, spec)
    count = 0
    with closing(_batches(path, spec, known)) as batches:
        for batch in batches:
            try:
                await connection.execute(statement, batch.rows)
            except SQLAlchemyError as error:
                reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
                lines = f"lines {batch.first_line}-{batch.last_line}"
                message = f"the database rejected a row in {lines}: {reason}"
                raise LoadError(spec.name, None, None, message) from error
            count += len(batch.rows)
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


async def load_directory(engine: AsyncEngine, directory: Path) -> dict[str, int]:
    """Create or upgrade the schema, then load the directory's CSV files in one transaction.

    Returns the rows read from each file present. Raises LoadError, keeping nothing of the load,
    on the first bad row or when the directory holds none of the files.
    """
    present = _present(directory)
    await migrate(engine)
    counts: dict[str, int] = {}
    async with engine.begin() as connection:
        for spec, path in present:
            counts[spec.name] = await _load_file(connection, spec, path)
    return counts
