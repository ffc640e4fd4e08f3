"""app/stats.py: the stats value and its exact coverage (contract section 2)."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from app.stats import NO_AUDIENCE, SUCCESSFUL_CALL_STATUSES, AudienceStats
from tests import reference

FAST = settings(max_examples=100, deadline=None)
HUGE = 2**100  # far past 2^63


def _coverage(successful_calls: int, total_attempt: int) -> Decimal:
    return AudienceStats(
        total_audience=successful_calls,
        total_attempt=total_attempt,
        successful_calls=successful_calls,
    ).coverage


# (successful calls, attempts, coverage) from the contract, and ties where half up and a
# binary float's rounding disagree (round(100 / 32, 2) is 3.12).
EXAMPLES = [
    (1, 32, "3.13"),
    (2, 3, "66.67"),
    (3, 32, "9.38"),
    (1, 160, "0.63"),
    (7, 160, "4.38"),
    (1, 800, "0.13"),
    (2, 1600, "0.13"),
    (1, 20_000, "0.01"),  # exactly 0.005: up
    (1, 20_001, "0"),  # just below 0.005: down
    (1, 3, "33.33"),
    (1, 8, "12.5"),
    (423, 720, "58.75"),
    (1, 1, "100"),
    (0, 5, "0"),
    (0, 0, "0"),
    (7, 0, "0"),  # no attempts: 0, whatever else
]


@pytest.mark.parametrize(("successful", "attempts", "coverage"), EXAMPLES)
def test_coverage_of_the_contracts_examples(successful: int, attempts: int, coverage: str) -> None:
    assert _coverage(successful, attempts) == Decimal(coverage)
    # What REST and GraphQL send.
    assert float(_coverage(successful, attempts)) == float(coverage)


@FAST
@given(
    total_attempt=st.integers(min_value=1, max_value=HUGE),
    fraction=st.fractions(min_value=0, max_value=1),
)
@example(total_attempt=2**63 + 1, fraction=Fraction(1, 2))
@example(total_attempt=2**64, fraction=Fraction(1, 32))
@example(total_attempt=HUGE, fraction=Fraction(1))
def test_coverage_is_exact_half_up_for_huge_numbers(total_attempt: int, fraction: Fraction) -> None:
    successful = int(total_attempt * fraction)
    coverage = _coverage(successful, total_attempt)

    assert coverage == reference.coverage(successful, total_attempt)
    # And against the definition itself: a whole number of hundredths, rounded half up from
    # the exact percentage, so within [-1/200, +1/200) of it.
    exact = Fraction(successful * 100, total_attempt)
    assert (Fraction(coverage) * 100).denominator == 1
    assert Fraction(coverage) - Fraction(1, 200) <= exact < Fraction(coverage) + Fraction(1, 200)


@FAST
@given(
    successful=st.integers(min_value=0, max_value=2**72),
    total_attempt=st.integers(min_value=0, max_value=HUGE),
)
def test_coverage_equals_the_reference_for_any_counts(successful: int, total_attempt: int) -> None:
    # Successful calls may outnumber attempts (a record marked COMPLETED with attempt 0).
    assert _coverage(successful, total_attempt) == reference.coverage(successful, total_attempt)


def test_no_audience_is_all_zero() -> None:
    assert AudienceStats(0, 0, 0, 0) == NO_AUDIENCE
    assert (
        NO_AUDIENCE.total_audience,
        NO_AUDIENCE.total_attempt,
        NO_AUDIENCE.total_duration,
        NO_AUDIENCE.successful_calls,
        NO_AUDIENCE.coverage,
    ) == (0, 0, 0, 0, 0)
    assert AudienceStats() == NO_AUDIENCE


def test_stats_are_immutable_values() -> None:
    # Loaders cache and share them between fields of one request.
    stats = AudienceStats(1, 2, 3, 1)
    assert stats == AudienceStats(1, 2, 3, 1)
    assert hash(stats) == hash(AudienceStats(1, 2, 3, 1))
    with pytest.raises(dataclasses.FrozenInstanceError):
        stats.total_attempt = 5  # type: ignore[misc]


def test_successful_call_statuses_are_exactly_the_contracts() -> None:
    assert set(SUCCESSFUL_CALL_STATUSES) == reference.SUCCESSFUL_CALL_STATUSES
    assert len(SUCCESSFUL_CALL_STATUSES) == len(set(SUCCESSFUL_CALL_STATUSES))
