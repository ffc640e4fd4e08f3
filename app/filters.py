"""The audience filter: one meaning for GraphQL and REST (contract section 3)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import IntEnum
from typing import TypeVar

from app.errors import BadInput

MAX_LIST_VALUES = 100
MAX_MOBILE_NO_LENGTH = 32
MAX_ATTEMPT = 1000

_MOBILE_SEPARATORS = re.compile(r"[\s\-.()]")

T = TypeVar("T")


class AudienceStatus(IntEnum):
    FRESH = 0
    COMPLETED = 1
    HALTED = 2
    INQUEUE = 3


@dataclass(frozen=True, slots=True)
class AudienceFilter:
    """A validated, normalised filter; equal filters compare and hash equal.

    Every field empty means "no constraint". Lists are sorted and free of duplicates, status
    strings upper-case, and the mobile number has its separators removed.
    """

    mobile_no: str = ""
    status: tuple[AudienceStatus, ...] = ()
    call_status: tuple[str, ...] = ()
    first_status: tuple[str, ...] = ()
    last_status: tuple[str, ...] = ()
    attempt: tuple[int, ...] = ()

    @classmethod
    def parse(
        cls,
        *,
        mobile_no: str | None = None,
        status: Iterable[int] | None = None,
        call_status: Iterable[str] | None = None,
        first_status: Iterable[str] | None = None,
        last_status: Iterable[str] | None = None,
        attempt: Iterable[int] | None = None,
    ) -> AudienceFilter:
        """Validate raw filter values; raise BadInput naming the field that is wrong."""
        return cls(
            mobile_no=_mobile_no(mobile_no),
            status=tuple(sorted({_status(v) for v in _bounded("status", status)})),
            call_status=_call_statuses("call_status", call_status),
            first_status=_call_statuses("first_status", first_status),
            last_status=_call_statuses("last_status", last_status),
            attempt=tuple(sorted({_attempt(v) for v in _bounded("attempt", attempt)})),
        )


NO_FILTER = AudienceFilter()


def _bounded(field: str, values: Iterable[T] | None) -> list[T]:
    items = list(values or ())
    if len(items) > MAX_LIST_VALUES:
        raise BadInput(field, f"at most {MAX_LIST_VALUES} values are allowed, got {len(items)}")
    return items


def _mobile_no(text: str | None) -> str:
    if text is None:
        return ""
    _check_text("mobile_no", text)
    if len(text) > MAX_MOBILE_NO_LENGTH:
        raise BadInput(
            "mobile_no", f"at most {MAX_MOBILE_NO_LENGTH} characters are allowed, got {len(text)}"
        )
    return _MOBILE_SEPARATORS.sub("", text)


def _status(value: int) -> AudienceStatus:
    try:
        return AudienceStatus(value)
    except ValueError:
        known = ", ".join(f"{s.value} ({s.name})" for s in AudienceStatus)
        raise BadInput("status", f"unknown audience status {value!r}; known: {known}") from None


def _attempt(value: int) -> int:
    if not 0 <= value <= MAX_ATTEMPT:
        raise BadInput("attempt", f"values must be 0 … {MAX_ATTEMPT}, got {value}")
    return value


def _call_statuses(field: str, values: Iterable[str] | None) -> tuple[str, ...]:
    # Stored statuses are upper-case; blank values carry no constraint, like an empty filter.
    cleaned = {_check_text(field, v).strip().upper() for v in _bounded(field, values)}
    cleaned.discard("")
    return tuple(sorted(cleaned))


def _check_text(field: str, text: str) -> str:
    # Databases refuse NUL characters and unpaired surrogates; say so instead of failing.
    try:
        text.encode()
    except UnicodeEncodeError:
        raise BadInput(field, "must be valid text; it has an unpaired surrogate") from None
    if "\x00" in text:
        raise BadInput(field, "must be valid text; it has a NUL character")
    return text
