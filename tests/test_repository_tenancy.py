"""Tenancy where it is enforced: every read of the repository scoped by a workspace returns
that workspace's campaigns and their audience, and nothing of another workspace's campaign.

The API tests check a campaign's workspace beside its stats, so they stay green without the
scoping clauses of the repository's statements; these tests call the repository itself. Each
compares with expectations computed from the rows inserted (tests/reference.py for the filter
and the stats), never with the repository's own output, and also checks that the workspace
asked about gets its own data, so that an empty answer cannot pass.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.ext.asyncio import AsyncEngine

from app.breakdowns import Dimension
from app.filters import AudienceFilter
from app.pagination import Direction, OrderField, Ordering, Position
from app.repository import Repository
from tests import reference
from tests.conftest import clear
from tests.factories import CREATED_AT, add_audience, add_campaign, add_workspace, audience_row

# The repository's reads scoped by workspace, each tested here.
SCOPED_READS = {
    "stats",
    "breakdown",
    "audience_page",
    "audience_slice",
    "campaigns",
    "campaign_page",
    "campaign_count",
}
# No campaign ever has this id.
MISSING_CAMPAIGN_ID = 999
# Workspace 3 exists and has no campaigns.
EMPTY_WORKSPACE = 3

HYPOTHESIS = settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@dataclass(frozen=True)
class Scenario:
    campaigns: dict[int, int]  # campaign id -> workspace id
    rows: list[dict[str, Any]]
    audience_filter: dict[str, Any]  # as GraphQL's AudienceFilter input, for tests/reference.py

    def own(self, workspace_id: int) -> list[int]:
        return sorted(c for c, w in self.campaigns.items() if w == workspace_id)

    def foreign(self, workspace_id: int) -> list[int]:
        return sorted(c for c, w in self.campaigns.items() if w != workspace_id)

    def rows_of(self, campaign_id: int) -> list[dict[str, Any]]:
        return [row for row in self.rows if row["campaign_id"] == campaign_id]

    def matching(self, campaign_id: int) -> list[dict[str, Any]]:
        return [r for r in self.rows_of(campaign_id) if reference.matches(r, self.audience_filter)]

    @property
    def workspaces(self) -> list[int]:
        return sorted(set(self.campaigns.values()))


def domain_filter(audience_filter: dict[str, Any]) -> AudienceFilter:
    """The repository's filter for a GraphQL-style filter dict (its input, not its answer)."""
    return AudienceFilter.parse(
        mobile_no=audience_filter.get("mobileNo"),
        status=[reference.AUDIENCE_STATUS_CODES[s] for s in audience_filter.get("status", [])],
        call_status=audience_filter.get("callStatus"),
        first_status=audience_filter.get("firstStatus"),
        last_status=audience_filter.get("lastStatus"),
        attempt=audience_filter.get("attempt"),
    )


def expected_order(rows: list[dict[str, Any]], ordering: Ordering) -> list[int]:
    """Record ids in the contract's order: by the field, NULLs last, ties by id, one direction."""
    column = ordering.field.value
    descending = ordering.direction is Direction.DESC
    valued = [row for row in rows if row[column] is not None]
    never = [row for row in rows if row[column] is None]
    valued.sort(key=lambda row: (row[column], row["id"]), reverse=descending)
    never.sort(key=lambda row: row["id"], reverse=descending)
    return [row["id"] for row in valued + never]


async def load(engine: AsyncEngine, scenario: Scenario) -> Repository:
    await clear(engine)
    for workspace_id in (1, 2, EMPTY_WORKSPACE):
        await add_workspace(engine, workspace_id)
    for campaign_id, workspace_id in scenario.campaigns.items():
        await add_campaign(engine, campaign_id, workspace_id)
    await add_audience(engine, scenario.rows)
    return Repository(engine)


# A fixed scenario: campaigns of the two workspaces interleave by id, and every campaign has
# records that match the filter, so a missing scope shows in every read.
FIXED_CAMPAIGNS = {1: 1, 2: 2, 3: 1, 4: 2, 5: 1}
# Filters with and without a number: a read may take another way for each (the stats of a
# filter without one may come from a rollup rather than from the records).
FIXED_FILTERS: tuple[dict[str, Any], ...] = (
    {"status": ["COMPLETED", "HALTED"]},
    {"mobileNo": "(202) 555", "attempt": [1, 2, 3]},
    {},
)


def _fixed_rows() -> list[dict[str, Any]]:
    rows = []
    for campaign_id in FIXED_CAMPAIGNS:
        for i in range(campaign_id + 3):
            record_id = campaign_id * 100 + i
            rows.append(
                audience_row(
                    record_id,
                    campaign_id,
                    status=i % 3,
                    call_status=("COMPLETED", "BUSY", None)[i % 3],
                    attempt=i % 4,
                    duration=10 * campaign_id + i,
                    last_attempt_at=None if i % 5 == 4 else CREATED_AT + timedelta(minutes=i % 2),
                )
            )
    return rows


