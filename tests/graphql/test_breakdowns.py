"""Breakdowns (Campaign.audienceBreakdown, campaignAudienceBreakdown) against the reference
model on random data: the groups, their order, their sum and each group narrowed by filter;
bounds, NOT_FOUND and one statement for many campaigns."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.ext.asyncio import AsyncEngine

from app import loaders
from app.breakdowns import Dimension
from app.routes import BREAKDOWN_PATH
from tests import reference
from tests.api import error_codes, graphql, rest_filter
from tests.conftest import StatementLog, clear
from tests.factories import add_audience, add_campaign, add_workspace, audience_row
from tests.test_breakdowns import ZONES

STATS_FIELDS = "totalAudience coverage totalAttempt totalDuration successfulCalls"
KEY_FIELDS = (
    "groupedBy status callStatus firstStatus lastStatus attempt lastDisposition "
    "lastAttemptHour lastAttemptDay lastAttemptBefore"
)
BREAKDOWN = f"""
query Breakdown(
  $id: Int!, $by: [AudienceDimension!]!, $filter: AudienceFilter, $zone: String! = "UTC"
) {{
  campaign(id: $id) {{
    audienceStats(filter: $filter) {{ {STATS_FIELDS} }}
    audienceBreakdown(by: $by, filter: $filter, timeZone: $zone) {{
      {KEY_FIELDS} stats {{ {STATS_FIELDS} }}
    }}
  }}
  campaignAudienceBreakdown(campaignId: $id, by: $by, filter: $filter, timeZone: $zone) {{
    {KEY_FIELDS} stats {{ {STATS_FIELDS} }}
  }}
}}
"""
STATS = f"""
query Stats($id: Int!, $filter: AudienceFilter) {{
  campaignAudienceStats(campaignId: $id, filter: $filter) {{ {STATS_FIELDS} }}
}}
"""
# The GraphQL key field of each dimension, and the filter field that narrows to its value.
KEY_FIELD = {
    Dimension.STATUS: "status",
    Dimension.CALL_STATUS: "callStatus",
    Dimension.FIRST_STATUS: "firstStatus",
    Dimension.LAST_STATUS: "lastStatus",
    Dimension.ATTEMPT: "attempt",
    Dimension.LAST_DISPOSITION: "lastDisposition",
    Dimension.LAST_ATTEMPT_HOUR: "lastAttemptHour",
    Dimension.LAST_ATTEMPT_DAY: "lastAttemptDay",
}
# The AudienceNullableField that lists a dimension's null group.
NULLABLE = {
    Dimension.CALL_STATUS: "CALL_STATUS",
    Dimension.FIRST_STATUS: "FIRST_STATUS",
    Dimension.LAST_STATUS: "LAST_STATUS",
    Dimension.LAST_DISPOSITION: "LAST_DISPOSITION",
    Dimension.LAST_ATTEMPT_HOUR: "LAST_ATTEMPT_AT",
    Dimension.LAST_ATTEMPT_DAY: "LAST_ATTEMPT_AT",
}

STATUS_NAMES = {code: name for name, code in reference.AUDIENCE_STATUS_CODES.items()}
TEXTS = (None, "BUSY", "COMPLETED", "ANSWER", "NO_ANSWER", "")
HYPOTHESIS = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@st.composite
def moments(draw: st.DrawFn, zone: str) -> datetime | None:
    """Last attempts: none, or near one of the zone's clock changes of 2026 (mostly within
    hours of it), or on a day far from any."""
    near = reference.clock_changes(ZoneInfo(zone), 2026) or [datetime(2026, 6, 15, tzinfo=UTC)]
    change = draw(st.none() | st.sampled_from(near))
    if change is None:
        return None
    minutes = draw(st.integers(-180, 180) | st.integers(-36 * 60, 36 * 60))
    return change + timedelta(minutes=minutes, microseconds=draw(st.sampled_from([0, 1, -1])))


def rows_of_campaign(zone: str) -> st.SearchStrategy[list[dict[str, Any]]]:
    return st.lists(
        st.fixed_dictionaries(
            {
                "status": st.integers(0, 3),
                "call_status": st.sampled_from(TEXTS),
                "first_status": st.sampled_from(TEXTS),
                "last_status": st.sampled_from(TEXTS),
                "attempt": st.integers(0, 3),
                "duration": st.integers(0, 600),
                "last_disposition": st.sampled_from((None, "Interested", "Callback", "")),
                "last_attempt_at": moments(zone),
            }
        ),
        max_size=30,
    )


filters = st.sampled_from(
    [
        None,
        {"status": ["COMPLETED", "INQUEUE"]},
        {"callStatus": ["busy", "ANSWER"], "attempt": [1, 2]},
        {"mobileNo": "555-00"},
        {"isNull": ["CALL_STATUS", "LAST_DISPOSITION"]},
        {"callStatus": ["BUSY"], "isNull": ["CALL_STATUS", "LAST_ATTEMPT_AT"]},
        {"lastDisposition": ["Interested"], "lastStatus": ["ANSWER"]},
        {"lastAttemptAt": {"from": "2026-03-08T05:30:00Z", "to": "2026-10-25T01:10:00+01:00"}},
        {"lastAttemptAt": {"to": "2026-04-05"}, "isNull": ["LAST_ATTEMPT_AT"]},
    ]
)
dimension_lists = st.lists(
    st.sampled_from(list(Dimension)), min_size=1, max_size=3, unique=True
).filter(lambda by: sum(d.is_time for d in by) <= 1)


def _key_value(dimension: Dimension, value: Any, zone: str) -> Any:
    if value is None:
        return None
    if dimension.is_time:  # the bucket's start, shown with the zone's offset
        return value[0].astimezone(ZoneInfo(zone)).isoformat()
    return STATUS_NAMES[value] if dimension is Dimension.STATUS else value


def _sorted(found: dict[tuple[Any, ...], Any]) -> list[tuple[Any, ...]]:
    return sorted(found, key=lambda key: [(v is None, 0 if v is None else v) for v in key])


def _until(by: list[Dimension], key: tuple[Any, ...], zone: str) -> str | None:
    for dimension, value in zip(by, key, strict=True):
        if dimension.is_time and value is not None:
            return value[1].astimezone(ZoneInfo(zone)).isoformat()
    return None


def expected_groups(
    rows: list[dict[str, Any]],
    audience_filter: dict[str, Any] | None,
    by: list[Dimension],
    zone: str,
) -> list[dict[str, Any]]:
    """The breakdown as the README specifies it, from the rows alone."""
    found = reference.breakdown(rows, audience_filter, [d.value for d in by], zone)
    groups = []
    for key in _sorted(found):
        values = dict.fromkeys(KEY_FIELD.values())
        values.update({KEY_FIELD[d]: _key_value(d, v, zone) for d, v in zip(by, key, strict=True)})
        groups.append(
            {
                "groupedBy": [d.name for d in by],
                **values,
                "lastAttemptBefore": _until(by, key, zone),
                "stats": reference.graphql_stats(found[key]),
            }
        )
    return groups


def _exact(groups: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{**g, "stats": reference.exact_coverage(g["stats"])} for g in groups]


def narrowed(
    audience_filter: dict[str, Any] | None, by: list[Dimension], group: dict[str, Any]
) -> dict[str, Any]:
    """The filter narrowed to the group's key, as a dashboard drills down into a bar."""
    narrow = dict(audience_filter or {})
    for dimension in by:
        value = group[KEY_FIELD[dimension]]
        if dimension in NULLABLE:  # the group's value alone, not also none
            others = [f for f in narrow.get("isNull", []) if f != NULLABLE[dimension]]
            narrow["isNull"] = others
        if value is None:  # the null group: no value, and no listed value either
            narrow["isNull"] = [*narrow.get("isNull", []), NULLABLE[dimension]]
            field = "lastAttemptAt" if dimension.is_time else KEY_FIELD[dimension]
            narrow.pop(field, None)
        elif dimension.is_time:  # the bucket, within the filter's own range
            within = narrow.get("lastAttemptAt") or {}
            starts = [reference.instant(t) for t in (value, within.get("from")) if t]
            ends = [
                reference.instant(t) for t in (group["lastAttemptBefore"], within.get("to")) if t
            ]
            narrow["lastAttemptAt"] = {"from": max(starts).isoformat(), "to": min(ends).isoformat()}
        else:
            narrow[KEY_FIELD[dimension]] = [value]
    return narrow


