"""What the database can store: whole numbers within their column's range, text without NUL
or unpaired surrogates, call statuses in upper case. Loading, filters, cursors and the APIs
all check values here, so a value one of them accepts fits every other."""

from __future__ import annotations

import re

# The ranges of the integer columns (app/tables.py): Integer is 32-bit, BigInteger 64-bit.
INT32 = range(-(2**31), 2**31)
INT64 = range(-(2**63), 2**63)
ID32 = range(1, INT32.stop)  # workspace and campaign ids
ID64 = range(1, INT64.stop)  # audience record ids
COUNT32 = range(INT32.stop)  # attempts, durations, max_attempts

_COLUMN_MAXIMA = (INT32.stop, INT64.stop)
# An optional minus and ASCII digits: int() alone would also take "+1", "1_0" and digits of
# other scripts.
_WHOLE_NUMBER = re.compile(r"-?[0-9]+")
_LONGEST = len(str(INT64.start))  # int() of longer text would only take time


def bounds(within: range) -> str:
    """The range in words: "from 0 to 1000", or "≥ 1" where the top is a column's limit."""
    if within.stop in _COLUMN_MAXIMA:
        return f"≥ {within.start}"
    return f"from {within.start} to {within.stop - 1}"


def whole_number(text: str, within: range) -> int:
    """The whole number the text spells, within the range; ValueError says the rule."""
    if not _WHOLE_NUMBER.fullmatch(text):
        raise ValueError(f"must be a whole number {bounds(within)}")
    digits = text.lstrip("-").lstrip("0") or "0"
    if len(digits) > _LONGEST:  # beyond every column's range
        return in_range(within.start - 1 if text.startswith("-") else within.stop, within)
    return in_range(int(digits) * (-1 if text.startswith("-") else 1), within)


def in_range(value: int, within: range) -> int:
    """The number, if it is within the range; ValueError says the range."""
    if value < within.start:
        raise ValueError(f"must be a whole number {bounds(within)}")
    if value >= within.stop:
        raise ValueError(f"must be at most {within.stop - 1}")
    return value


def shown(text: str, limit: int = 40) -> str:
    """The text quoted for a message, cut short when long."""
    return f'"{text}"' if len(text) <= limit else f'"{text[:limit]}…"'


def storable_text(text: str) -> str:
    """The text itself, if a database can store it; ValueError says why not."""
    if "\x00" in text:  # PostgreSQL refuses NUL in text, and SQLite's C API cuts it there
        raise ValueError("must not contain a NUL character")
    try:
        text.encode()
    except UnicodeEncodeError:
        raise ValueError("must not contain half of a UTF-16 surrogate pair") from None
    return text


def status_text(text: str) -> str:
    """A call status as stored: trimmed and upper-case, so filters compare exactly."""
    return storable_text(text).strip().upper()
