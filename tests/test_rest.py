"""app/rest.py's pure helpers: reading query parameters (contract sections 3 and 5).

The endpoint itself, through the ASGI app, is tested in tests/test_filters_api.py and
tests/test_bad_input.py.
"""

from __future__ import annotations

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from starlette.datastructures import QueryParams

from app.errors import BadInput
from app.rest import _campaign_id, _list, _single

FAST = settings(max_examples=100, deadline=None)


def _params(query: str) -> QueryParams:
    return QueryParams(query)


# _list: repeated keys, bracket keys, comma-separated values


@pytest.mark.parametrize(
    ("query", "values"),
    [
        ("", []),
        ("status=1", ["1"]),
        ("status=1&status=2", ["1", "2"]),
        ("status[]=1&status[]=2", ["1", "2"]),
        ("status%5B%5D=1&status%5B%5D=2", ["1", "2"]),  # brackets percent-encoded
        ("status=1,2", ["1", "2"]),
        ("status=1%2C2", ["1", "2"]),  # comma percent-encoded
        ("status=3,1&status=2", ["3", "1", "2"]),
        ("status=1&status[]=2,3", ["1", "2", "3"]),
        ("status=1,1", ["1", "1"]),  # duplicates are the filter's to remove
        ("status=", []),
        ("status=&status[]=", []),
        ("status=,", []),
        ("status=1,,2,", ["1", "2"]),
        # '+' is a space in a query string; values are kept as given (the filter trims).
        ("status=+1+,%202%20", [" 1 ", " 2 "]),
        ("status=%20", []),
        ("call_status=no_answer,Busy", ["no_answer", "Busy"]),
    ],
)
def test_list_reads_every_encoding(query: str, values: list[str]) -> None:
    name = "call_status" if query.startswith("call_status") else "status"
    assert _list(_params(query), name) == values


def test_list_reads_only_its_own_keys() -> None:
    params = _params("status=1&call_status=BUSY&first_status[]=X&statuses=4&status[x]=5")
    assert _list(params, "status") == ["1"]
    assert _list(params, "call_status") == ["BUSY"]
    assert _list(params, "first_status") == ["X"]
    assert _list(params, "last_status") == []


@FAST
@given(
    values=st.lists(st.text(alphabet="0123456789abcXYZ_", min_size=1, max_size=8), max_size=6),
    encoding=st.sampled_from(["repeat", "bracket", "comma"]),
)
def test_list_encodings_give_the_same_values(values: list[str], encoding: str) -> None:
    if encoding == "repeat":
        items = [("attempt", value) for value in values]
    elif encoding == "bracket":
        items = [("attempt[]", value) for value in values]
    else:
        items = [("attempt", ",".join(values))] if values else []
    assert _list(QueryParams(items), "attempt") == values


# _single: one value, or none


def test_single_is_the_value_given_once() -> None:
    assert _single(_params("mobile_no=%2B1202"), "mobile_no") == "+1202"
    assert _single(_params("mobile_no=%20(202)%20"), "mobile_no") == " (202) "
    assert _single(_params("mobile_no=1,2"), "mobile_no") == "1,2"  # no list here


def test_single_absent_or_empty_is_no_value() -> None:
    assert _single(_params(""), "mobile_no") is None
    assert _single(_params("other=1"), "mobile_no") is None
    assert _single(_params("mobile_no="), "mobile_no") == ""


@pytest.mark.parametrize("query", ["mobile_no=1&mobile_no=2", "mobile_no=1&mobile_no=1"])
def test_single_refuses_a_repeated_key(query: str) -> None:
    with pytest.raises(BadInput) as raised:
        _single(_params(query), "mobile_no")
    assert (raised.value.field, raised.value.detail) == ("mobile_no", "give this parameter once")


@pytest.mark.parametrize("query", ["", "campaign=1", "campaign_id=", "campaign_id=%20%20"])
def test_single_refuses_a_missing_required_key(query: str) -> None:
    with pytest.raises(BadInput) as raised:
        _single(_params(query), "campaign_id", required=True)
    assert (raised.value.field, raised.value.detail) == (
        "campaign_id",
        "this parameter is required",
    )


def test_single_required_refuses_repeats_first() -> None:
    with pytest.raises(BadInput, match="give this parameter once"):
        _single(_params("campaign_id=1&campaign_id=2"), "campaign_id", required=True)


def test_single_required_is_the_value() -> None:
    assert _single(_params("campaign_id=7"), "campaign_id", required=True) == "7"


# _campaign_id: an id of a 32-bit column


def _campaign_id_of(text: str) -> int:
    return _campaign_id(QueryParams([("campaign_id", text)]))


@pytest.mark.parametrize(
    ("text", "campaign_id"),
    [("1", 1), ("42", 42), (" 42 ", 42), ("007", 7), ("2147483647", 2_147_483_647)],
)
def test_campaign_id_accepted(text: str, campaign_id: int) -> None:
    assert _campaign_id_of(text) == campaign_id


@pytest.mark.parametrize(
    ("text", "detail"),
    [
        ("0", "must be a whole number ≥ 1"),
        ("-1", "must be a whole number ≥ 1"),
        ("-99999999999999999999999", "must be a whole number ≥ 1"),
        ("2147483648", "must be at most 2147483647"),
        ("9223372036854775808", "must be at most 2147483647"),
        ("9" * 100, "must be at most 2147483647"),
        ("abc", "must be a whole number ≥ 1"),
        ("1.0", "must be a whole number ≥ 1"),
        ("1e3", "must be a whole number ≥ 1"),
        ("+1", "must be a whole number ≥ 1"),
        ("1_0", "must be a whole number ≥ 1"),
        ("\u0661", "must be a whole number ≥ 1"),
        ("", "this parameter is required"),
    ],
)
def test_campaign_id_refused(text: str, detail: str) -> None:
    with pytest.raises(BadInput) as raised:
        _campaign_id_of(text)
    assert (raised.value.field, raised.value.detail) == ("campaign_id", detail)


@FAST
@given(number=st.integers(min_value=-(2**70), max_value=2**70))
@example(number=0)
@example(number=1)
@example(number=2**31 - 1)
@example(number=2**31)
def test_campaign_id_is_any_id_of_the_column(number: int) -> None:
    if 1 <= number <= 2**31 - 1:
        assert _campaign_id_of(str(number)) == number
    else:
        with pytest.raises(BadInput):
            _campaign_id_of(str(number))
