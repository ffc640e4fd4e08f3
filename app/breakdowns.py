"""Breakdowns: a campaign's audience stats per group of one to three dimensions."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum
from typing import Any

from app.errors import BadInput
from app.stats import AudienceStats

MAX_DIMENSIONS = 3
MAX_GROUPS = 1_000  # of one campaign's breakdown; more is BAD_USER_INPUT


class Dimension(Enum):
    """What a breakdown groups by; each value is the audience column it reads."""

    STATUS = "status"
    CALL_STATUS = "call_status"
    FIRST_STATUS = "first_status"
    LAST_STATUS = "last_status"
    ATTEMPT = "attempt"
    LAST_DISPOSITION = "last_disposition"

    @property
    def in_rollup(self) -> bool:
        """Whether the rollup's key holds it; the others are read from the records."""
        return self is not Dimension.LAST_DISPOSITION


def dimensions(by: Iterable[Dimension]) -> tuple[Dimension, ...]:
    """The dimensions asked for, in order: one to MAX_DIMENSIONS, none twice."""
    found = tuple(by)
    if not 1 <= len(found) <= MAX_DIMENSIONS:
        raise BadInput("by", f"give 1 to {MAX_DIMENSIONS} dimensions, got {len(found)}")
    if len(set(found)) != len(found):
        raise BadInput("by", "a dimension may be given once")
    return found


@dataclass(frozen=True, slots=True)
class Group:
    """One group of a breakdown: a value (None for NULL) of each dimension, in the order of
    the dimensions asked for, and the stats of its records."""

    key: tuple[Any, ...]
    stats: AudienceStats


def ordered(groups: Iterable[Group]) -> list[Group]:
    """Groups in the documented order: by each dimension in turn, values ascending (statuses
    by code, texts by code point, attempts as numbers), NULL last."""
    return sorted(groups, key=lambda g: tuple(_ascending(value) for value in g.key))


def _ascending(value: Any) -> tuple[bool, Any]:
    return (value is None, 0 if value is None else value)


def too_many(campaign_id: int, groups: int) -> BadInput:
    return BadInput(
        "by",
        f"campaign {campaign_id} has {groups:,} groups by these dimensions, more than the "
        f"{MAX_GROUPS:,} a breakdown returns: narrow the filter or group by fewer dimensions",
    )
