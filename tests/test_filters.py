"""app/filters.py: parsing and normalising the audience filter (contract section 3)."""

from __future__ import annotations

import dataclasses
import typing
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strawberry.types.base import StrawberryList, StrawberryOptional

from app import statements
from app.errors import BadInput
from app.filters import (
    FILTER_FIELDS,
    LIST_FIELDS,
    NO_FILTER,
    RANGE_FIELDS,
    AudienceFilter,
    AudienceStatus,
    NullableField,
    TimeRange,
)
from app.graphql.inputs import AudienceFilterInput, DateTimeRange
from tests.reference import AUDIENCE_STATUS_CODES, KNOWN_CALL_STATUSES, MOBILE_SEPARATORS

FAST = settings(max_examples=60, deadline=None)

# The REST parameters of contract section 3, which are also the filter's field names.
CONTRACT_FIELDS = ("mobile_no", "status", "call_status", "first_status", "last_status", "attempt")
# The fields added so that every breakdown group can be listed (README, "Filters beyond the
# contract's").
DRILL_DOWN_FIELDS = ("last_disposition", "last_attempt_at", "is_null")
TEXT_STATUS_FIELDS = ("call_status", "first_status", "last_status")
# Printable ASCII without NUL, plus a few whitespace characters a user may send.
STATUS_CHARACTERS = st.characters(codec="ascii", categories=("L", "N", "P", "S", "Zs"))
STATUS_TEXTS = (
    st.sampled_from(KNOWN_CALL_STATUSES).flatmap(
        lambda s: st.sampled_from([s, s.lower(), s.title(), f"  {s} ", f"\t{s.lower()}\n"])
    )
    | st.text(alphabet=STATUS_CHARACTERS, max_size=12)
    | st.sampled_from(["", " ", "  \t "])
)


def _normal_statuses(values: list[str]) -> tuple[str, ...]:
    """Contract section 3 read plainly: trimmed, upper-case, blanks dropped, once each, sorted."""
    return tuple(sorted({value.strip().upper() for value in values} - {""}))


def _bad_input(field: str, **given: Any) -> BadInput:
    with pytest.raises(BadInput) as raised:
        AudienceFilter.parse(**given)
    assert raised.value.field == field
    assert raised.value.message == f"{field}: {raised.value.detail}"
    return raised.value


# No constraint


def test_fields_are_the_contracts_and_the_drill_downs() -> None:
    assert FILTER_FIELDS == CONTRACT_FIELDS + DRILL_DOWN_FIELDS
    assert set(LIST_FIELDS) == set(FILTER_FIELDS) - {"mobile_no", "last_attempt_at"}
    assert RANGE_FIELDS == ("last_attempt_at",)


@pytest.mark.parametrize(
    "given",
    [
        {},
        dict.fromkeys(CONTRACT_FIELDS),
        {"mobile_no": "", **{name: [] for name in LIST_FIELDS}},
        {name: () for name in LIST_FIELDS},
        {name: ["", "  "] for name in TEXT_STATUS_FIELDS},
        {"mobile_no": " -.() "},  # only ignored characters
    ],
    ids=["absent", "none", "empty", "empty-tuples", "blank-statuses", "only-separators"],
)
def test_no_constraint(given: dict[str, Any]) -> None:
    parsed = AudienceFilter.parse(**given)
    assert parsed == NO_FILTER == AudienceFilter()
    assert parsed.constraints() == {}


def test_unknown_field_is_a_programming_error() -> None:
    with pytest.raises(TypeError, match="not filter fields: mobile"):
        AudienceFilter.parse(mobile="1")


# Normalisation


@FAST
@given(field=st.sampled_from(TEXT_STATUS_FIELDS), values=st.lists(STATUS_TEXTS, max_size=8))
def test_text_statuses_are_trimmed_upper_case_sorted_and_once_each(
    field: str, values: list[str]
) -> None:
    parsed = AudienceFilter.parse(**{field: values})
    assert getattr(parsed, field) == _normal_statuses(values)
    others = {name: getattr(parsed, name) for name in FILTER_FIELDS if name != field}
    assert not any(others.values())


@FAST
@given(
    values=st.lists(
        st.sampled_from(sorted(AUDIENCE_STATUS_CODES.values())).flatmap(
            lambda code: st.sampled_from([code, str(code), f" {code} ", AudienceStatus(code)])
        ),
        max_size=8,
    )
)
def test_statuses_are_parsed_from_numbers_or_their_text(values: list[Any]) -> None:
    parsed = AudienceFilter.parse(status=values)
    expected = sorted({int(str(value).strip()) for value in values})
    assert [int(status) for status in parsed.status] == expected
    assert all(isinstance(status, AudienceStatus) for status in parsed.status)


def test_statuses_are_named_as_in_the_contract() -> None:
    assert {status.name: status.value for status in AudienceStatus} == AUDIENCE_STATUS_CODES


