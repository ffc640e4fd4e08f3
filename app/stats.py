"""The audience stats value and its exact coverage arithmetic."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

SUCCESSFUL_CALL_STATUSES = ("AGENT_ENDED", "USER_ENDED", "COMPLETED", "ANSWER")


@dataclass(frozen=True, slots=True)
class AudienceStats:
    total_audience: int = 0
    total_attempt: int = 0
    total_duration: int = 0
    successful_calls: int = 0

    def __add__(self, other: AudienceStats) -> AudienceStats:
        """The stats of both sets of records together."""
        return AudienceStats(
            self.total_audience + other.total_audience,
            self.total_attempt + other.total_attempt,
            self.total_duration + other.total_duration,
            self.successful_calls + other.successful_calls,
        )

    @property
    def coverage(self) -> Decimal:
        """successful_calls / total_attempt * 100, half up to 2 decimals; 0 without attempts."""
        if self.total_attempt == 0:
            return Decimal(0)
        # Integer arithmetic in hundredths of a percent: exact for any sizes.
        hundredths, remainder = divmod(self.successful_calls * 10_000, self.total_attempt)
        if 2 * remainder >= self.total_attempt:
            hundredths += 1
        return Decimal(hundredths).scaleb(-2)


NO_AUDIENCE = AudienceStats()