FIXED = Scenario(FIXED_CAMPAIGNS, _fixed_rows(), FIXED_FILTERS[0])


# Checks, one per scoped read; each returns what it saw of the workspace's own data.


async def check_stats(repository: Repository, scenario: Scenario, workspace_id: int) -> int:
    everything = [*scenario.campaigns, MISSING_CAMPAIGN_ID]
    found = await repository.stats(
        workspace_id=workspace_id,
        campaign_ids=everything,
        audience_filter=domain_filter(scenario.audience_filter),
    )
    expected = {
        c: reference.stats(scenario.rows_of(c), scenario.audience_filter)
        for c in scenario.own(workspace_id)
        if scenario.matching(c)
    }
    got = {
        c: (s.total_audience, s.total_attempt, s.total_duration, s.successful_calls, s.coverage)
        for c, s in found.items()
    }
    want = {
        c: (s.total_audience, s.total_attempt, s.total_duration, s.successful_calls, s.coverage)
        for c, s in expected.items()
    }
    foreign = scenario.foreign(workspace_id)
    assert got == want, f"workspace {workspace_id}; campaigns of other workspaces: {foreign}"

    only_foreign = await repository.stats(
        workspace_id=workspace_id,
        campaign_ids=foreign,
        audience_filter=domain_filter({}),
    )
    assert only_foreign == {}
    return len(found)


# From the rollup, and from the records (a disposition is not in the rollup's key).
BREAKDOWNS_BY = (
    (Dimension.STATUS, Dimension.CALL_STATUS, Dimension.ATTEMPT),
    (Dimension.LAST_DISPOSITION, Dimension.STATUS),
)


async def check_breakdown(repository: Repository, scenario: Scenario, workspace_id: int) -> int:
    everything = [*scenario.campaigns, MISSING_CAMPAIGN_ID]
    audience_filter = domain_filter(scenario.audience_filter)
    seen = 0
    for by in BREAKDOWNS_BY:
        found = await repository.breakdown(workspace_id, everything, audience_filter, by)
        columns = [dimension.value for dimension in by]
        # Each own campaign asked for is there, without groups when no record matches.
        want = {
            c: reference.breakdown(scenario.rows_of(c), scenario.audience_filter, columns)
            for c in scenario.own(workspace_id)
        }
        got = {
            c: {
                group.key: reference.Stats(
                    total_audience=group.stats.total_audience,
                    coverage=group.stats.coverage,
                    total_attempt=group.stats.total_attempt,
                    total_duration=group.stats.total_duration,
                    successful_calls=group.stats.successful_calls,
                )
                for group in groups
            }
            for c, groups in found.items()
        }
        foreign = scenario.foreign(workspace_id)
        assert got == want, f"workspace {workspace_id} by {by}; other workspaces': {foreign}"
        assert await repository.breakdown(workspace_id, foreign, domain_filter({}), by) == {}
        seen += len(found)
    return seen


async def walk_audience(
    repository: Repository,
    workspace_id: int,
    campaign_id: int,
    audience_filter: AudienceFilter,
    ordering: Ordering,
    first: int,
) -> list[int]:
    """Every record of the pages from the first on, as ids."""
    ids: list[int] = []
    after: Position | None = None
    while True:
        page = await repository.audience_page(
            workspace_id=workspace_id,
            campaign_id=campaign_id,
            audience_filter=audience_filter,
            ordering=ordering,
            first=first,
            after=after,
        )
        ids += [record.id for record in page.items]
        assert all(record.campaign_id == campaign_id for record in page.items)
        if not page.has_next:
            return ids
        assert page.items
        last = page.items[-1]
        after = Position(getattr(last, ordering.field.value), last.id)


async def check_audience_page(
    repository: Repository,
    scenario: Scenario,
    workspace_id: int,
    ordering: Ordering | None = None,
    first: int = 2,
) -> int:
    ordering = ordering or Ordering()
    audience_filter = domain_filter(scenario.audience_filter)
    seen = 0
    for campaign_id in scenario.own(workspace_id):
        ids = await walk_audience(
            repository, workspace_id, campaign_id, audience_filter, ordering, first
        )
        assert ids == expected_order(scenario.matching(campaign_id), ordering)
        seen += len(ids)
    # A first page, and pages after positions that records follow, each part of a keyset page.
    pages = (
        (ordering, None),
        (Ordering(OrderField.ID), Position(0, 0)),
        (Ordering(OrderField.ATTEMPT), Position(0, 0)),  # ties, then greater attempts
        (Ordering(OrderField.LAST_ATTEMPT_AT), Position(CREATED_AT, 0)),  # ties, later, never
        (Ordering(OrderField.LAST_ATTEMPT_AT), Position(None, 0)),  # the never attempted
    )
    for campaign_id in [*scenario.foreign(workspace_id), MISSING_CAMPAIGN_ID]:
        for page_ordering, after in pages:
            page = await repository.audience_page(
                workspace_id=workspace_id,
                campaign_id=campaign_id,
                audience_filter=audience_filter,
                ordering=page_ordering,
                first=100,
                after=after,
            )
            assert page.items == [], f"workspace {workspace_id} sees campaign {campaign_id}"
            assert page.has_next is False
    return seen


