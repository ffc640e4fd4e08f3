"""Every query the service reads with (loading.py writes loads). It returns plain frozen
dataclasses, never rows.

Every method runs on a connection of its own, so loaders may call it concurrently.
"""

from __future__ import annotations

import operator
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Generic, TypeVar

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from app import outages
from app.breakdowns import Dimension, Group
from app.filters import FILTER_FIELDS, AudienceFilter, AudienceStatus, NullableField, TimeRange
from app.outages import OutageLog
from app.pagination import Direction, OrderField, Ordering, Position
from app.stats import SUCCESSFUL_CALL_STATUSES, AudienceStats
from app.tables import (
    ROLLUP_KEY,
    api_token,
    campaign,
    campaign_audience,
    campaign_audience_delta,
    campaign_audience_rollup,
)
from app.timestamps import as_utc
from app.tokens import hash_token

T = TypeVar("T")

# The text columns whose empty value counts as none; time buckets' quarter-hours.
NULLABLE_TEXTS = frozenset(f.value for f in NullableField) - {"last_attempt_at"}
_QUARTER_SECONDS = 900
_YEAR_0_SECONDS = 62_167_219_200  # from 0000-01-01 to 1970-01-01: a multiple of 900
_EPOCH: sa.ColumnElement[Any] = sa.literal_column("TIMESTAMPTZ '1970-01-01 00:00:00+00'")

audience = campaign_audience.c


@dataclass(frozen=True, slots=True)
class Campaign:
    id: int
    workspace_id: int
    name: str
    max_attempts: int
    created_at: datetime


@dataclass(frozen=True, slots=True)
class AudienceRecord:
    id: int
    campaign_id: int
    mobile_no: str
    status: AudienceStatus
    call_status: str | None
    first_status: str | None
    last_status: str | None
    attempt: int
    duration: int
    last_attempt_at: datetime | None
    last_disposition: str | None
    input_data: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    items: list[T]
    has_next: bool


