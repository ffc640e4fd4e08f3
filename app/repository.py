"""Every query the service reads with (loading.py writes loads). It returns plain frozen
dataclasses, never rows.

Every method runs on a connection of its own, so loaders may call it concurrently.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Generic, TypeVar

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from app import outages, statements
from app.breakdowns import Dimension, Group
from app.filters import AudienceFilter, AudienceStatus
from app.outages import OutageLog
from app.pagination import Direction, OrderField, Ordering, Position
from app.stats import AudienceStats
from app.tables import campaign, campaign_audience
from app.timestamps import as_utc
from app.tokens import hash_token

T = TypeVar("T")

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
        self._outages = OutageLog()
        self._sqlite = engine.dialect.name == "sqlite"
        # Every statement here reads, alone. On PostgreSQL it runs in its own transaction,
        # without the BEGIN and ROLLBACK round trips that the asyncpg dialect wraps each use
        # of a connection in. (SQLite's driver begins none for a read; there, leaving
        # autocommit costs a PRAGMA per use instead.)
        self._engine = (
            engine if self._sqlite else engine.execution_options(isolation_level="AUTOCOMMIT")
        )

    async def workspace_for_token(self, token: str) -> int | None:
        """The workspace of a valid, unrevoked token, else None."""
        return await self.workspace_for_token_hash(hash_token(token))

    async def workspace_for_token_hash(self, token_hash: str) -> int | None:
        """The workspace of a valid, unrevoked token of that digest, else None."""
        async with outages.connection(self._engine, self._outages) as conn:
            workspace_id: int | None = await conn.scalar(
                statements.TOKEN_WORKSPACE, {"token_hash": token_hash}
            )
        return workspace_id

    async def campaigns(self, workspace_id: int, ids: Sequence[int]) -> dict[int, Campaign]:
        """The workspace's campaigns among ids, by id; others are absent."""
        stmt = statements.campaigns(self._sqlite)
        async with outages.connection(self._engine, self._outages) as conn:
            rows = (await conn.execute(stmt, statements.scope(workspace_id, list(ids)))).all()
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
        return {campaign_id: groups[0].stats for campaign_id, groups in found.items() if groups}

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
        Groups without a matching record are absent; each of the workspace's campaigns among
        campaign_ids is a key (with no groups when no record matches), and only those."""
        stmt = statements.breakdown(self._sqlite, statements.shape(audience_filter), tuple(by))
        bound = {
            **statements.scope(workspace_id, list(campaign_ids)),
            **statements.parameters(self._sqlite, audience_filter),
        }
        async with outages.connection(self._engine, self._outages) as conn:
            rows = (await conn.execute(stmt, bound)).all()
        found: dict[int, list[Group]] = {}
        for row in rows:
            campaign_id, *key = row[: 1 + len(by)]
            records, attempts, duration, successful = row[1 + len(by) :]
            groups = found.setdefault(campaign_id, [])  # a campaign of the workspace
            # No records: the campaign's own row, or a group of the rollup that PostgreSQL's
            # deltas have emptied.
            if records:
                stats = AudienceStats(int(records), int(attempts), int(duration), int(successful))
                key = [
                    self._quarter_hour(value) if dimension.is_time and value is not None else value
                    for dimension, value in zip(by, key, strict=True)
                ]
                groups.append(Group(tuple(key), stats))
        return found

    def _quarter_hour(self, value: Any) -> datetime:
        """The start of a time bucket's quarter-hour, as the statement spells it, in UTC."""
        if self._sqlite:
            seconds = int(value) * statements.QUARTER_SECONDS - statements.YEAR_0_SECONDS
            return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(seconds=seconds)
        return as_utc(value)

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
            *statements.matching(self._sqlite, statements.shape(audience_filter))
        )
        stmt = _keyset_page(matching, ordering, after, first + 1)
        bound = self._matching_values(workspace_id, campaign_id, audience_filter)
        async with outages.connection(self._engine, self._outages) as conn:
            rows = (await conn.execute(stmt, bound)).all()
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
            .where(*statements.matching(self._sqlite, statements.shape(audience_filter)))
            .order_by(audience.id)
            .limit(limit)
            .offset(offset)
            .subquery()
        )
        stmt = sa.select(campaign_audience).join(ids, ids.c.id == audience.id).order_by(audience.id)
        bound = self._matching_values(workspace_id, campaign_id, audience_filter)
        async with outages.connection(self._engine, self._outages) as conn:
            rows = (await conn.execute(stmt, bound)).all()
        return [AudienceRecord(**row._mapping) for row in rows]

    def _matching_values(
        self, workspace_id: int, campaign_id: int, audience_filter: AudienceFilter
    ) -> dict[str, Any]:
        """The values of statements.matching."""
        return {
            "workspace_id": workspace_id,
            "campaign_id": campaign_id,
            **statements.parameters(self._sqlite, audience_filter),
        }


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
