"""The SQL of the reads that every request makes, built once per shape.

A statement's text depends on its shape (which filter fields constrain, which ends of a
range are given, which fields also match no value, and what it groups by), never on the
values: those are bound by name at execution (`parameters`). Building and compiling a
SQLAlchemy statement took longer than running a small campaign's stats (BENCHMARKS.md, d).

On PostgreSQL a list is bound as one array (`= ANY(:list)`): SQLAlchemy's expanding IN writes
a new SQL text for each length of a list, and asyncpg prepares each text anew.
"""

from __future__ import annotations

import operator
from collections.abc import Hashable
from datetime import datetime
from functools import lru_cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY

from app.breakdowns import Dimension
from app.filters import FILTER_FIELDS, AudienceFilter, NullableField, TimeRange
from app.stats import SUCCESSFUL_CALL_STATUSES
from app.tables import (
    ROLLUP_KEY,
    api_token,
    campaign,
    campaign_audience,
    campaign_audience_delta,
    campaign_audience_rollup,
)
from app.timestamps import as_utc

# What a filter's SQL text depends on: (field, True) for a list or mobile_no that
# constrains, (field, (has start, has end)) for a range, ("is_null", fields).
Shape = tuple[tuple[str, Hashable], ...]

# The text columns whose empty value counts as none; time buckets' quarter-hours.
NULLABLE_TEXTS = frozenset(f.value for f in NullableField) - {"last_attempt_at"}
QUARTER_SECONDS = 900
YEAR_0_SECONDS = 62_167_219_200  # from 0000-01-01 to 1970-01-01: a multiple of 900
_EPOCH: sa.ColumnElement[Any] = sa.literal_column("TIMESTAMPTZ '1970-01-01 00:00:00+00'")
# Distinct shapes kept, per kind of statement; a caller cycling through more only rebuilds.
_MOST_SHAPES = 1024
_LIKE_ESCAPE = "/"

audience = campaign_audience.c

TOKEN_WORKSPACE = sa.select(api_token.c.workspace_id).where(
    api_token.c.token_hash == sa.bindparam("token_hash"), api_token.c.revoked_at.is_(None)
)


def shape(audience_filter: AudienceFilter) -> Shape:
    """The filter's shape: its statement is the same for every filter of that shape."""
    found: list[tuple[str, Hashable]] = []
    for name, value in audience_filter.constraints().items():
        if isinstance(value, TimeRange):
            found.append((name, (value.start is not None, value.end is not None)))
        else:
            found.append((name, value if name == "is_null" else True))
    return tuple(found)


def tested_columns(filter_shape: Shape) -> set[str]:
    """The audience columns a filter of this shape tests."""
    given = dict(filter_shape)
    is_null: Any = given.pop("is_null", ())
    return set(given) | {str(f) for f in is_null}


def parameters(sqlite: bool, audience_filter: AudienceFilter) -> dict[str, Any]:
    """The filter's values, by the names its conditions bind them to."""
    bound: dict[str, Any] = {}
    for name, value in audience_filter.constraints().items():
        if name == "is_null":
            continue
        if name == "mobile_no":
            bound[name] = value if sqlite else f"%{_like_escaped(value)}%"
        elif isinstance(value, TimeRange):
            for end, moment in (("from", value.start), ("to", value.end)):
                if moment is not None:
                    bound[f"{name}_{end}"] = sqlite_text(moment) if sqlite else moment
        else:
            bound[name] = list(value)
    return bound


def scope(workspace_id: int, campaign_ids: list[int]) -> dict[str, Any]:
    """The values of `in_workspace`."""
    return {"workspace_id": workspace_id, "campaign_ids": campaign_ids}


@lru_cache(maxsize=2)
def campaigns(sqlite: bool) -> sa.Select[Any]:
    """The workspace's campaigns among the ids asked for (`scope`)."""
    return sa.select(campaign).where(
        campaign.c.workspace_id == sa.bindparam("workspace_id"),
        one_of(sqlite, campaign.c.id, "campaign_ids"),
    )