async def check_audience_slice(
    repository: Repository, scenario: Scenario, workspace_id: int, limit: int = 2
) -> int:
    audience_filter = domain_filter(scenario.audience_filter)

    async def walk(campaign_id: int) -> list[int]:
        ids: list[int] = []
        while True:
            records = await repository.audience_slice(
                workspace_id=workspace_id,
                campaign_id=campaign_id,
                audience_filter=audience_filter,
                limit=limit,
                offset=len(ids),
            )
            assert all(record.campaign_id == campaign_id for record in records)
            ids += [record.id for record in records]
            if len(records) < limit:
                return ids

    seen = 0
    for campaign_id in scenario.own(workspace_id):
        ids = await walk(campaign_id)
        assert ids == sorted(row["id"] for row in scenario.matching(campaign_id))
        seen += len(ids)
    for campaign_id in [*scenario.foreign(workspace_id), MISSING_CAMPAIGN_ID]:
        assert await walk(campaign_id) == [], f"workspace {workspace_id} sees {campaign_id}"
    return seen


async def check_campaigns(repository: Repository, scenario: Scenario, workspace_id: int) -> int:
    found = await repository.campaigns(
        workspace_id=workspace_id, ids=[*scenario.campaigns, MISSING_CAMPAIGN_ID]
    )
    assert sorted(found) == scenario.own(workspace_id)
    for campaign_id, campaign in found.items():
        assert (campaign.id, campaign.workspace_id) == (campaign_id, workspace_id)
        assert campaign.name == f"Campaign {campaign_id}"
    only_foreign = await repository.campaigns(
        workspace_id=workspace_id, ids=scenario.foreign(workspace_id)
    )
    assert only_foreign == {}
    return len(found)


async def check_campaign_page(
    repository: Repository, scenario: Scenario, workspace_id: int, first: int = 2
) -> int:
    own = scenario.own(workspace_id)
    ids: list[int] = []
    after: int | None = None
    while True:
        page = await repository.campaign_page(workspace_id=workspace_id, first=first, after=after)
        assert all(campaign.workspace_id == workspace_id for campaign in page.items)
        ids += [campaign.id for campaign in page.items]
        if not page.has_next:
            break
        assert page.items
        after = page.items[-1].id
    assert ids == own
    # After the position of each campaign, own or foreign: the own ones beyond it.
    for position in scenario.campaigns:
        page = await repository.campaign_page(workspace_id=workspace_id, first=100, after=position)
        assert [campaign.id for campaign in page.items] == [c for c in own if c > position]
        assert page.has_next is False
    return len(ids)


async def check_campaign_count(
    repository: Repository, scenario: Scenario, workspace_id: int
) -> int:
    count = await repository.campaign_count(workspace_id=workspace_id)
    assert count == len(scenario.own(workspace_id))
    return count


CHECKS = {
    "stats": check_stats,
    "breakdown": check_breakdown,
    "audience_page": check_audience_page,
    "audience_slice": check_audience_slice,
    "campaigns": check_campaigns,
    "campaign_page": check_campaign_page,
    "campaign_count": check_campaign_count,
}


def test_every_read_scoped_by_workspace_is_tested_here() -> None:
    scoped = {
        name
        for name, method in inspect.getmembers(Repository, inspect.isfunction)
        if not name.startswith("_") and "workspace_id" in inspect.signature(method).parameters
    }
    assert scoped == SCOPED_READS == set(CHECKS), "a read scoped by workspace needs a check here"


@pytest.mark.parametrize("read", sorted(SCOPED_READS))
async def test_a_workspace_reads_only_its_own_campaigns(engine: AsyncEngine, read: str) -> None:
    repository = await load(engine, FIXED)
    check = CHECKS[read]
    for audience_filter in FIXED_FILTERS:
        scenario = replace(FIXED, audience_filter=audience_filter)
        # Both workspaces see their own data: the checks cannot pass on empty answers.
        assert await check(repository, scenario, 1) > 0
        assert await check(repository, scenario, 2) > 0
        # A workspace without campaigns sees nothing at all.
        assert await check(repository, scenario, EMPTY_WORKSPACE) == 0


