"""The load format (contract section 7): which CSV files a load directory holds, their
columns, and how each cell is read and checked. Reading streams a file as validated rows;
writing them is app.loading's.
"""

from __future__ import annotations

import csv
import json
import math
import re
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import sqlalchemy as sa

from app import tables
from app.filters import AudienceStatus
from app.timestamps import parse_timestamp
from app.tokens import hash_token
from app.values import COUNT32, ID32, ID64, shown, status_text, storable_text, whole_number

# Rows validated and written at a time: larger batches gain little, and an error from the
# database names the lines of its batch.
BATCH_SIZE = 50_000


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


def _number(within: range) -> Callable[[str], int]:
    return lambda text: whole_number(text, within)


_id32, _id64, _count = _number(ID32), _number(ID64), _number(COUNT32)

_STATUS_CODES = {str(status.value): status.value for status in AudienceStatus}
_KNOWN_STATUSES = ", ".join(f"{status.value} {status.name}" for status in AudienceStatus)


def _status(text: str) -> int:
    code = _STATUS_CODES.get(text)
    if code is None:
        raise ValueError(f"unknown audience status (known: {_KNOWN_STATUSES})")
    return code


def _reject_constant(name: str) -> NoReturn:
    raise ValueError(f"{name} is not valid JSON")


def _finite(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):  # 1e400: it would be served as Infinity, which is not JSON
        raise ValueError(f"the number {shown(text)} is too large")
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
class Column:
    name: str  # in the CSV header
    parse: Callable[[str], object]
    required: bool = True
    empty: object = None  # stored for an empty cell when not required
    target: str = ""  # the table column, when it differs from the name

    @property
    def key(self) -> str:
        return self.target or self.name


@dataclass(frozen=True, slots=True)
class FileSpec:
    name: str
    table: sa.Table
    columns: tuple[Column, ...]
    unique: str  # this column's values may appear only once in the file
    references: tuple[str, sa.Table] | None = None  # a column naming an id of that table


def _optional(name: str, parse: Callable[[str], object], empty: object = None) -> Column:
    return Column(name, parse, required=False, empty=empty)


FILES = (
    FileSpec(
        "workspaces.csv",
        tables.workspace,
        (Column("id", _id32), Column("name", storable_text)),
        unique="id",
    ),
    FileSpec(
        "api_tokens.csv",
        tables.api_token,
        (
            Column("token", hash_token, target="token_hash"),  # only the digest is kept
            Column("workspace_id", _id32),
            Column("name", storable_text),
        ),
        unique="token",
        references=("workspace_id", tables.workspace),
    ),
    FileSpec(
        "campaigns.csv",
        tables.campaign,
        (
            Column("id", _id32),
            Column("workspace_id", _id32),
            Column("name", storable_text),
            Column("max_attempts", _count),
            Column("created_at", parse_timestamp),
        ),
        unique="id",
        references=("workspace_id", tables.workspace),
    ),
    FileSpec(
        "audience.csv",
        tables.campaign_audience,
        (
            Column("id", _id64),
            Column("campaign_id", _id32),
            Column("mobile_no", storable_text),
            Column("status", _status),
            _optional("call_status", status_text),
            _optional("first_status", status_text),
            _optional("last_status", status_text),
            Column("attempt", _count),
            Column("duration", _count),
            _optional("last_attempt_at", parse_timestamp),
            _optional("last_disposition", storable_text),
            _optional("input_data", _json_object, empty="{}"),
        ),
        unique="id",
        references=("campaign_id", tables.campaign),
    ),
)

# Each file's header row, in the order the columns are written.
HEADERS: dict[str, tuple[str, ...]] = {
    spec.name: tuple(column.name for column in spec.columns) for spec in FILES
}


# --- Reading: plain generators, streamed; the async loader pulls one batch at a time.


Row = tuple[object, ...]  # a file's values in the order of its FileSpec.columns


@dataclass(frozen=True, slots=True)
class Batch:
    first_line: int
    last_line: int
    rows: list[Row]


def lines_of(path: Path) -> Iterator[str]:
    # Decoding line by line puts a UTF-8 error on its own line, not on the start of a chunk.
    with path.open("rb") as binary:
        for number, raw in enumerate(binary, start=1):
            try:
                yield raw.decode("utf-8-sig" if number == 1 else "utf-8")
            except UnicodeDecodeError:
                raise LoadError(path.name, number, None, "not valid UTF-8") from None


def count_lines(path: Path) -> int:
    """Lines of the file after the header, a last line without a line end included."""
    lines, last = 0, b"\n"
    with path.open("rb") as binary:
        while chunk := binary.read(1 << 20):
            lines += chunk.count(b"\n")
            last = chunk[-1:]
    return max(0, lines + (last != b"\n") - 1)


def _positions(spec: FileSpec, header: list[str] | None) -> list[int]:
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


def batches(
    path: Path,
    spec: FileSpec,
    known: set[int],
    parsers: list[Callable[[str], object]] | None = None,
) -> Generator[Batch, None, None]:
    """Parse and validate the file's rows, BATCH_SIZE at a time; known: the referenced ids.

    parsers, one per column, replace the columns' own (the loader's give driver values).
    """
    reader = csv.reader(lines_of(path), strict=True)
    try:
        cells_at = _positions(spec, next(reader, None))
        parse_cells = parsers or [column.parse for column in spec.columns]
        readers = list(zip(cells_at, spec.columns, parse_cells, strict=True))
        width = len(readers)
        names = [column.name for column in spec.columns]
        unique_at = names.index(spec.unique)
        reference_at = names.index(spec.references[0]) if spec.references else -1
        referenced = spec.references[1].name if spec.references else ""
        seen: set[object] = set()
        rows: list[Row] = []
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
                        message = f"{error}, got {shown(text)}"
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
                yield Batch(first_line, end, rows)
                rows = []
        if rows:
            yield Batch(first_line, end, rows)
    except csv.Error as error:
        raise LoadError(spec.name, reader.line_num, None, f"malformed CSV: {error}") from None
    except OSError as error:
        raise LoadError(spec.name, None, None, f"cannot read the file: {error}") from None
