"""app/pagination.py: page sizes and opaque keyset cursors (contract section 4)."""

from __future__ import annotations

import base64
import itertools
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from app.errors import BadInput
from app.pagination import (
    CAMPAIGN_CURSORS,
    MAX_CURSOR_LENGTH,
    Cursors,
    Direction,
    OrderField,
    Ordering,
    Position,
    page_size,
)

FAST = settings(max_examples=60, deadline=None)

ORDERINGS = [Ordering(f, d) for f, d in itertools.product(OrderField, Direction)]
AUDIENCE_IDS = st.integers(min_value=1, max_value=2**63 - 1)
CAMPAIGN_IDS = st.integers(min_value=1, max_value=2**31 - 1)
COUNTS = st.integers(min_value=0, max_value=2**31 - 1)
# Fixed offsets of up to a day either way, and UTC.
OFFSETS = st.builds(
    timezone, st.timedeltas(min_value=timedelta(hours=-23), max_value=timedelta(hours=23))
)
MOMENTS = st.datetimes(
    min_value=datetime(1970, 1, 1), max_value=datetime(2200, 1, 1), timezones=OFFSETS
)


@dataclass(frozen=True)
class Record:
    """Anything listed: an id and the sort values by column name."""

    id: int
    attempt: int = 0
    duration: int = 0
    last_attempt_at: datetime | None = None