class Repository:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._outages = OutageLog()
        self._sqlite = engine.dialect.name == "sqlite"

    async def workspace_for_token(self, token: str) -> int | None:
        """The workspace of a valid, unrevoked token, else None."""
        return await self.workspace_for_token_hash(hash_token(token))

    async def workspace_for_token_hash(self, token_hash: str) -> int | None:
        """The workspace of a valid, unrevoked token of that digest, else None."""
        stmt = sa.select(api_token.c.workspace_id).where(
            api_token.c.token_hash == token_hash, api_token.c.revoked_at.is_(None)
        )
        async with outages.connection(self._engine, self._outages) as conn:
            workspace_id: int | None = await conn.scalar(stmt)
        return workspace_id

    async def campaigns(self, workspace_id: int, ids: Sequence[int]) -> dict[int, Campaign]:
        """The workspace's campaigns among ids, by id; others are absent."""
        stmt = sa.select(campaign).where(
            campaign.c.workspace_id == workspace_id, campaign.c.id.in_(ids)
        )
        async with outages.connection(self._engine, self._outages) as conn:
            rows = (await conn.execute(stmt)).all()
        return {row.id: Campaign(**row._mapping) for row in rows}

    async def campaign_page(
        self, workspace_id: int, first: int, after: int | None
    ) -> Page[Campaign]:
        """The workspace's campaigns by id, `first` of them after the id `after`."""
        stmt = sa.select(campaign).where(campaign.c.workspace_id == workspace_id)
        if after is not None:
            stmt = stmt.where(campaign.c.id > after)
        stmt = stmt.order_by(campaign.c.id).limit(first + 1)
        async with outages.connection(self._engine, self._outages) as conn:
            rows = (await conn.execute(stmt)).all()
        return Page([Campaign(**row._mapping) for row in rows[:first]], has_next=len(rows) > first)

    async def campaign_count(self, workspace_id: int) -> int:
        stmt = sa.select(sa.func.count()).where(campaign.c.workspace_id == workspace_id)
        async with outages.connection(self._engine, self._outages) as conn:
            return int(await conn.scalar(stmt) or 0)

    async def stats(
        self, workspace_id: int, campaign_ids: Sequence[int], audience_filter: AudienceFilter
    ) -> dict[int, AudienceStats]:
        """Stats of each campaign among campaign_ids, in one statement.

        Campaigns of other workspaces and campaigns without a matching record are absent.
        Without a mobile_no filter they come from the rollup's groups, so they cost what the
        campaign's number of groups costs, not its number of records.
        """
        found = await self.breakdown(workspace_id, campaign_ids, audience_filter, ())
        return {campaign_id: groups[0].stats for campaign_id, groups in found.items()}

    async def breakdown(
        self,
        workspace_id: int,
        campaign_ids: Sequence[int],
        audience_filter: AudienceFilter,
        by: Sequence[Dimension],
    ) -> dict[int, list[Group]]:
        """The groups of each campaign among campaign_ids by the dimensions (none: one group,
        the stats), in one statement; as `stats`, from the rollup unless the filter or a
        dimension reads a column that is not in the rollup's key. A time dimension's value
        is the quarter-hour of UTC that holds the last attempt (app.breakdowns folds them);
        an empty text is no value, as NULL is.
        Groups without a matching record are absent, and so are such campaigns."""
        in_rollup = audience_filter.columns() <= set(ROLLUP_KEY)
        if in_rollup and all(dimension.in_rollup for dimension in by):
            stmt = self._group_stats(workspace_id, campaign_ids, audience_filter, by)
        else:
            stmt = self._record_stats(workspace_id, campaign_ids, audience_filter, by)
        async with outages.connection(self._engine, self._outages) as conn:
            rows = (await conn.execute(stmt)).all()
        found: dict[int, list[Group]] = {}
        for row in rows:
            campaign_id, *key = row[: 1 + len(by)]
            records, attempts, duration, successful = row[1 + len(by) :]
            if records:  # PostgreSQL's deltas may have emptied a group of the rollup
                stats = AudienceStats(int(records), int(attempts), int(duration), int(successful))
                key = [
                    self._quarter_hour(value) if dimension.is_time and value is not None else value
                    for dimension, value in zip(by, key, strict=True)
                ]
                found.setdefault(campaign_id, []).append(Group(tuple(key), stats))
        return found

    def _record_stats(
        self,
        workspace_id: int,
        campaign_ids: Sequence[int],
        audience_filter: AudienceFilter,
        by: Sequence[Dimension],
    ) -> sa.Select[Any]:
        successful = audience.call_status.in_(SUCCESSFUL_CALL_STATUSES)
        grouped = [audience.campaign_id, *(self._key(audience, d) for d in by)]
        return (
            sa.select(
                *grouped,
                sa.func.count(),
                sa.func.coalesce(sa.func.sum(audience.attempt), 0),
                sa.func.coalesce(sa.func.sum(audience.duration), 0),
                sa.func.count().filter(successful),
            )
            .where(
                self._in_workspace(audience.campaign_id, workspace_id, campaign_ids),
                *self._conditions(audience, audience_filter),
            )
            .group_by(*grouped)
        )

    def _group_stats(
        self,
        workspace_id: int,
        campaign_ids: Sequence[int],
        audience_filter: AudienceFilter,
        by: Sequence[Dimension],
    ) -> sa.Select[Any]:
        # PostgreSQL's rollup lags by the deltas not yet compacted: the groups are both.
        tables = [campaign_audience_rollup]
        if not self._sqlite:
            tables.append(campaign_audience_delta)
        columns = dict.fromkeys(["campaign_id", *(d.value for d in by), "call_status", "attempt"])
        parts = [
            sa.select(
                *(table.c[name] for name in columns), table.c.records, table.c.duration
            ).where(
                self._in_workspace(table.c.campaign_id, workspace_id, campaign_ids),
                *self._conditions(table.c, audience_filter),
            )
            for table in tables
        ]
        groups = (parts[0] if len(parts) == 1 else sa.union_all(*parts)).subquery("groups")
        grouped = [groups.c.campaign_id, *(self._key(groups.c, d) for d in by)]
        records = sa.func.sum(groups.c.records)
        return sa.select(
            *grouped,
            records,
            sa.func.sum(groups.c.attempt * groups.c.records),
            sa.func.sum(groups.c.duration),
            sa.func.coalesce(records.filter(groups.c.call_status.in_(SUCCESSFUL_CALL_STATUSES)), 0),
        ).group_by(*grouped)

    def _key(
        self, columns: sa.ColumnCollection[str, Any], dimension: Dimension
    ) -> sa.ColumnElement[Any]:
        """What a dimension groups by: its column, an empty text as NULL; for a time bucket,
        the quarter-hour of UTC of the last attempt."""
        if dimension.is_time:
            moment = columns.last_attempt_at
            if self._sqlite:  # seconds since year 0, so that integer division floors
                seconds = sa.cast(sa.func.strftime("%s", moment), sa.Integer) + _YEAR_0_SECONDS
                return seconds.self_group().op("/")(_QUARTER_SECONDS)
            return sa.func.date_bin(sa.literal_column("INTERVAL '15 minutes'"), moment, _EPOCH)
        column = columns[dimension.value]
        return sa.func.nullif(column, "") if dimension.value in NULLABLE_TEXTS else column

    def _quarter_hour(self, value: Any) -> datetime:
        """The start of a time bucket's quarter-hour, as _key spells it, in UTC."""
        if self._sqlite:
            seconds = int(value) * _QUARTER_SECONDS - _YEAR_0_SECONDS
            return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(seconds=seconds)
        return as_utc(value)

    def _in_workspace(
        self, column: sa.ColumnElement[int], workspace_id: int, campaign_ids: Sequence[int]
    ) -> sa.ColumnElement[bool]:
        """The column names one of the workspace's campaigns among campaign_ids. The campaigns
        are looked up once, before any record is read: never a join per record, whatever
        the planner knows of the tables."""
        ids = sa.select(campaign.c.id).where(
            campaign.c.workspace_id == workspace_id, campaign.c.id.in_(campaign_ids)
        )
        if self._sqlite:  # SQLite runs an IN subquery that refers to nothing outside it once
            return column.in_(ids)
        # The ids asked for are the index condition, so the planner sizes each campaign from
        # its statistics. The workspace's campaigns among them, one array from an InitPlan,
        # filter the rows; `+ 0` keeps that test out of the index condition, where its
        # unknown selectivity would make a big campaign's bitmap look cheap to build.
        in_workspace = sa.any_(sa.func.array(ids.scalar_subquery()))
        return sa.and_(column.in_(campaign_ids), (column + 0) == in_workspace)

    async def audience_page(
        self,
        workspace_id: int,
        campaign_id: int,
        audience_filter: AudienceFilter,
        ordering: Ordering,
        first: int,
        after: Position | None,
    ) -> Page[AudienceRecord]:
        """A keyset page of a campaign's matching audience: `first` records after `after`."""
        matching = sa.select(campaign_audience).where(
            *self._matching(workspace_id, campaign_id, audience_filter)
        )
        stmt = _keyset_page(matching, ordering, after, first + 1)
        async with outages.connection(self._engine, self._outages) as conn:
            rows = (await conn.execute(stmt)).all()
        records = [AudienceRecord(**row._mapping) for row in rows[:first]]
        return Page(records, has_next=len(rows) > first)

    async def audience_slice(
        self,
        workspace_id: int,
        campaign_id: int,
        audience_filter: AudienceFilter,
        limit: int,
        offset: int,
    ) -> list[AudienceRecord]:
        """The campaign's matching records by id, `limit` of them after skipping `offset`.

        The skipping reads only ids (from the (campaign_id, id) index when nothing else is
        filtered), and only the records of the page are read whole: a deep page skips index
        entries, not records.
        """
        ids = (
            sa.select(audience.id)
            .where(*self._matching(workspace_id, campaign_id, audience_filter))
            .order_by(audience.id)
            .limit(limit)
            .offset(offset)
            .subquery()
        )
        stmt = sa.select(campaign_audience).join(ids, ids.c.id == audience.id).order_by(audience.id)
        async with outages.connection(self._engine, self._outages) as conn:
            rows = (await conn.execute(stmt)).all()
        return [AudienceRecord(**row._mapping) for row in rows]

    def _matching(
        self, workspace_id: int, campaign_id: int, audience_filter: AudienceFilter
    ) -> list[sa.ColumnElement[bool]]:
        """The campaign's records that match, if it is a campaign of the workspace (checked
        once per statement: the EXISTS refers to nothing of the record)."""
        in_workspace = sa.exists().where(
            campaign.c.id == campaign_id, campaign.c.workspace_id == workspace_id
        )
        return [
            audience.campaign_id == campaign_id,
            in_workspace,
            *self._conditions(audience, audience_filter),
        ]

    def _conditions(
        self, columns: sa.ColumnCollection[str, Any], audience_filter: AudienceFilter
    ) -> list[sa.ColumnElement[bool]]:
        """The filter as SQL conditions on the columns, ANDed by the caller (contract
        section 3)."""
        tested = audience_filter.columns()
        conditions = []
        # Each filter field is named as the column it tests.
        for name in FILTER_FIELDS:
            if name not in tested:
                continue
            column = columns[name]
            value: Any = getattr(audience_filter, name)
            if name == "mobile_no":
                conditions.append(self._contains(column, value))
                continue
            allowed = []  # one of the list's values, within the range, or no value
            if isinstance(value, TimeRange) and value:
                allowed.append(self._within(column, value))
            elif value:
                allowed.append(column.in_(value))
            if name in audience_filter.is_null:
                allowed.append(column.is_(None))
                if name in NULLABLE_TEXTS:  # an empty text is no value, as NULL is
                    allowed.append(column == "")
            conditions.append(allowed[0] if len(allowed) == 1 else sa.or_(*allowed))
        return conditions

    def _within(
        self, column: sa.ColumnElement[datetime], bounds: TimeRange
    ) -> sa.ColumnElement[bool]:
        """A half-open range of instants. SQLite compares its stored text: UTC, written
        `YYYY-MM-DD HH:MM:SS` with or without a fraction, so the bounds are written the
        same way with no trailing zero, which orders exactly against every such text."""
        tests = []
        for moment, inside in ((bounds.start, operator.ge), (bounds.end, operator.lt)):
            if moment is not None:
                bound: Any = moment
                if self._sqlite:
                    bound = sa.literal(_sqlite_text(moment), sa.Text)
                tests.append(inside(column, bound))
        return sa.and_(*tests)

    def _contains(self, column: sa.ColumnElement[str], text: str) -> sa.ColumnElement[bool]:
        # A literal, case-sensitive substring test. SQLite's LIKE ignores ASCII case, so
        # it uses instr(); PostgreSQL keeps LIKE (escaped) so a trigram index can serve it.
        if self._sqlite:
            return sa.func.instr(column, text) > 0
        return column.contains(text, autoescape=True)


