"""Orderings, page sizes and opaque keyset cursors."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol

from app.errors import BadInput
from app.timestamps import as_utc
from app.values import INT32, INT64

PAGE_SIZES = range(1, 101)
MAX_CURSOR_LENGTH = 256  # ours are about 120 characters
MALFORMED = "malformed cursor; pass an endCursor from a page"

SortValue = int | datetime | None


class OrderField(StrEnum):
    ID = "id"
    ATTEMPT = "attempt"
    DURATION = "duration"
    LAST_ATTEMPT_AT = "last_attempt_at"


class Direction(StrEnum):
    ASC = "asc"
    DESC = "desc"


@dataclass(frozen=True, slots=True)
class Position:
    """Where a page ends: the sort value and the id of its last record (for a list by id,
    the value is the id)."""

    value: SortValue
    id: int


class Listed(Protocol):
    """A record of a list: its id, and its sort values by column name."""

    @property
    def id(self) -> int: ...


@dataclass(frozen=True, slots=True)
class Cursors:
    """The cursors of one list in one ordering: each holds the kind of list it was made
    for, the record's sort value (unless the list is by id) and the record's id."""

    kind: str
    sort: OrderField
    ids: range  # the id column's range, so a forged cursor cannot overflow a parameter

    def encode(self, record: Listed) -> str:
        payload: list[Any] = [self.kind, record.id]
        if self.sort is not OrderField.ID:
            value = getattr(record, self.sort.value)
            payload.insert(1, value.isoformat() if isinstance(value, datetime) else value)
        raw = json.dumps(payload, separators=(",", ":"))
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")

    def decode(self, cursor: str) -> Position:
        """The position a cursor of this list and ordering stands for; else BadInput."""
        if len(cursor) > MAX_CURSOR_LENGTH:
            raise BadInput("after", MALFORMED)
        try:
            padded = cursor + "=" * (-len(cursor) % 4)
            payload = json.loads(base64.b64decode(padded, altchars=b"-_", validate=True))
        except (binascii.Error, ValueError, TypeError, RecursionError):
            raise BadInput("after", MALFORMED) from None
        if not isinstance(payload, list) or not payload:
            raise BadInput("after", MALFORMED)
        if payload[0] != self.kind:
            raise BadInput("after", "this cursor was made for another list or ordering")
        if self.sort is OrderField.ID:
            if len(payload) != 2:
                raise BadInput("after", MALFORMED)
            record_id = _whole(payload[1], self.ids)
            return Position(record_id, record_id)
        if len(payload) != 3:
            raise BadInput("after", MALFORMED)
        return Position(self._sort_value(payload[1]), _whole(payload[2], self.ids))

    def _sort_value(self, value: object) -> SortValue:
        if self.sort is not OrderField.LAST_ATTEMPT_AT:
            return _whole(value, INT32)
        if value is None:
            return None
        if isinstance(value, str):
            try:
                return as_utc(datetime.fromisoformat(value))
            except (ValueError, OverflowError):
                pass
        raise BadInput("after", MALFORMED)


CAMPAIGN_CURSORS = Cursors("campaign", OrderField.ID, INT32)


@dataclass(frozen=True, slots=True)
class Ordering:
    field: OrderField = OrderField.ID
    direction: Direction = Direction.ASC

    @property
    def cursors(self) -> Cursors:
        """The cursors of audience pages in this ordering."""
        return Cursors(f"audience:{self.field}:{self.direction}", self.field, INT64)


def page_size(first: int | None) -> int:
    if first is None or first not in PAGE_SIZES:
        raise BadInput("first", f"must be {PAGE_SIZES.start} … {PAGE_SIZES.stop - 1}, got {first}")
    return first


def _whole(value: object, within: range) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and value in within:
        return value
    raise BadInput("after", MALFORMED)
