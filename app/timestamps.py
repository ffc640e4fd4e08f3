"""Timestamps are UTC everywhere: SQLite stores them without an offset."""

from __future__ import annotations

from datetime import UTC, datetime


def as_utc(moment: datetime) -> datetime:
    """The same instant in UTC; a naive datetime is taken to be UTC already. OverflowError
    when an offset takes it past year 1 or 9999."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def parse_timestamp(text: str) -> datetime:
    """The instant that ISO 8601 text spells, in UTC (no offset: UTC); ValueError if none."""
    try:
        return as_utc(datetime.fromisoformat(text.strip()))
    except (ValueError, OverflowError):  # OverflowError: an offset pushes it past year 1 or 9999
        raise ValueError("must be an ISO 8601 timestamp") from None