def _cursor(payload: Any) -> str:
    """A cursor in the shape the app makes: unpadded URL-safe base64 of compact JSON."""
    raw = json.dumps(payload, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _raw_cursor(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decoded(cursors: Cursors, cursor: str) -> Position | BadInput:
    """The position, or the BadInput that refuses the cursor; any other error propagates."""
    try:
        return cursors.decode(cursor)
    except BadInput as error:
        return error


def _refused(cursors: Cursors, cursor: str) -> BadInput:
    with pytest.raises(BadInput) as raised:
        cursors.decode(cursor)
    assert raised.value.field == "after"
    return raised.value


# Page sizes


@pytest.mark.parametrize("first", [1, 2, 10, 99, 100])
def test_page_size_accepts_1_to_100(first: int) -> None:
    assert page_size(first) == first


@pytest.mark.parametrize("first", [None, 0, -1, 101, 1000, 2**63])
def test_page_size_refuses_others(first: int | None) -> None:
    with pytest.raises(BadInput) as raised:
        page_size(first)
    assert raised.value.field == "first"
    assert raised.value.detail == f"must be 1 … 100, got {first}"


# Round trips


@FAST
@given(
    ordering=st.sampled_from(ORDERINGS),
    record_id=AUDIENCE_IDS,
    attempt=COUNTS,
    duration=COUNTS,
    moment=st.none() | MOMENTS,
)
@example(
    ordering=Ordering(OrderField.LAST_ATTEMPT_AT, Direction.DESC),
    record_id=2**63 - 1,
    attempt=0,
    duration=0,
    moment=datetime(2026, 1, 5, 9, 30, 0, 999_999, tzinfo=timezone(timedelta(hours=-9.5))),
)
@example(
    ordering=Ordering(OrderField.ATTEMPT, Direction.ASC),
    record_id=1,
    attempt=2**31 - 1,
    duration=0,
    moment=None,
)
def test_audience_cursor_round_trip(
    ordering: Ordering, record_id: int, attempt: int, duration: int, moment: datetime | None
) -> None:
    record = Record(record_id, attempt, duration, moment)
    cursor = ordering.cursors.encode(record)
    assert len(cursor) <= MAX_CURSOR_LENGTH
    # Safe in a URL and in JSON without escaping.
    assert set(cursor) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")

    position = ordering.cursors.decode(cursor)

    assert position.id == record_id
    expected = {
        OrderField.ID: record_id,
        OrderField.ATTEMPT: attempt,
        OrderField.DURATION: duration,
        OrderField.LAST_ATTEMPT_AT: moment,
    }[ordering.field]
    assert position == Position(expected, record_id)
    if isinstance(position.value, datetime):
        # The same instant, in UTC.
        assert position.value.utcoffset() == timedelta(0)
        assert position.value - moment == timedelta(0)  # type: ignore[operator]


@FAST
@given(moment=st.datetimes(min_value=datetime(1970, 1, 1), max_value=datetime(2200, 1, 1)))
def test_naive_moment_is_taken_as_utc(moment: datetime) -> None:
    cursors = Ordering(OrderField.LAST_ATTEMPT_AT).cursors
    position = cursors.decode(cursors.encode(Record(7, last_attempt_at=moment)))
    assert position == Position(moment.replace(tzinfo=UTC), 7)
    assert position.value.tzinfo is not None  # type: ignore[union-attr]


def test_never_attempted_record_has_no_sort_value() -> None:
    for direction in Direction:
        cursors = Ordering(OrderField.LAST_ATTEMPT_AT, direction).cursors
        assert cursors.decode(cursors.encode(Record(42))) == Position(None, 42)


@FAST
@given(campaign_id=CAMPAIGN_IDS)
@example(campaign_id=2**31 - 1)
def test_campaign_cursor_round_trip(campaign_id: int) -> None:
    assert CAMPAIGN_CURSORS.decode(CAMPAIGN_CURSORS.encode(Record(campaign_id))) == Position(
        campaign_id, campaign_id
    )


def test_cursor_does_not_need_padding_or_url_safe_spelling_stripped() -> None:
    cursors = Ordering().cursors
    raw = json.dumps(["audience:id:asc", 5]).encode()
    assert cursors.decode(base64.urlsafe_b64encode(raw).decode()) == Position(5, 5)


# A cursor of one list or ordering is refused by every other


def test_each_ordering_has_its_own_kind_of_cursor() -> None:
    kinds = [ordering.cursors.kind for ordering in ORDERINGS] + [CAMPAIGN_CURSORS.kind]
    assert len(set(kinds)) == len(kinds) == 9


@pytest.mark.parametrize(
    ("made_for", "given_to"),
    [
        pytest.param(a, b, id=f"{a.field}-{a.direction}-to-{b.field}-{b.direction}")
        for a, b in itertools.permutations(ORDERINGS, 2)
    ],
)
def test_cursor_of_another_ordering_is_refused(made_for: Ordering, given_to: Ordering) -> None:
    record = Record(3, attempt=4, duration=5, last_attempt_at=datetime(2026, 1, 1, tzinfo=UTC))
    error = _refused(given_to.cursors, made_for.cursors.encode(record))
    assert error.detail == "this cursor was made for another list or ordering"


@pytest.mark.parametrize("ordering", ORDERINGS, ids=str)
def test_campaign_and_audience_cursors_are_not_interchangeable(ordering: Ordering) -> None:
    record = Record(3, attempt=4, duration=5)
    _refused(ordering.cursors, CAMPAIGN_CURSORS.encode(record))
    _refused(CAMPAIGN_CURSORS, ordering.cursors.encode(record))


# Malformed and forged cursors

BY_ID = Ordering().cursors
BY_ATTEMPT = Ordering(OrderField.ATTEMPT).cursors
BY_DURATION = Ordering(OrderField.DURATION, Direction.DESC).cursors
BY_LAST_ATTEMPT = Ordering(OrderField.LAST_ATTEMPT_AT).cursors

FORGED = {
    # not a cursor at all
    "empty": (BY_ID, ""),
    "not-base64": (BY_ID, "!!!!"),
    "impossible-length": (BY_ID, "abcde"),
    "not-json": (BY_ID, _raw_cursor(b"not json")),
    "not-utf8": (BY_ID, _raw_cursor(b'["audience:id:asc",\xff]')),
    "nan": (BY_ID, _raw_cursor(b'["audience:id:asc",NaN]')),
    "object": (BY_ID, _cursor({"kind": "audience:id:asc", "id": 1})),
    "string": (BY_ID, _cursor("audience:id:asc")),
    "number": (BY_ID, _cursor(5)),
    "null": (BY_ID, _cursor(None)),
    "empty-list": (BY_ID, _cursor([])),
    # wrong length
    "id-short": (BY_ID, _cursor(["audience:id:asc"])),
    "id-long": (BY_ID, _cursor(["audience:id:asc", 1, 1])),
    "sort-short": (BY_ATTEMPT, _cursor(["audience:attempt:asc", 1])),
    "sort-long": (BY_ATTEMPT, _cursor(["audience:attempt:asc", 1, 1, 1])),
    "campaign-long": (CAMPAIGN_CURSORS, _cursor(["campaign", 1, 1])),
    # wrong types
    "id-text": (BY_ID, _cursor(["audience:id:asc", "5"])),
    "id-float": (BY_ID, _cursor(["audience:id:asc", 5.0])),
    "id-true": (BY_ID, _cursor(["audience:id:asc", True])),
    "id-false": (BY_ID, _cursor(["audience:id:asc", False])),
    "id-null": (BY_ID, _cursor(["audience:id:asc", None])),
    "id-list": (BY_ID, _cursor(["audience:id:asc", [5]])),
    "sort-id-text": (BY_ATTEMPT, _cursor(["audience:attempt:asc", 1, "5"])),
    "sort-id-bool": (BY_ATTEMPT, _cursor(["audience:attempt:asc", 1, True])),
    "attempt-text": (BY_ATTEMPT, _cursor(["audience:attempt:asc", "1", 5])),
    "attempt-bool": (BY_ATTEMPT, _cursor(["audience:attempt:asc", True, 5])),
    "attempt-float": (BY_ATTEMPT, _cursor(["audience:attempt:asc", 1.5, 5])),
    "attempt-null": (BY_ATTEMPT, _cursor(["audience:attempt:asc", None, 5])),
    "duration-bool": (BY_DURATION, _cursor(["audience:duration:desc", False, 5])),
    "moment-number": (BY_LAST_ATTEMPT, _cursor(["audience:last_attempt_at:asc", 1700000000, 5])),
    "moment-bool": (BY_LAST_ATTEMPT, _cursor(["audience:last_attempt_at:asc", True, 5])),
    "moment-text": (BY_LAST_ATTEMPT, _cursor(["audience:last_attempt_at:asc", "yesterday", 5])),
    "moment-list": (BY_LAST_ATTEMPT, _cursor(["audience:last_attempt_at:asc", [2026], 5])),
    "moment-overflow": (
        BY_LAST_ATTEMPT,
        _cursor(["audience:last_attempt_at:asc", "0001-01-01T00:00:00+01:00", 5]),
    ),
    "moment-overflow-top": (
        BY_LAST_ATTEMPT,
        _cursor(["audience:last_attempt_at:asc", "9999-12-31T23:59:59-01:00", 5]),
    ),
    "kind-not-text": (BY_ID, _cursor([1, 1])),
    # out of range for the id column or the sort column
    "campaign-id-over-int32": (CAMPAIGN_CURSORS, _cursor(["campaign", 2**31])),
    "campaign-id-under-int32": (CAMPAIGN_CURSORS, _cursor(["campaign", -(2**31) - 1])),
    "audience-id-over-int64": (BY_ID, _cursor(["audience:id:asc", 2**63])),
    "audience-id-under-int64": (BY_ID, _cursor(["audience:id:asc", -(2**63) - 1])),
    "audience-id-enormous": (BY_ID, _cursor(["audience:id:asc", 10**60])),
    "sort-id-over-int64": (BY_ATTEMPT, _cursor(["audience:attempt:asc", 1, 2**63])),
    "attempt-over-int32": (BY_ATTEMPT, _cursor(["audience:attempt:asc", 2**31, 5])),
    "duration-under-int32": (BY_DURATION, _cursor(["audience:duration:desc", -(2**31) - 1, 5])),
    # over-long: refused before it is decoded
    "long-text": (
        BY_LAST_ATTEMPT,
        _cursor(["audience:last_attempt_at:asc", "2026-01-01T00:00:00" + "0" * 300, 5]),
    ),
    "long-garbage": (BY_ID, "A" * 100_000),
}


@pytest.mark.parametrize(("cursors", "cursor"), FORGED.values(), ids=FORGED.keys())
def test_forged_cursor_is_bad_input(cursors: Cursors, cursor: str) -> None:
    error = _refused(cursors, cursor)
    assert error.detail in {
        "malformed cursor; pass an endCursor from a page",
        "this cursor was made for another list or ordering",
    }
    assert error.message == f"after: {error.detail}"


def test_in_range_extremes_are_accepted() -> None:
    # The other side of the range tests above.
    assert CAMPAIGN_CURSORS.decode(_cursor(["campaign", 2**31 - 1])).id == 2**31 - 1
    assert BY_ID.decode(_cursor(["audience:id:asc", 2**63 - 1])).id == 2**63 - 1
    assert BY_ATTEMPT.decode(_cursor(["audience:attempt:asc", 2**31 - 1, 1])).value == 2**31 - 1


def test_valid_payload_is_refused_only_once_too_long() -> None:
    # JSON allows whitespace, so a valid payload can be padded to any length.
    def padded(length: int) -> str:
        head = b'["audience:id:asc",'
        return _raw_cursor(head + b" " * (length - len(head) - 2) + b"5]")

    at_limit = padded(MAX_CURSOR_LENGTH * 3 // 4)
    assert len(at_limit) == MAX_CURSOR_LENGTH
    assert BY_ID.decode(at_limit) == Position(5, 5)
    over = padded(MAX_CURSOR_LENGTH * 3 // 4 + 1)
    assert len(over) > MAX_CURSOR_LENGTH
    assert _refused(BY_ID, over).detail == "malformed cursor; pass an endCursor from a page"


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(), children),
    max_leaves=8,
)


@FAST
@given(
    cursors=st.sampled_from([CAMPAIGN_CURSORS, *(o.cursors for o in ORDERINGS)]),
    tail=st.lists(JSON, max_size=3),
    right_kind=st.booleans(),
)
def test_any_json_payload_is_a_position_in_range_or_bad_input(
    cursors: Cursors, tail: list[Any], right_kind: bool
) -> None:
    payload = [cursors.kind if right_kind else "other", *tail]
    position = _decoded(cursors, _cursor(payload))
    if isinstance(position, BadInput):
        assert position.field == "after"
        return
    # Accepted only in the shape the ordering's cursors have, with values that fit.
    assert right_kind
    assert isinstance(position.id, int)
    assert not isinstance(position.id, bool)
    assert position.id in cursors.ids
    assert len(payload) == (2 if cursors.sort is OrderField.ID else 3)


@FAST
@given(
    cursors=st.sampled_from([CAMPAIGN_CURSORS, *(o.cursors for o in ORDERINGS)]),
    cursor=st.text(max_size=300) | st.binary(max_size=200).map(_raw_cursor),
)
def test_any_text_is_a_position_or_bad_input(cursors: Cursors, cursor: str) -> None:
    decoded = _decoded(cursors, cursor)
    if isinstance(decoded, BadInput):
        assert decoded.field == "after"
    else:
        assert decoded.id in cursors.ids
