"""Breakdowns (Campaign.audienceBreakdown, campaignAudienceBreakdown) against the reference
model on random data: the groups, their order, their sum and each group narrowed by filter;
bounds, NOT_FOUND and one statement for many campaigns."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

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

STATS_FIELDS = "totalAudience coverage totalAttempt totalDuration successfulCalls"
KEY_FIELDS = "groupedBy status callStatus firstStatus lastStatus attempt lastDisposition"
BREAKDOWN = f"""
query Breakdown($id: Int!, $by: [AudienceDimension!]!, $filter: AudienceFilter) {{
  campaign(id: $id) {{
    audienceStats(filter: $filter) {{ {STATS_FIELDS} }}
    audienceBreakdown(by: $by, filter: $filter) {{ {KEY_FIELDS} stats {{ {STATS_FIELDS} }} }}
  }}
  campaignAudienceBreakdown(campaignId: $id, by: $by, filter: $filter) {{
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
}
STATUS_NAMES = {code: name for name, code in reference.AUDIENCE_STATUS_CODES.items()}
TEXTS = (None, "BUSY", "COMPLETED", "ANSWER", "NO_ANSWER", "")
HYPOTHESIS = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

rows_of_campaign = st.lists(
    st.fixed_dictionaries(
        {
            "status": st.integers(0, 3),
            "call_status": st.sampled_from(TEXTS),
            "first_status": st.sampled_from(TEXTS),
            "last_status": st.sampled_from(TEXTS),
            "attempt": st.integers(0, 3),
            "duration": st.integers(0, 600),
            "last_disposition": st.sampled_from((None, "Interested", "Callback", "")),
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
    ]
)
dimension_lists = st.lists(st.sampled_from(list(Dimension)), min_size=1, max_size=3, unique=True)


def _key_value(dimension: Dimension, value: Any) -> Any:
    return STATUS_NAMES[value] if dimension is Dimension.STATUS and value is not None else value


def expected_groups(
    rows: list[dict[str, Any]], audience_filter: dict[str, Any] | None, by: list[Dimension]
) -> list[dict[str, Any]]:
    """The breakdown as the README specifies it, from the rows alone."""
    found = reference.breakdown(rows, audience_filter, [d.value for d in by])
    order = sorted(found, key=lambda key: [(v is None, 0 if v is None else v) for v in key])
    groups = []
    for key in order:
        values = dict.fromkeys(KEY_FIELD.values())
        values.update({KEY_FIELD[d]: _key_value(d, v) for d, v in zip(by, key, strict=True)})
        groups.append(
            {
                "groupedBy": [d.name for d in by],
                **values,
                "stats": reference.graphql_stats(found[key]),
            }
        )
    return groups


def _exact(groups: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{**g, "stats": reference.exact_coverage(g["stats"])} for g in groups]


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
@given(rows=rows_of_campaign, audience_filter=filters, by=dimension_lists)
async def test_a_breakdown_is_the_reference_groups_in_order(
    engine: AsyncEngine,
    client: httpx.AsyncClient,
    rows: list[dict[str, Any]],
    audience_filter: dict[str, Any] | None,
    by: list[Dimension],
) -> None:
    token, own = await _seed(engine, rows)
    variables = {"id": 1, "by": [d.name for d in by], "filter": audience_filter}
    body = await graphql(client, BREAKDOWN, variables, token=token)
    assert "errors" not in body, body
    groups = body["data"]["campaign"]["audienceBreakdown"]
    want = expected_groups(own, audience_filter, by)
    assert _exact(groups) == want
    assert _exact(body["data"]["campaignAudienceBreakdown"]) == want

    # The REST twin: the same groups, keys by column, statuses by code.
    params: list[tuple[str, str]] = [("campaign_id", "1"), ("by", ",".join(d.value for d in by))]
    params += rest_filter(audience_filter)
    response = await client.get(BREAKDOWN_PATH, params=params, headers={"token": token})
    assert response.status_code == 200, response.text
    columns = [d.value for d in by]
    found = reference.breakdown(own, audience_filter, columns)
    assert [{**g, "coverage": Decimal(str(g["coverage"]))} for g in response.json()["groups"]] == [
        {"key": dict(zip(columns, key, strict=True)), **reference.rest_stats(found[key])}
        for key in sorted(found, key=lambda k: [(v is None, 0 if v is None else v) for v in k])
    ]

    # The groups add up to the stats under the same filter.
    stats = body["data"]["campaign"]["audienceStats"]
    for name in ("totalAudience", "successfulCalls"):
        assert sum(g["stats"][name] for g in groups) == stats[name]
    for name in ("totalAttempt", "totalDuration"):
        assert sum(int(g["stats"][name]) for g in groups) == int(stats[name])

    # Each group is the stats under the filter narrowed to its key. A filter cannot ask for a
    # NULL status yet, nor for a blank one (a blank value carries no constraint), nor for a
    # disposition.
    for group in groups:
        narrowed = dict(audience_filter or {})
        keys = {KEY_FIELD[d]: group[KEY_FIELD[d]] for d in by}
        if None in keys.values() or "" in keys.values() or "lastDisposition" in keys:
            continue
        for field, value in keys.items():
            if field in narrowed and value not in narrowed[field]:
                break  # outside the filter: cannot happen, the group would be empty
            narrowed[field] = [value]
        answer = await graphql(client, STATS, {"id": 1, "filter": narrowed}, token=token)
        assert answer["data"]["campaignAudienceStats"] == group["stats"], (group, narrowed)


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


async def test_breakdowns_of_many_campaigns_are_one_statement(
    engine: AsyncEngine, client: httpx.AsyncClient, statements: StatementLog
) -> None:
    token = await add_workspace(engine, 1)
    rows = []
    for campaign_id in range(1, 6):
        await add_campaign(engine, campaign_id, 1)
        rows += [audience_row(campaign_id * 10 + n, campaign_id, attempt=n) for n in range(3)]
    await add_audience(engine, rows)
    query = (
        "{ campaigns(first: 5) { edges { node { id "
        "audienceBreakdown(by: [ATTEMPT]) { attempt stats { totalAudience } } } } } }"
    )
    statements.statements.clear()
    body = await graphql(client, query, token=token)
    edges = body["data"]["campaigns"]["edges"]
    assert [len(e["node"]["audienceBreakdown"]) for e in edges] == [3] * 5
    grouped = [s for s in statements.statements if "GROUP BY" in s and "attempt" in s]
    assert len(grouped) == 1, grouped