@lru_cache(maxsize=_MOST_SHAPES)
def breakdown(
    sqlite: bool, filter_shape: Shape, by: tuple[Dimension, ...]
) -> sa.CompoundSelect[Any]:
    """The groups of each campaign asked for (`scope`) by the dimensions: campaign id, a key
    per dimension, records, attempts, duration, successful calls. From the rollup unless the
    filter or a dimension reads a column that is not in the rollup's key.

    Each of the workspace's campaigns among those asked for also has a row of no records, so
    that the same statement tells a campaign without a matching record from one that is not
    the workspace's: a stats request needs no statement of its own to check its campaign."""
    in_rollup = tested_columns(filter_shape) <= set(ROLLUP_KEY)
    if in_rollup and all(dimension.in_rollup for dimension in by):
        groups = _group_stats(sqlite, filter_shape, by)
    else:
        groups = _record_stats(sqlite, filter_shape, by)
    present = sa.select(campaign.c.id, *(sa.null() for _ in by), *(sa.literal(0),) * 4).where(
        campaign.c.workspace_id == sa.bindparam("workspace_id"),
        one_of(sqlite, campaign.c.id, "campaign_ids"),
    )
    return sa.union_all(groups, present)


def _record_stats(sqlite: bool, filter_shape: Shape, by: tuple[Dimension, ...]) -> sa.Select[Any]:
    successful = audience.call_status.in_(SUCCESSFUL_CALL_STATUSES)
    grouped = [audience.campaign_id, *(_key(sqlite, audience, d) for d in by)]
    return (
        sa.select(
            *grouped,
            sa.func.count(),
            sa.func.coalesce(sa.func.sum(audience.attempt), 0),
            sa.func.coalesce(sa.func.sum(audience.duration), 0),
            sa.func.count().filter(successful),
        )
        .where(
            in_workspace(sqlite, audience.campaign_id),
            *conditions(sqlite, audience, filter_shape),
        )
        .group_by(*grouped)
    )


def _group_stats(sqlite: bool, filter_shape: Shape, by: tuple[Dimension, ...]) -> sa.Select[Any]:
    # PostgreSQL's rollup lags by the deltas not yet compacted: the groups are both.
    tables = [campaign_audience_rollup]
    if not sqlite:
        tables.append(campaign_audience_delta)
    columns = dict.fromkeys(["campaign_id", *(d.value for d in by), "call_status", "attempt"])
    parts = [
        sa.select(*(table.c[name] for name in columns), table.c.records, table.c.duration).where(
            in_workspace(sqlite, table.c.campaign_id),
            *conditions(sqlite, table.c, filter_shape),
        )
        for table in tables
    ]
    groups = (parts[0] if len(parts) == 1 else sa.union_all(*parts)).subquery("groups")
    grouped = [groups.c.campaign_id, *(_key(sqlite, groups.c, d) for d in by)]
    records = sa.func.sum(groups.c.records)
    return sa.select(
        *grouped,
        records,
        sa.func.sum(groups.c.attempt * groups.c.records),
        sa.func.sum(groups.c.duration),
        sa.func.coalesce(records.filter(groups.c.call_status.in_(SUCCESSFUL_CALL_STATUSES)), 0),
    ).group_by(*grouped)


def _key(
    sqlite: bool, columns: sa.ColumnCollection[str, Any], dimension: Dimension
) -> sa.ColumnElement[Any]:
    """What a dimension groups by: its column, an empty text as NULL; for a time bucket,
    the quarter-hour of UTC of the last attempt."""
    if dimension.is_time:
        moment = columns.last_attempt_at
        if sqlite:  # seconds since year 0, so that integer division floors
            seconds = sa.cast(sa.func.strftime("%s", moment), sa.Integer) + YEAR_0_SECONDS
            return seconds.self_group().op("/")(QUARTER_SECONDS)
        return sa.func.date_bin(sa.literal_column("INTERVAL '15 minutes'"), moment, _EPOCH)
    column = columns[dimension.value]
    return sa.func.nullif(column, "") if dimension.value in NULLABLE_TEXTS else column


def in_workspace(sqlite: bool, column: sa.ColumnElement[int]) -> sa.ColumnElement[bool]:
    """The column names one of the workspace's campaigns among those asked for (`scope`).
    The campaigns are looked up once, before any record is read: never a join per record,
    whatever the planner knows of the tables."""
    ids = sa.select(campaign.c.id).where(
        campaign.c.workspace_id == sa.bindparam("workspace_id"),
        one_of(sqlite, campaign.c.id, "campaign_ids"),
    )
    if sqlite:  # SQLite runs an IN subquery that refers to nothing outside it once
        return column.in_(ids)
    # The ids asked for are the index condition, so the planner sizes each campaign from
    # its statistics. The workspace's campaigns among them, one array from an InitPlan,
    # filter the rows; `+ 0` keeps that test out of the index condition, where its unknown
    # selectivity would make a big campaign's bitmap look cheap to build.
    in_scope = sa.any_(sa.func.array(ids.scalar_subquery()))
    return sa.and_(one_of(sqlite, column, "campaign_ids"), (column + 0) == in_scope)


