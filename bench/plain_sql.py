"""The plain SQL statement a person would write for a campaign's stats: one row scan over the
records, the filter written out as literal SQL, no rollup, no parameters.

    SELECT count(*), sum(attempt), sum(duration),
           count(*) FILTER (WHERE call_status IN ('AGENT_ENDED', …))
    FROM campaign_audience WHERE campaign_id = 1 AND status IN (1, 3) AND …
"""

from __future__ import annotations

from typing import Any

from app.filters import AudienceFilter
from app.stats import SUCCESSFUL_CALL_STATUSES
from bench.database import Statement


def _literal(value: object) -> str:
    if isinstance(value, int):  # AudienceStatus is an IntEnum: its code
        return str(int(value))
    return "'" + str(value).replace("'", "''") + "'"


def _values(values: tuple[Any, ...]) -> str:
    return "(" + ", ".join(_literal(value) for value in values) + ")"


def _condition(name: str, value: str | tuple[Any, ...]) -> str:
    if isinstance(value, tuple):
        return f"{name} IN {_values(value)}"
    # The substring test a person writes; the app's normalised fragment holds no wildcard,
    # but escape them anyway so that the meaning stays "contains".
    escaped = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"{name} LIKE {_literal('%' + escaped + '%')} ESCAPE '\\'"


def statement(campaign_id: int, audience_filter: AudienceFilter, label: str = "") -> Statement:
    conditions = [f"campaign_id = {int(campaign_id)}"]
    conditions += [_condition(n, v) for n, v in audience_filter.constraints().items()]
    sql = (
        "SELECT count(*), sum(attempt), sum(duration), "  # noqa: S608 (literals quoted above)
        f"count(*) FILTER (WHERE call_status IN {_values(SUCCESSFUL_CALL_STATUSES)}) "
        f"FROM campaign_audience WHERE {' AND '.join(conditions)}"
    )
    return Statement(label or f"plain SQL, campaign {campaign_id}", sql, ())


def numbers(rows: list[tuple[Any, ...]]) -> tuple[int, int, int, int]:
    """(records, attempts, duration, successful calls) of the statement's one row; sums over
    no records are NULL."""
    ((count, attempts, duration, successful),) = rows
    return int(count), int(attempts or 0), int(duration or 0), int(successful)