# Random data: campaigns spread over two workspaces, random records, filters and orderings.

MOBILE_NUMBERS = ("+12025550101", "+12025550199", "+442071234567", "+12025551%_1")
CALL_STATUSES = ("COMPLETED", "ANSWER", "BUSY", "NO_ANSWER", "RINGING")
STATUS_NAMES = tuple(reference.AUDIENCE_STATUS_CODES)

row_values = st.fixed_dictionaries(
    {
        "mobile_no": st.sampled_from(MOBILE_NUMBERS),
        "status": st.integers(0, 3),
        "call_status": st.none() | st.sampled_from(CALL_STATUSES),
        "first_status": st.none() | st.sampled_from(CALL_STATUSES),
        "last_status": st.none() | st.sampled_from(CALL_STATUSES),
        "attempt": st.integers(0, 3),
        "duration": st.integers(0, 50) | st.just(2**31 - 1),
        "last_attempt_at": st.none()
        | st.integers(0, 3).map(lambda minutes: CREATED_AT + timedelta(minutes=minutes)),
    }
)


@st.composite
def audience_filters(draw: st.DrawFn) -> dict[str, Any]:
    """A filter of a few fields, mostly of values that records have."""
    fields: dict[str, st.SearchStrategy[Any]] = {
        "mobileNo": st.sampled_from(("202", "555019", "44", "1%_", "(202) 555")),
        "status": st.lists(st.sampled_from(STATUS_NAMES), min_size=1, max_size=3),
        "callStatus": st.lists(st.sampled_from(CALL_STATUSES), min_size=1, max_size=3),
        "firstStatus": st.lists(st.sampled_from(CALL_STATUSES), min_size=1, max_size=3),
        "lastStatus": st.lists(st.sampled_from(CALL_STATUSES), min_size=1, max_size=3),
        "attempt": st.lists(st.integers(0, 3), min_size=1, max_size=3),
    }
    names = draw(st.lists(st.sampled_from(sorted(fields)), max_size=2, unique=True))
    return {name: draw(fields[name]) for name in names}


@st.composite
def scenarios(draw: st.DrawFn) -> Scenario:
    # Both workspaces have campaigns; ids are drawn so that the two interleave.
    workspaces = draw(st.lists(st.sampled_from((1, 2)), min_size=2, max_size=6))
    workspaces[:2] = [1, 2]
    order = draw(st.permutations(range(1, len(workspaces) + 1)))
    campaigns = dict(zip(order, workspaces, strict=True))
    rows = []
    for campaign_id in sorted(campaigns):
        for values in draw(st.lists(row_values, min_size=1, max_size=8)):
            rows.append(audience_row(len(rows) + 1, campaign_id, **values))
    return Scenario(campaigns, rows, draw(audience_filters()))


orderings = st.builds(Ordering, st.sampled_from(list(OrderField)), st.sampled_from(list(Direction)))


@HYPOTHESIS
@given(scenario=scenarios())
async def test_stats_of_random_rows_are_the_own_workspaces(
    engine: AsyncEngine, scenario: Scenario
) -> None:
    repository = await load(engine, scenario)
    # The filter drawn, and with a number as well (unless it has one): see FIXED_FILTERS.
    with_number = {"mobileNo": "202", **scenario.audience_filter}
    for audience_filter in (scenario.audience_filter, with_number):
        for workspace_id in scenario.workspaces:
            narrowed = replace(scenario, audience_filter=audience_filter)
            await check_stats(repository, narrowed, workspace_id)
            await check_breakdown(repository, narrowed, workspace_id)


@HYPOTHESIS
@given(scenario=scenarios(), ordering=orderings, first=st.integers(1, 4))
async def test_audience_pages_and_slices_of_random_rows_are_the_own_workspaces(
    engine: AsyncEngine, scenario: Scenario, ordering: Ordering, first: int
) -> None:
    repository = await load(engine, scenario)
    for workspace_id in scenario.workspaces:
        await check_audience_page(repository, scenario, workspace_id, ordering, first)
        await check_audience_slice(repository, scenario, workspace_id, first)


@HYPOTHESIS
@given(scenario=scenarios(), first=st.integers(1, 3))
async def test_campaign_reads_of_random_campaigns_are_the_own_workspaces(
    engine: AsyncEngine, scenario: Scenario, first: int
) -> None:
    repository = await load(engine, scenario)
    for workspace_id in (*scenario.workspaces, EMPTY_WORKSPACE):
        assert await check_campaigns(repository, scenario, workspace_id) == len(
            scenario.own(workspace_id)
        )
        await check_campaign_page(repository, scenario, workspace_id, first)
        await check_campaign_count(repository, scenario, workspace_id)