async def _seed(engine: AsyncEngine, rows: list[dict[str, Any]]) -> tuple[str, list[dict]]:
    await clear(engine)
    token = await add_workspace(engine, 1)
    await add_workspace(engine, 2)
    await add_campaign(engine, 1, 1)
    await add_campaign(engine, 2, 2)  # another workspace's, with the same kind of rows
    stored = [audience_row(n + 1, 1, **row) for n, row in enumerate(rows)]
    stored += [audience_row(1000 + n, 2, **row) for n, row in enumerate(rows)]
    await add_audience(engine, stored)
    return token, [row for row in stored if row["campaign_id"] == 1]


@HYPOTHESIS
@given(
    zone_and_rows=st.sampled_from(ZONES).flatmap(
        lambda zone: st.tuples(st.just(zone), rows_of_campaign(zone))
    ),
    audience_filter=filters,
    by=dimension_lists,
)
async def test_a_breakdown_is_the_reference_groups_in_order(
    engine: AsyncEngine,
    client: httpx.AsyncClient,
    zone_and_rows: tuple[str, list[dict[str, Any]]],
    audience_filter: dict[str, Any] | None,
    by: list[Dimension],
) -> None:
    zone, rows = zone_and_rows
    token, own = await _seed(engine, rows)
    variables = {"id": 1, "by": [d.name for d in by], "filter": audience_filter, "zone": zone}
    body = await graphql(client, BREAKDOWN, variables, token=token)
    assert "errors" not in body, body
    groups = body["data"]["campaign"]["audienceBreakdown"]
    want = expected_groups(own, audience_filter, by, zone)
    assert _exact(groups) == want
    assert _exact(body["data"]["campaignAudienceBreakdown"]) == want

    # The REST twin: the same groups, keys by column, statuses by code, times as text.
    params: list[tuple[str, str]] = [("campaign_id", "1"), ("by", ",".join(d.value for d in by))]
    params += [("time_zone", zone), *rest_filter(audience_filter)]
    response = await client.get(BREAKDOWN_PATH, params=params, headers={"token": token})
    assert response.status_code == 200, response.text
    columns = [d.value for d in by]
    found = reference.breakdown(own, audience_filter, columns, zone)
    timed = any(d.is_time for d in by)
    assert [{**g, "coverage": Decimal(str(g["coverage"]))} for g in response.json()["groups"]] == [
        {
            "key": {
                d.value: _key_value(d, v, zone) if d.is_time else v
                for d, v in zip(by, key, strict=True)
            },
            **({"last_attempt_before": _until(by, key, zone)} if timed else {}),
            **reference.rest_stats(found[key]),
        }
        for key in _sorted(found)
    ]

    # The groups add up to the stats under the same filter.
    stats = body["data"]["campaign"]["audienceStats"]
    for name in ("totalAudience", "successfulCalls"):
        assert sum(g["stats"][name] for g in groups) == stats[name]
    for name in ("totalAttempt", "totalDuration"):
        assert sum(int(g["stats"][name]) for g in groups) == int(stats[name])

    # Each group is the stats under the filter narrowed to its key, null groups and time
    # buckets included: every bar of a chart can be drilled into.
    for group in groups:
        narrow = narrowed(audience_filter, by, group)
        answer = await graphql(client, STATS, {"id": 1, "filter": narrow}, token=token)
        assert answer["data"]["campaignAudienceStats"] == group["stats"], (group, narrow)