@FAST
@given(
    values=st.lists(
        st.integers(min_value=0, max_value=1000).flatmap(
            lambda n: st.sampled_from([n, str(n), f"  {n}"])
        ),
        max_size=10,
    )
)
def test_attempts_are_parsed_sorted_and_once_each(values: list[int | str]) -> None:
    parsed = AudienceFilter.parse(attempt=values)
    assert parsed.attempt == tuple(sorted({int(value) for value in values}))


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("+12025550123", "+12025550123"),
        ("(202) 555-0123", "2025550123"),
        ("+1 202.555.01 23", "+12025550123"),
        ("  555  ", "555"),
        ("%", "%"),
        ("_", "_"),
        ("\\", "\\"),
        ("1\\%_7", "1\\%_7"),
        ("+1-(%)_.\\ 2", "+1%_\\2"),
        ("abc", "abc"),
    ],
)
def test_mobile_separators_are_removed_and_wildcards_kept(given: str, stored: str) -> None:
    assert AudienceFilter.parse(mobile_no=given).mobile_no == stored


@FAST
@given(text=st.text(alphabet="0123456789+%_\\" + MOBILE_SEPARATORS, max_size=32))
def test_mobile_is_the_text_without_separators(text: str) -> None:
    expected = "".join(char for char in text if char not in MOBILE_SEPARATORS)
    assert AudienceFilter.parse(mobile_no=text).mobile_no == expected


# Equal filters are equal keys


@FAST
@given(
    statuses=st.lists(st.sampled_from(KNOWN_CALL_STATUSES), max_size=5),
    attempts=st.lists(st.integers(min_value=0, max_value=1000), max_size=5),
    codes=st.lists(st.sampled_from([0, 1, 2, 3]), max_size=4),
    mobile=st.text(alphabet="0123456789+", max_size=10),
    data=st.data(),
)
def test_equal_filters_compare_and_hash_equal(
    statuses: list[str],
    attempts: list[int],
    codes: list[int],
    mobile: str,
    data: st.DataObject,
) -> None:
    one = AudienceFilter.parse(
        mobile_no=mobile, call_status=statuses, last_status=statuses, attempt=attempts, status=codes
    )
    # The same filter spelled otherwise: shuffled, repeated, other case, text for numbers,
    # separators in the number.
    shuffled = data.draw(st.permutations(statuses + statuses))
    other = AudienceFilter.parse(
        mobile_no=" ".join(mobile),
        call_status=[f" {value.lower()}" for value in shuffled],
        last_status=shuffled,
        attempt=[str(value) for value in data.draw(st.permutations(attempts))] + attempts,
        status=[str(code) for code in reversed(codes)],
    )
    assert one == other
    assert hash(one) == hash(other)
    assert {one: "stats"}[other] == "stats"


def test_different_filters_differ() -> None:
    filters = [
        NO_FILTER,
        AudienceFilter.parse(call_status=["BUSY"]),
        AudienceFilter.parse(first_status=["BUSY"]),
        AudienceFilter.parse(last_status=["BUSY"]),
        AudienceFilter.parse(call_status=["BUSY", "FAILED"]),
        AudienceFilter.parse(status=[1]),
        AudienceFilter.parse(attempt=[1]),
        AudienceFilter.parse(mobile_no="1"),
    ]
    assert len(set(filters)) == len(filters)


def test_filters_are_immutable() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        NO_FILTER.mobile_no = "1"  # type: ignore[misc]


def test_constraints_are_the_fields_that_constrain() -> None:
    parsed = AudienceFilter.parse(mobile_no="(555)", status=["2"], attempt=[], call_status=[" "])
    assert parsed.constraints() == {"mobile_no": "555", "status": (AudienceStatus.HALTED,)}


# Bounds


@pytest.mark.parametrize("field", LIST_FIELDS)
def test_lists_hold_at_most_100_values(field: str) -> None:
    values: list[Any] = ["call_status" if field == "is_null" else "1"] * 100
    assert len(getattr(AudienceFilter.parse(**{field: values}), field)) == 1
    error = _bad_input(field, **{field: [*values, "1"]})
    assert error.detail == "at most 100 values are allowed, got 101"


def test_mobile_holds_at_most_32_characters() -> None:
    assert AudienceFilter.parse(mobile_no="1" * 32).mobile_no == "1" * 32
    error = _bad_input("mobile_no", mobile_no="1" * 33)
    assert error.detail == "at most 32 characters are allowed, got 33"


@pytest.mark.parametrize("value", [0, 1000, "0", "1000", " 7 "])
def test_attempt_values_0_to_1000(value: int | str) -> None:
    assert AudienceFilter.parse(attempt=[value]).attempt == (int(value),)


@pytest.mark.parametrize(
    ("value", "detail"),
    [
        (-1, "must be a whole number from 0 to 1000"),
        (1001, "must be at most 1000"),
        (2**63, "must be at most 1000"),
        ("-1", "must be a whole number from 0 to 1000"),
        ("1001", "must be at most 1000"),
        ("9" * 40, "must be at most 1000"),
        ("1.5", "must be a whole number from 0 to 1000"),
        ("one", "must be a whole number from 0 to 1000"),
        ("+1", "must be a whole number from 0 to 1000"),
    ],
)
def test_attempt_outside_0_to_1000_is_bad_input(value: int | str, detail: str) -> None:
    assert _bad_input("attempt", attempt=[1, value]).detail == detail


