"""Orderings, page sizes and opaque keyset cursors."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, TypeGuard

from app.errors import BadInput
from app.timestamps import as_utc

MAX_PAGE_SIZE = 100
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
class Ordering:
    field: OrderField = OrderField.ID
    direction: Direction = Direction.ASC

    @property
    def kind(self) -> str:
        """What a cursor of this ordering is made for."""
        return f"audience:{self.field}:{self.direction}"

    def position_of(self, record: Any) -> Position:
        return Position(getattr(record, self.field.value), record.id)


@dataclass(frozen=True, slots=True)
class Position:
    """Where a page ends: the sort value and the id of its last record."""

    value: SortValue
    id: int


def page_size(first: int | None) -> int:
    if first is None or not 1 <= first <= MAX_PAGE_SIZE:
        raise BadInput("first", f"must be 1 … {MAX_PAGE_SIZE}, got {first}")
    return first


def encode_cursor(kind: str, position: Position) -> str:
    value = position.value.isoformat() if isinstance(position.value, datetime) else position.value
    raw = json.dumps([kind, value, position.id], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(
    cursor: str, kind: str, field: OrderField = OrderField.ID, id_bits: int = 63
) -> Position:
    """Read a cursor made by encode_cursor for the same kind of list and ordering.

    id_bits bounds the record id to its column's range.
    """
    if len(cursor) > MAX_CURSOR_LENGTH:
        raise BadInput("after", MALFORMED)
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        raw = base64.b64decode(padded, altchars=b"-_", validate=True)
        made_for, value, record_id = json.loads(raw)
    except (binascii.Error, ValueError, TypeError, RecursionError):
        raise BadInput("after", MALFORMED) from None
    if made_for != kind:
        raise BadInput("after", "this cursor was made for another list or ordering")
    if not _is_int(record_id, id_bits):
        raise BadInput("after", MALFORMED)
    return Position(_sort_value(value, field), record_id)


def _sort_value(value: object, field: OrderField) -> SortValue:
    if field is OrderField.LAST_ATTEMPT_AT:
        if value is None:
            return None
        if isinstance(value, str):
            try:
                return as_utc(datetime.fromisoformat(value))
            except (ValueError, OverflowError):
                pass
    elif _is_int(value, 63 if field is OrderField.ID else 31):
        return value
    raise BadInput("after", MALFORMED)


def _is_int(value: object, bits: int) -> TypeGuard[int]:
    # Bounded to the column's range so a forged cursor cannot overflow a driver parameter.
    return isinstance(value, int) and not isinstance(value, bool) and -(2**bits) <= value < 2**bits