async def test_dimensions_are_bounded_and_unknown_campaigns_not_found(
    engine: AsyncEngine, client: httpx.AsyncClient
) -> None:
    token, _ = await _seed(engine, [{"status": 1}])
    for by in ([], ["STATUS", "ATTEMPT", "CALL_STATUS", "LAST_STATUS"], ["STATUS", "STATUS"]):
        body = await graphql(client, BREAKDOWN, {"id": 1, "by": by}, token=token)
        assert set(error_codes(body)) == {"BAD_USER_INPUT"}, (by, body)
        assert all("by" in error["message"] for error in body["errors"])
    # Another workspace's campaign answers like a missing one.
    for campaign_id in (2, 999):
        body = await graphql(client, BREAKDOWN, {"id": campaign_id, "by": ["STATUS"]}, token=token)
        assert body["data"] is None
        assert error_codes(body) == ["NOT_FOUND"]
    # The REST twin: the same rules, in its error shape.
    answers = {}
    for params in (
        {"campaign_id": "1"},
        {"campaign_id": "1", "by": "status,status"},
        {"campaign_id": "1", "by": "colour"},
        {"campaign_id": "2", "by": "status"},
        {"campaign_id": "999", "by": "status"},
    ):
        response = await client.get(BREAKDOWN_PATH, params=params, headers={"token": token})
        answers[str(params)] = (response.status_code, response.json()["error"]["code"])
    assert list(answers.values()) == [(400, "BAD_USER_INPUT")] * 3 + [(404, "NOT_FOUND")] * 2


