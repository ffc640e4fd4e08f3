"""The audience filter: one meaning for GraphQL and REST (contract section 3)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, fields
from datetime import datetime
from enum import IntEnum, StrEnum
from typing import Any, TypeVar

from app.errors import BadInput
from app.timestamps import as_utc, parse_timestamp
from app.values import INT32, in_range, shown, status_text, storable_text, whole_number

MAX_LIST_VALUES = 100
MAX_MOBILE_NO_LENGTH = 32
ATTEMPT_VALUES = range(1001)

_MOBILE_SEPARATORS = re.compile(r"[\s\-.()]")

T = TypeVar("T")


class AudienceStatus(IntEnum):
    FRESH = 0
    COMPLETED = 1
    HALTED = 2
    INQUEUE = 3


class NullableField(StrEnum):
    """The audience columns that may hold no value (NULL), by name."""

    CALL_STATUS = "call_status"
    FIRST_STATUS = "first_status"
    LAST_STATUS = "last_status"
    LAST_DISPOSITION = "last_disposition"
    LAST_ATTEMPT_AT = "last_attempt_at"


@dataclass(frozen=True, slots=True)
class TimeRange:
    """A half-open range of instants in UTC: `start` inclusive, `end` exclusive; an open end
    is None. Empty (both None) is no constraint."""

    start: datetime | None = None
    end: datetime | None = None

    def __bool__(self) -> bool:
        return self.start is not None or self.end is not None


NO_RANGE = TimeRange()


def _mobile_no(text: str | None) -> str:
    if text is None:
        return ""
    if len(text) > MAX_MOBILE_NO_LENGTH:
        raise ValueError(f"at most {MAX_MOBILE_NO_LENGTH} characters are allowed, got {len(text)}")
    return _MOBILE_SEPARATORS.sub("", storable_text(text))


def _number(value: int | str, within: range) -> int:
    # REST sends the text of a number, GraphQL the number itself.
    if isinstance(value, str):
        return whole_number(value.strip(), within)
    return in_range(value, within)


def _status(value: int | str) -> AudienceStatus:
    try:
        return AudienceStatus(_number(value, INT32))
    except ValueError:
        known = ", ".join(f"{s.value} ({s.name})" for s in AudienceStatus)
        raise ValueError(f"unknown audience status {shown(str(value))}; known: {known}") from None


def _attempt(value: int | str) -> int:
    return _number(value, ATTEMPT_VALUES)


def _nullable(value: str) -> NullableField:
    try:
        return NullableField(value.strip().lower())
    except ValueError:
        known = ", ".join(f.value for f in NullableField)
        raise ValueError(f"unknown field {shown(value)}; known: {known}") from None


def _instant(value: datetime | str | None) -> datetime | None:
    # REST sends text, GraphQL a datetime; either without an offset is UTC, as in loads.
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return parse_timestamp(value)
    try:
        return as_utc(value)
    except OverflowError:
        raise ValueError("is out of range once in UTC") from None


def _time_range(given: tuple[Any, Any] | None) -> TimeRange:
    """(from, to): the instants or their ISO 8601 text, either None for an open end."""
    start, end = (None, None) if given is None else (_instant(given[0]), _instant(given[1]))
    if start is not None and end is not None and end < start:
        raise ValueError("`to` must not be before `from`")
    return TimeRange(start, end)


def _list_of(parse: Callable[[Any], T]) -> Callable[[Iterable[Any] | None], tuple[T, ...]]:
    """A list filter's values: bounded in number, each parsed, sorted, without duplicates.

    A value that parses to nothing (a blank status) carries no constraint.
    """

    def parse_list(values: Iterable[Any] | None) -> tuple[T, ...]:
        items = list(values or ())
        if len(items) > MAX_LIST_VALUES:
            raise ValueError(f"at most {MAX_LIST_VALUES} values are allowed, got {len(items)}")
        parsed = {parse(item) for item in items}
        return tuple(sorted(value for value in parsed if value != ""))  # type: ignore[type-var]

    return parse_list


def _rule(parse: Callable[[Any], Any], default: object) -> Any:
    return field(default=default, metadata={"parse": parse})


@dataclass(frozen=True, slots=True)
class AudienceFilter:
    """A validated, normalised filter; equal filters compare and hash equal.

    Every field empty means "no constraint". Lists are sorted and free of duplicates, status
    strings upper-case, and the mobile number has its separators removed. Each field is
    named as its audience column and its REST parameter.
    """

    mobile_no: str = _rule(_mobile_no, "")
    status: tuple[AudienceStatus, ...] = _rule(_list_of(_status), ())
    call_status: tuple[str, ...] = _rule(_list_of(status_text), ())
    first_status: tuple[str, ...] = _rule(_list_of(status_text), ())
    last_status: tuple[str, ...] = _rule(_list_of(status_text), ())
    attempt: tuple[int, ...] = _rule(_list_of(_attempt), ())
    # Dispositions are labels an agent chose: matched exactly, as stored.
    last_disposition: tuple[str, ...] = _rule(_list_of(storable_text), ())
    last_attempt_at: TimeRange = _rule(_time_range, NO_RANGE)  # noqa: RUF009 (frozen)
    # These fields also match records without a value: NULL is one more value of the field's
    # list, or the only one when the field has no list.
    is_null: tuple[NullableField, ...] = _rule(_list_of(_nullable), ())

    @classmethod
    def parse(cls, **given: Any) -> AudienceFilter:
        """Validate raw values by field name: the text of mobile_no, the values of the lists
        (numbers or their text), None for no constraint. BadInput names the wrong field."""
        values: dict[str, Any] = {}
        for rule in fields(cls):
            try:
                values[rule.name] = rule.metadata["parse"](given.pop(rule.name, None))
            except ValueError as error:
                raise BadInput(rule.name, str(error)) from None
        if given:
            raise TypeError(f"not filter fields: {', '.join(given)}")
        return cls(**values)

    def constraints(self) -> dict[str, Any]:
        """The fields that constrain, by name."""
        found = {rule.name: getattr(self, rule.name) for rule in fields(self)}
        return {name: value for name, value in found.items() if value}


NO_FILTER = AudienceFilter()

FILTER_FIELDS = tuple(rule.name for rule in fields(AudienceFilter))
# The fields that hold a list of values, and those that hold a range (REST spells its ends
# `<name>_from` and `<name>_to`); mobile_no holds one text.
LIST_FIELDS = tuple(rule.name for rule in fields(AudienceFilter) if rule.default == ())
RANGE_FIELDS = tuple(rule.name for rule in fields(AudienceFilter) if rule.default is NO_RANGE)
