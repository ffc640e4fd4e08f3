"""app/values.py: what the database can store, and the words of its messages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from app.values import (
    COUNT32,
    ID32,
    ID64,
    INT32,
    INT64,
    bounds,
    in_range,
    shown,
    status_text,
    storable_text,
    whole_number,
)

FAST = settings(max_examples=150, deadline=None)


def _message(check: Callable[..., object], *args: Any) -> str:
    """The message of the ValueError that check(*args) raises."""
    with pytest.raises(ValueError, match=r"^must ") as raised:
        check(*args)
    return str(raised.value)


# Each range with its bounds in words, written out by hand: the top of a column's range is
# the column's limit, so only the bottom is worth saying.
RANGES = {
    "attempts": (range(1001), "from 0 to 1000"),
    "page": (range(1, 101), "from 1 to 100"),
    "negative": (range(-5, 6), "from -5 to 5"),
    "int32": (INT32, "≥ -2147483648"),
    "int64": (INT64, "≥ -9223372036854775808"),
    "id32": (ID32, "≥ 1"),
    "id64": (ID64, "≥ 1"),
    "count32": (COUNT32, "≥ 0"),
}


def test_column_ranges_are_those_of_32_and_64_bit_integers() -> None:
    assert (INT32.start, INT32.stop - 1) == (-2_147_483_648, 2_147_483_647)
    assert (INT64.start, INT64.stop - 1) == (-9_223_372_036_854_775_808, 9_223_372_036_854_775_807)
    assert (ID32.start, ID32.stop) == (1, INT32.stop)
    assert (ID64.start, ID64.stop) == (1, INT64.stop)
    assert (COUNT32.start, COUNT32.stop) == (0, INT32.stop)


@pytest.mark.parametrize(("within", "words"), RANGES.values(), ids=RANGES.keys())
def test_bounds_in_words(within: range, words: str) -> None:
    assert bounds(within) == words


def _expected_error(number: int, within: range, words: str) -> str | None:
    """The message for a number outside the range, None inside it."""
    if number < within.start:
        return f"must be a whole number {words}"
    if number >= within.stop:
        return f"must be at most {within.stop - 1}"
    return None


def _edges(within: range) -> list[int]:
    return [within.start - 1, within.start, within.stop - 1, within.stop]


@FAST
@given(
    case=st.sampled_from(sorted(RANGES)),
    number=st.integers(min_value=-(2**80), max_value=2**80)
    | st.sampled_from([edge for within, _ in RANGES.values() for edge in _edges(within)]),
)
@example(case="int64", number=2**64)  # more digits than any column can hold
@example(case="int64", number=-(2**64))
@example(case="id32", number=10**40)
def test_whole_number_is_the_number_within_its_range(case: str, number: int) -> None:
    within, words = RANGES[case]
    expected = _expected_error(number, within, words)
    if expected is None:
        assert whole_number(str(number), within) == number
        assert in_range(number, within) == number
    else:
        assert _message(whole_number, str(number), within) == expected
        assert _message(in_range, number, within) == expected


@pytest.mark.parametrize(("text", "number"), [("0", 0), ("007", 7), ("-0", 0), ("-12", -12)])
def test_whole_number_reads_ascii_digits(text: str, number: int) -> None:
    assert whole_number(text, range(-100, 101)) == number


@pytest.mark.parametrize(
    "text",
    [
        "",
        "-",
        "+1",  # int() would take these
        "1_000",
        " 1",
        "1 ",
        "\u0661",  # ARABIC-INDIC DIGIT ONE
        "\uff11",  # FULLWIDTH DIGIT ONE
        "1.0",
        "1e3",
        "0x10",
        "abc",
        "--1",
        "1-",
    ],
)
def test_whole_number_refuses_what_is_not_a_plain_whole_number(text: str) -> None:
    assert _message(whole_number, text, range(1001)) == "must be a whole number from 0 to 1000"


def test_whole_number_of_enormous_text_says_the_range() -> None:
    # Far past every column: refused by its length, with the same words as any other.
    assert _message(whole_number, "9" * 5000, ID32) == "must be at most 2147483647"
    assert _message(whole_number, "-" + "9" * 5000, ID32) == "must be a whole number ≥ 1"


@pytest.mark.parametrize(
    ("text", "quoted"),
    [
        ("", '""'),
        ("NO_ANSWER", '"NO_ANSWER"'),
        ("x" * 40, '"' + "x" * 40 + '"'),
        ("x" * 41, '"' + "x" * 40 + '…"'),
        ("y" * 1000, '"' + "y" * 40 + '…"'),
    ],
)
def test_shown_quotes_and_cuts_long_text(text: str, quoted: str) -> None:
    assert shown(text) == quoted


def test_shown_takes_a_limit() -> None:
    assert shown("abcdef", limit=3) == '"abc…"'


@pytest.mark.parametrize("text", ["", "+12025550123", "Interessé", "😀", "a\tb\nc", "%_\\"])
def test_storable_text_is_kept_as_it_is(text: str) -> None:
    assert storable_text(text) == text


@pytest.mark.parametrize("text", ["\x00", "abc\x00", "\x00def"])
def test_storable_text_refuses_nul(text: str) -> None:
    assert _message(storable_text, text) == "must not contain a NUL character"


@pytest.mark.parametrize("text", ["\ud800", "a\udfffb", "\ude00\ud83d"])
def test_storable_text_refuses_unpaired_surrogates(text: str) -> None:
    expected = "must not contain half of a UTF-16 surrogate pair"
    assert _message(storable_text, text) == expected


@pytest.mark.parametrize(
    ("text", "stored"),
    [
        ("no_answer", "NO_ANSWER"),
        ("  Agent_Ended\t", "AGENT_ENDED"),
        ("\nbusy \r\n", "BUSY"),
        ("COMPLETED", "COMPLETED"),
        ("   ", ""),
        ("", ""),
    ],
)
def test_status_text_is_trimmed_and_upper_case(text: str, stored: str) -> None:
    assert status_text(text) == stored


@FAST
@given(st.text(alphabet=st.characters(codec="ascii", exclude_characters="\x00")))
def test_status_text_of_ascii_is_strip_upper(text: str) -> None:
    assert status_text(text) == text.strip().upper()


@pytest.mark.parametrize(
    ("text", "message"),
    [("busy\x00", "NUL character"), ("\ud800busy", "surrogate pair")],
)
def test_status_text_must_be_storable(text: str, message: str) -> None:
    assert message in _message(status_text, text)