def _sqlite_text(moment: datetime) -> str:
    # As isoformat writes it (four-digit years; strftime's %Y may write fewer).
    text = as_utc(moment).replace(tzinfo=None).isoformat(" ", "microseconds").rstrip("0")
    return text.rstrip(".")


def _keyset_page(
    matching: sa.Select[Any], ordering: Ordering, after: Position | None, limit: int
) -> sa.Select[Any]:
    """The first `limit` matching records after position, in the ordering, ties by id.

    The page is cut into parts that follow each other in the ordering: the rest of the ties
    of the last sort value, then the records beyond it, then (for LAST_ATTEMPT_AT) the
    records never attempted, which come last in both directions. Each part is an index range
    scan that stops after `limit` rows, so a deep page costs what the first page costs, even
    where millions of records share a sort value (a row-value comparison would make SQLite
    walk every tie before the position).
    """
    column = campaign_audience.c[ordering.field.value]
    descending = ordering.direction is Direction.DESC

    def beyond(key: sa.ColumnElement[Any], bound: Any) -> sa.ColumnElement[bool]:
        return key < bound if descending else key > bound  # type: ignore[no-any-return]

    parts: list[tuple[sa.Select[Any], list[sa.ColumnElement[Any]]]] = []
    if ordering.field is OrderField.ID:
        ids = matching if after is None else matching.where(beyond(audience.id, after.id))
        parts.append((ids, [audience.id]))
    else:
        nullable = ordering.field is OrderField.LAST_ATTEMPT_AT
        valued = matching.where(column.is_not(None)) if nullable else matching
        if after is None:
            parts.append((valued, [column, audience.id]))
        elif after.value is not None:
            ties = valued.where(column == after.value, beyond(audience.id, after.id))
            parts += [
                (ties, [audience.id]),
                (valued.where(beyond(column, after.value)), [column, audience.id]),
            ]
        if nullable:
            never = matching.where(column.is_(None))
            if after is not None and after.value is None:
                never = never.where(beyond(audience.id, after.id))
            parts.append((never, [audience.id]))

    def in_order(*columns: sa.ColumnElement[Any]) -> list[sa.UnaryExpression[Any]]:
        return [c.desc() if descending else c.asc() for c in columns]

    if len(parts) == 1:
        part, key = parts[0]
        return part.order_by(*in_order(*key)).limit(limit)
    subqueries = [
        part.add_columns(sa.literal(rank).label("part"))
        .order_by(*in_order(*key))
        .limit(limit)
        .subquery()
        for rank, (part, key) in enumerate(parts)
    ]
    both = sa.union_all(*(sa.select(q) for q in subqueries)).subquery()
    return (
        sa.select(*(both.c[column.name] for column in campaign_audience.c))
        .order_by(both.c.part, *in_order(both.c[column.name], both.c.id))
        .limit(limit)
    )