def one_of(sqlite: bool, column: sa.ColumnElement[Any], name: str) -> sa.ColumnElement[bool]:
    """The column holds one of the list bound to `name`."""
    if sqlite:
        return column.in_(sa.bindparam(name, expanding=True))
    return column == sa.any_(sa.bindparam(name, type_=ARRAY(column.type)))


def conditions(
    sqlite: bool, columns: sa.ColumnCollection[str, Any], filter_shape: Shape
) -> list[sa.ColumnElement[bool]]:
    """A filter of the shape as SQL conditions on the columns, ANDed by the caller (contract
    section 3); its values are bound by `parameters`."""
    given = dict(filter_shape)
    is_null: Any = given.get("is_null", ())
    found = []
    # Each filter field is named as the column it tests.
    for name in FILTER_FIELDS:
        if name == "is_null" or (name not in given and name not in is_null):
            continue
        column = columns[name]
        if name == "mobile_no":
            found.append(_contains(sqlite, column))
            continue
        allowed = []  # one of the list's values, within the range, or no value
        ends = given.get(name)
        if isinstance(ends, tuple):
            allowed.append(_within(sqlite, column, name, ends))
        elif ends:
            allowed.append(one_of(sqlite, column, name))
        if name in is_null:
            allowed.append(column.is_(None))
            if name in NULLABLE_TEXTS:  # an empty text is no value, as NULL is
                allowed.append(column == "")
        found.append(allowed[0] if len(allowed) == 1 else sa.or_(*allowed))
    return found


def _within(
    sqlite: bool, column: sa.ColumnElement[datetime], name: str, ends: tuple[bool, bool]
) -> sa.ColumnElement[bool]:
    """A half-open range of instants. SQLite compares its stored text: UTC, written
    `YYYY-MM-DD HH:MM:SS` with or without a fraction, so the bounds are written the same way
    with no trailing zero (sqlite_text), which orders exactly against every such text."""
    tests = []
    for given, end, inside in ((ends[0], "from", operator.ge), (ends[1], "to", operator.lt)):
        if given:
            bound = sa.bindparam(f"{name}_{end}", type_=sa.Text if sqlite else column.type)
            tests.append(inside(column, bound))
    return sa.and_(*tests)


def _contains(sqlite: bool, column: sa.ColumnElement[str]) -> sa.ColumnElement[bool]:
    # A literal, case-sensitive substring test. SQLite's LIKE ignores ASCII case, so it
    # uses instr(); PostgreSQL keeps LIKE (escaped) so a trigram index can serve it.
    if sqlite:
        return sa.func.instr(column, sa.bindparam("mobile_no", type_=sa.Text)) > 0
    return column.like(sa.bindparam("mobile_no", type_=sa.Text), escape=_LIKE_ESCAPE)


def _like_escaped(text: str) -> str:
    for special in (_LIKE_ESCAPE, "%", "_"):
        text = text.replace(special, _LIKE_ESCAPE + special)
    return text


def sqlite_text(moment: datetime) -> str:
    # As isoformat writes it (four-digit years; strftime's %Y may write fewer).
    text = as_utc(moment).replace(tzinfo=None).isoformat(" ", "microseconds").rstrip("0")
    return text.rstrip(".")


def matching(sqlite: bool, filter_shape: Shape) -> list[sa.ColumnElement[bool]]:
    """The records of the campaign bound to `campaign_id` that match, if it is a campaign of
    the workspace bound to `workspace_id` (checked once per statement: the EXISTS refers to
    nothing of the record)."""
    campaign_id = sa.bindparam("campaign_id", type_=sa.Integer)
    in_scope = sa.exists().where(
        campaign.c.id == campaign_id, campaign.c.workspace_id == sa.bindparam("workspace_id")
    )
    return [
        audience.campaign_id == campaign_id,
        in_scope,
        *conditions(sqlite, audience, filter_shape),
    ]