async def test_more_groups_than_the_bound_is_bad_input(
    engine: AsyncEngine, client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    token, _ = await _seed(engine, [{"attempt": n} for n in range(4)])
    monkeypatch.setattr(loaders, "MAX_GROUPS", 3)
    query = (
        "query($by: [AudienceDimension!]!) { campaign(id: 1) { id "
        "s: audienceBreakdown(by: [STATUS]) { status } "
        "a: audienceBreakdown(by: $by) { attempt } } }"
    )
    body = await graphql(client, query, {"by": ["ATTEMPT"]}, token=token)
    [error] = body["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "4 groups" in error["message"]
    assert error["path"] == ["campaign", "a"]


@pytest.mark.parametrize(
    ("by", "key"),
    [("ATTEMPT", "attempt"), ("LAST_ATTEMPT_DAY", "lastAttemptDay")],
)
async def test_breakdowns_of_many_campaigns_are_one_statement(
    engine: AsyncEngine, client: httpx.AsyncClient, statements: StatementLog, by: str, key: str
) -> None:
    token = await add_workspace(engine, 1)
    rows = []
    for campaign_id in range(1, 6):
        await add_campaign(engine, campaign_id, 1)
        rows += [
            audience_row(
                campaign_id * 10 + n,
                campaign_id,
                attempt=n,
                last_attempt_at=datetime(2026, 3, 7 + n, 12, tzinfo=UTC),
            )
            for n in range(3)
        ]
    await add_audience(engine, rows)
    # Two time zones: the statement groups by UTC quarter-hours, so they share it too.
    query = (
        "{ campaigns(first: 5) { edges { node { id "
        f"utc: audienceBreakdown(by: [{by}]) {{ {key} stats {{ totalAudience }} }} "
        f'ny: audienceBreakdown(by: [{by}], timeZone: "America/New_York") {{ {key} }} '
        "} } } }"
    )
    statements.statements.clear()
    body = await graphql(client, query, token=token)
    edges = body["data"]["campaigns"]["edges"]
    assert [len(e["node"]["utc"]) for e in edges] == [3] * 5
    assert [len(e["node"]["ny"]) for e in edges] == [3] * 5
    grouped = [s for s in statements.statements if "GROUP BY" in s]
    assert len(grouped) == 1, grouped