@pytest.mark.parametrize("value", [4, -1, "9", "abc", "", "1.0", 2**40, "COMPLETED"])
def test_unknown_audience_status_is_bad_input(value: int | str) -> None:
    detail = _bad_input("status", status=[value]).detail
    assert detail.startswith(f'unknown audience status "{value}"')
    # The message lists the statuses a user may give.
    assert detail.endswith("known: 0 (FRESH), 1 (COMPLETED), 2 (HALTED), 3 (INQUEUE)")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("mobile_no", "12\x003"),
        ("mobile_no", "12\ud8003"),
        ("call_status", ["BUSY", "BU\x00SY"]),
        ("first_status", ["\udfff"]),
        ("last_status", ["\x00"]),
    ],
)
def test_text_that_cannot_be_stored_is_bad_input(field: str, value: Any) -> None:
    _bad_input(field, **{field: value})


# The drill-down fields


def test_dispositions_match_as_stored() -> None:
    parsed = AudienceFilter.parse(last_disposition=[" Interested", "interested", "", "Interested"])
    assert parsed.last_disposition == (" Interested", "Interested", "interested")


@pytest.mark.parametrize(
    ("given", "start", "end"),
    [
        ((None, None), None, None),
        (("", ""), None, None),
        (("2026-03-01T10:00:00+02:00", None), datetime(2026, 3, 1, 8, tzinfo=UTC), None),
        ((None, "2026-03-01"), None, datetime(2026, 3, 1, tzinfo=UTC)),
        ((" 2026-03-01 10:00:00.5Z ", None), datetime(2026, 3, 1, 10, 0, 0, 500_000, UTC), None),
        (
            (datetime(2026, 3, 1, 10), datetime(2026, 3, 1, 10)),
            *[datetime(2026, 3, 1, 10, tzinfo=UTC)] * 2,
        ),
    ],
)
def test_time_ranges_are_utc_with_open_ends(
    given: tuple[Any, Any], start: datetime | None, end: datetime | None
) -> None:
    parsed = AudienceFilter.parse(last_attempt_at=given)
    assert parsed.last_attempt_at == TimeRange(start, end)
    assert bool(parsed.constraints()) is (start is not None or end is not None)


@pytest.mark.parametrize(
    ("given", "detail"),
    [
        (("yesterday", None), "must be an ISO 8601 timestamp"),
        ((None, "2026-13-01"), "must be an ISO 8601 timestamp"),
        (("2026-03-02", "2026-03-01"), "`to` must not be before `from`"),
        (
            (datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=5))), None),
            "is out of range once in UTC",
        ),
    ],
)
def test_bad_time_ranges_are_bad_input(given: tuple[Any, Any], detail: str) -> None:
    assert _bad_input("last_attempt_at", last_attempt_at=given).detail == detail


def test_is_null_names_nullable_columns() -> None:
    parsed = AudienceFilter.parse(
        is_null=["LAST_ATTEMPT_AT", " call_status", NullableField.CALL_STATUS]
    )
    assert parsed.is_null == (NullableField.CALL_STATUS, NullableField.LAST_ATTEMPT_AT)
    assert statements.tested_columns(statements.shape(parsed)) == {
        "call_status",
        "last_attempt_at",
    }
    detail = _bad_input("is_null", is_null=["attempt"]).detail
    assert detail.startswith('unknown field "attempt"; known: call_status, first_status')


def test_bad_input_names_the_first_wrong_field_in_contract_order() -> None:
    error = _bad_input("status", mobile_no="1", status=["9"], attempt=["2000"])
    assert error.message.startswith("status: ")


# The GraphQL input declares the same fields


def test_graphql_input_declares_exactly_the_filter_fields() -> None:
    graphql_fields = [f.python_name for f in AudienceFilterInput.__strawberry_definition__.fields]
    domain_fields = [f.name for f in dataclasses.fields(AudienceFilter)]
    assert graphql_fields == domain_fields


def test_list_fields_are_the_tuple_typed_fields() -> None:
    hints = typing.get_type_hints(AudienceFilter)
    tuple_typed = [name for name, hint in hints.items() if typing.get_origin(hint) is tuple]
    assert list(LIST_FIELDS) == tuple_typed
    assert set(hints) - set(tuple_typed) == {"mobile_no", "last_attempt_at"}


def test_graphql_lists_are_the_filter_lists_of_the_same_values() -> None:
    hints = typing.get_type_hints(AudienceFilter)
    for field in AudienceFilterInput.__strawberry_definition__.fields:
        assert isinstance(field.type, StrawberryOptional), field.python_name
        of_type = field.type.of_type
        hint = hints[field.python_name]
        if field.python_name in LIST_FIELDS:
            assert isinstance(of_type, StrawberryList), field.python_name
            element = getattr(of_type.of_type, "wrapped_cls", of_type.of_type)
            assert element is typing.get_args(hint)[0], field.python_name
        elif field.python_name in RANGE_FIELDS:
            assert (of_type, hint) == (DateTimeRange, TimeRange)
        else:
            assert of_type is hint is str
