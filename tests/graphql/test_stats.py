"""campaignAudienceStats and Campaign.audienceStats: the numbers of contract section 2."""

from __future__ import annotations

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.api import error_codes, graphql, rest
from tests.factories import add_audience, add_campaign, add_workspace, audience_row

STATS = """
query Stats($id: Int!, $filter: AudienceFilter) {
  campaignAudienceStats(campaignId: $id, filter: $filter) {
    totalAudience coverage totalAttempt totalDuration successfulCalls
  }
}
"""


async def _stats(client: httpx.AsyncClient, token: str, campaign_id: int) -> dict[str, object]:
    body = await graphql(client, STATS, {"id": campaign_id}, token=token)
    assert "errors" not in body, body
    result: dict[str, object] = body["data"]["campaignAudienceStats"]
    return result


async def test_coverage_rounds_half_up_exactly(
    engine: AsyncEngine, client: httpx.AsyncClient
) -> None:
    token = await add_workspace(engine, 1)
    # 1 success of 32 attempts is 3.125 %: binary floats would round it to 3.12.
    await add_campaign(engine, 1, 1)
    rows = [audience_row(1, 1, attempt=2, call_status="COMPLETED")]
    rows += [audience_row(i, 1, attempt=2, call_status="NO_ANSWER") for i in range(2, 17)]
    # 2 successes of 3 attempts is 66.666… %.
    await add_campaign(engine, 2, 1)
    rows += [
        audience_row(101, 2, attempt=1, call_status="ANSWER"),
        audience_row(102, 2, attempt=1, call_status="user_ended".upper()),
        audience_row(103, 2, attempt=1, call_status="BUSY"),
    ]
    # Successful statuses but no attempts: coverage 0.
    await add_campaign(engine, 3, 1)
    rows += [audience_row(201, 3, attempt=0, call_status="AGENT_ENDED")]
    await add_audience(engine, rows)

    assert (await _stats(client, token, 1))["coverage"] == 3.13
    assert (await _stats(client, token, 2))["coverage"] == 66.67
    assert await _stats(client, token, 3) == {
        "totalAudience": 1,
        "coverage": 0,
        "totalAttempt": "0",
        "totalDuration": "0",
        "successfulCalls": 1,
    }


async def test_sums_past_32_bits_are_exact(engine: AsyncEngine, client: httpx.AsyncClient) -> None:
    token = await add_workspace(engine, 1)
    await add_campaign(engine, 7, 1)
    big = 2**31 - 1
    await add_audience(
        engine, [audience_row(i, 7, attempt=1000, duration=big - i) for i in range(1, 4)]
    )
    expected_duration = 3 * big - 6
    stats = await _stats(client, token, 7)
    assert stats["totalDuration"] == str(expected_duration)
    assert stats["totalAttempt"] == "3000"
    body = await rest(client, {"campaign_id": 7}, token=token)
    assert body["total_duration"] == expected_duration


async def test_campaign_without_audience_is_all_zero(
    engine: AsyncEngine, client: httpx.AsyncClient
) -> None:
    token = await add_workspace(engine, 1)
    await add_campaign(engine, 1, 1)
    assert await _stats(client, token, 1) == {
        "totalAudience": 0,
        "coverage": 0,
        "totalAttempt": "0",
        "totalDuration": "0",
        "successfulCalls": 0,
    }


async def test_missing_and_foreign_campaigns_are_not_found_alike(
    engine: AsyncEngine, client: httpx.AsyncClient
) -> None:
    mine = await add_workspace(engine, 1)
    await add_workspace(engine, 2)
    await add_campaign(engine, 20, 2)
    await add_audience(engine, [audience_row(1, 20, attempt=1)])
    answers = []
    for campaign_id in (20, 99):
        body = await graphql(client, STATS, {"id": campaign_id}, token=mine)
        assert body["data"] is None
        assert error_codes(body) == ["NOT_FOUND"]
        answers.append(body["errors"][0]["message"].replace(str(campaign_id), "N"))
    assert answers[0] == answers[1]


async def test_rest_without_token_is_401_even_after_an_authenticated_request(
    engine: AsyncEngine, client: httpx.AsyncClient
) -> None:
    token = await add_workspace(engine, 1)
    await add_campaign(engine, 1, 1)
    await rest(client, {"campaign_id": 1}, token=token)
    body = await rest(client, {"campaign_id": 1}, token=None, status=401)
    assert body["error"]["code"] == "UNAUTHENTICATED"
