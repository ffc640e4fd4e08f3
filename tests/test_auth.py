"""Tokens, the GraphiQL page and tenancy (contract section 6)."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import os
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from asgi_lifespan import LifespanManager
from sqlalchemy.ext.asyncio import AsyncEngine

from app.app import create_app
from app.settings import Settings
from app.tables import api_token
from tests.api import REST_PATH, without_cost
from tests.conftest import StatementLog
from tests.factories import add_audience, add_campaign, add_workspace, audience_row

STATS = """
query Stats($id: Int!, $filter: AudienceFilter) {
  campaignAudienceStats(campaignId: $id, filter: $filter) {
    totalAudience coverage totalAttempt totalDuration successfulCalls
  }
}
"""

CAMPAIGNS = """
query Campaigns { campaigns(first: 100) { totalCount edges { node { id } } } }
"""

CAMPAIGN = """
query Campaign($id: Int!) {
  campaign(id: $id) {
    id name
    audienceStats { totalAudience }
    audience(first: 10) { totalCount edges { node { id mobileNo } } }
  }
}
"""

MINE = 1
THEIRS = 2
REVOKED = 3
MY_CAMPAIGN = 11
THEIR_CAMPAIGN = 7301
REVOKED_CAMPAIGN = 31
MISSING_CAMPAIGN = 7302


async def _seed(engine: AsyncEngine) -> dict[int, str]:
    """Three workspaces, one campaign each; the third's only token is revoked."""
    tokens = {
        MINE: await add_workspace(engine, MINE),
        THEIRS: await add_workspace(engine, THEIRS),
        REVOKED: await add_workspace(engine, REVOKED, revoked=True),
    }
    await add_campaign(engine, MY_CAMPAIGN, MINE)
    await add_campaign(engine, THEIR_CAMPAIGN, THEIRS)
    await add_campaign(engine, REVOKED_CAMPAIGN, REVOKED)
    await add_audience(
        engine,
        [
            audience_row(1, MY_CAMPAIGN, attempt=1, call_status="COMPLETED"),
            audience_row(2, THEIR_CAMPAIGN, attempt=2, duration=60, call_status="ANSWER"),
            audience_row(3, THEIR_CAMPAIGN, attempt=1, call_status="BUSY"),
            audience_row(4, REVOKED_CAMPAIGN, attempt=1),
        ],
    )
    return tokens


def _check_unauthenticated_graphql(response: httpx.Response) -> None:
    assert response.status_code == 401, response.text
    assert response.headers["content-type"].startswith("application/json"), response.headers
    body = response.json()
    assert list(body) == ["errors"], body
    assert len(body["errors"]) == 1, body
    error = body["errors"][0]
    assert set(error) == {"message", "extensions"}, body
    assert isinstance(error["message"], str)
    assert error["message"]
    assert error["extensions"] == {"code": "UNAUTHENTICATED"}, body


def _check_rest_error(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json"), response.headers
    body: dict[str, Any] = response.json()
    assert list(body) == ["error"], body
    assert set(body["error"]) == {"code", "message"}, body
    assert isinstance(body["error"]["code"], str)
    assert body["error"]["code"]
    assert isinstance(body["error"]["message"], str)
    assert body["error"]["message"]
    return body


# Headers that carry no valid token. "{revoked}" stands for the revoked workspace's token,
# "{hash}" for the SHA-256 digest of a valid token (what a leaked table row would hold).
BAD_CREDENTIALS: dict[str, dict[str, str]] = {
    "missing": {},
    "unknown-token-header": {"token": "no-such-token"},
    "unknown-bearer": {"Authorization": "Bearer no-such-token"},
    "unknown-bare-authorization": {"Authorization": "no-such-token"},
    "revoked-token-header": {"token": "{revoked}"},
    "revoked-bearer": {"Authorization": "Bearer {revoked}"},
    "revoked-bare-authorization": {"Authorization": "{revoked}"},
    "empty-token-header": {"token": ""},
    "empty-authorization": {"Authorization": ""},
    "bearer-without-token": {"Authorization": "Bearer "},
    "basic-auth": {"Authorization": "Basic dXNlcjpwYXNz"},
    "hash-of-a-valid-token": {"token": "{hash}"},
}


def _headers(case: str, tokens: dict[int, str]) -> dict[str, str]:
    replacements = {
        "{hash}": hashlib.sha256(tokens[MINE].encode()).hexdigest(),
        "{revoked}": tokens[REVOKED],
    }
    headers = {}
    for name, value in BAD_CREDENTIALS[case].items():
        for placeholder, real in replacements.items():
            value = value.replace(placeholder, real)
        headers[name] = value
    return headers


@pytest.mark.parametrize("case", BAD_CREDENTIALS)
async def test_graphql_without_a_valid_token_is_401(
    engine: AsyncEngine, client: httpx.AsyncClient, case: str
) -> None:
    tokens = await _seed(engine)
    headers = _headers(case, tokens)

    for query, variables in (
        (STATS, {"id": REVOKED_CAMPAIGN}),
        (CAMPAIGNS, {}),
        ("{ __typename }", {}),
        ("query { this is not GraphQL", {}),
    ):
        response = await client.post(
            "/graphql", json={"query": query, "variables": variables}, headers=headers
        )
        _check_unauthenticated_graphql(response)

    response = await client.get(
        "/graphql",
        params={"query": "{ campaigns { totalCount } }"},
        headers={**headers, "Accept": "application/json"},
    )
    _check_unauthenticated_graphql(response)


@pytest.mark.parametrize("case", BAD_CREDENTIALS)
async def test_rest_without_a_valid_token_is_401(
    engine: AsyncEngine, client: httpx.AsyncClient, case: str
) -> None:
    tokens = await _seed(engine)
    headers = _headers(case, tokens)
    for params in (
        {"campaign_id": REVOKED_CAMPAIGN},
        {"campaign_id": MISSING_CAMPAIGN},
        {"campaign_id": "abc"},
        {},
    ):
        response = await client.get(REST_PATH, params=params, headers=headers)
        _check_rest_error(response, 401)


def _accepted_headers(token: str) -> dict[str, dict[str, str]]:
    return {
        "token-header": {"token": token},
        "bare-authorization": {"Authorization": token},
        "bearer-authorization": {"Authorization": f"Bearer {token}"},
    }


@pytest.mark.parametrize("form", ["token-header", "bare-authorization", "bearer-authorization"])
async def test_token_is_accepted_in_each_documented_header(
    engine: AsyncEngine, client: httpx.AsyncClient, form: str
) -> None:
    tokens = await _seed(engine)
    for workspace, campaign_id, total in ((MINE, MY_CAMPAIGN, 1), (THEIRS, THEIR_CAMPAIGN, 2)):
        headers = _accepted_headers(tokens[workspace])[form]

        response = await client.post("/graphql", json={"query": CAMPAIGNS}, headers=headers)
        assert response.status_code == 200, response.text
        campaigns = response.json()["data"]["campaigns"]
        assert [edge["node"]["id"] for edge in campaigns["edges"]] == [campaign_id]

        response = await client.get(REST_PATH, params={"campaign_id": campaign_id}, headers=headers)
        assert response.status_code == 200, response.text
        assert response.json()["total_audience"] == total


@pytest.mark.parametrize(
    "accept",
    ["text/html", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"],
)
async def test_graphiql_page_loads_without_a_token(
    engine: AsyncEngine, client: httpx.AsyncClient, accept: str
) -> None:
    await _seed(engine)
    response = await client.get("/graphql", headers={"Accept": accept})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/html")
    assert "graphiql" in response.text.lower()


async def _graphql_answer(
    client: httpx.AsyncClient,
    token: str,
    query: str,
    variables: dict[str, Any],
    *,
    cost: bool = False,
) -> tuple[int, dict[str, Any]]:
    response = await client.post(
        "/graphql", json={"query": query, "variables": variables}, headers={"token": token}
    )
    body: dict[str, Any] = response.json()
    if not cost:
        return response.status_code, without_cost(body)
    # What the bucket holds depends on the clock; the costs themselves must be alike too.
    del body["extensions"]["cost"]["throttleStatus"]
    return response.status_code, body


def _without_id(body: dict[str, Any], campaign_id: int) -> str:
    return json.dumps(body, sort_keys=True).replace(str(campaign_id), "<id>")


@pytest.mark.parametrize(
    "audience_filter", [None, {"status": ["FRESH"]}, {"mobileNo": "+1", "attempt": [1, 2]}]
)
async def test_graphql_foreign_campaign_answers_like_a_missing_one(
    engine: AsyncEngine, client: httpx.AsyncClient, audience_filter: dict[str, Any] | None
) -> None:
    tokens = await _seed(engine)
    mine = tokens[MINE]

    answers = []
    for campaign_id in (THEIR_CAMPAIGN, MISSING_CAMPAIGN):
        status, body = await _graphql_answer(
            client, mine, STATS, {"id": campaign_id, "filter": audience_filter}, cost=True
        )
        assert body["data"] is None, body
        assert [error["extensions"]["code"] for error in body["errors"]] == ["NOT_FOUND"]
        answers.append((status, _without_id(body, campaign_id)))
    assert answers[0] == answers[1]

    for campaign_id in (THEIR_CAMPAIGN, MISSING_CAMPAIGN, REVOKED_CAMPAIGN):
        status, body = await _graphql_answer(client, mine, CAMPAIGN, {"id": campaign_id}, cost=True)
        assert body.pop("extensions")["cost"]["actualQueryCost"] == 1  # the lookup alone
        assert (status, body) == (200, {"data": {"campaign": None}})

    # The owner does see it.
    status, body = await _graphql_answer(client, tokens[THEIRS], CAMPAIGN, {"id": THEIR_CAMPAIGN})
    assert status == 200
    assert body["data"]["campaign"]["audienceStats"]["totalAudience"] == 2


@pytest.mark.parametrize(
    "extra", [[], [("status", "0")], [("mobile_no", "+1"), ("attempt", "1"), ("attempt", "2")]]
)
async def test_rest_foreign_campaign_answers_like_a_missing_one(
    engine: AsyncEngine, client: httpx.AsyncClient, extra: list[tuple[str, str]]
) -> None:
    tokens = await _seed(engine)
    answers = []
    for campaign_id in (THEIR_CAMPAIGN, MISSING_CAMPAIGN):
        response = await client.get(
            REST_PATH,
            params=[("campaign_id", str(campaign_id)), *extra],
            headers={"token": tokens[MINE]},
        )
        body = _check_rest_error(response, 404)
        answers.append((response.status_code, _without_id(body, campaign_id)))
    assert answers[0] == answers[1]

    response = await client.get(
        REST_PATH, params={"campaign_id": THEIR_CAMPAIGN}, headers={"token": tokens[THEIRS]}
    )
    assert response.status_code == 200, response.text
    assert response.json() == {
        "total_audience": 2,
        "coverage": 33.33,
        "total_attempt": 3,
        "total_duration": 60,
        "successful_calls": 1,
    }


async def test_bad_parameters_answer_alike_for_foreign_and_missing_campaigns(
    engine: AsyncEngine, client: httpx.AsyncClient
) -> None:
    tokens = await _seed(engine)
    answers = []
    for campaign_id in (THEIR_CAMPAIGN, MISSING_CAMPAIGN):
        response = await client.get(
            REST_PATH,
            params={"campaign_id": campaign_id, "status": "9"},
            headers={"token": tokens[MINE]},
        )
        answers.append((response.status_code, _without_id(response.json(), campaign_id)))
    assert answers[0] == answers[1]


async def test_campaign_list_shows_only_the_token_s_workspace(
    engine: AsyncEngine, client: httpx.AsyncClient
) -> None:
    tokens = await _seed(engine)
    for workspace, campaign_id in ((MINE, MY_CAMPAIGN), (THEIRS, THEIR_CAMPAIGN)):
        status, body = await _graphql_answer(client, tokens[workspace], CAMPAIGNS, {})
        assert status == 200
        assert body == {
            "data": {"campaigns": {"totalCount": 1, "edges": [{"node": {"id": campaign_id}}]}}
        }


async def _load(database_url: str, directory: Path) -> None:
    """`audience-stats load DIR` on the test database, as an operator would run it."""
    command = Path(sys.executable).parent / "audience-stats"
    process = await asyncio.create_subprocess_exec(
        str(command),
        "load",
        str(directory),
        env={**os.environ, "DATABASE_URL": database_url},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await process.communicate()
    assert process.returncode == 0, (stdout.decode(), stderr.decode())


async def test_loaded_tokens_are_stored_hashed(
    engine: AsyncEngine, client: httpx.AsyncClient, database_url: str, tmp_path: Path
) -> None:
    plain = "plain-secret-token-3f9a8c7e1d2b4a6f"
    (tmp_path / "workspaces.csv").write_text("id,name\n5,Loaded workspace\n")
    (tmp_path / "api_tokens.csv").write_text(f"token,workspace_id,name\n{plain},5,cli token\n")
    (tmp_path / "campaigns.csv").write_text(
        "id,workspace_id,name,max_attempts,created_at\n50,5,Loaded,3,2026-03-02T14:05:00Z\n"
    )
    await _load(database_url, tmp_path)

    async with engine.connect() as conn:
        rows = (await conn.execute(sa.text("SELECT * FROM api_token"))).mappings().all()
    assert len(rows) == 1
    disguises = {
        plain,
        plain.upper(),
        plain[::-1],
        base64.b64encode(plain.encode()).decode().rstrip("="),
        plain.encode().hex(),
    }
    for column, value in rows[0].items():
        text = str(value)
        for disguise in disguises:
            assert disguise.lower() not in text.lower(), f"api_token.{column} holds the token"

    # The hash is what the app checks: the plain token still works, the stored value does not.
    status, body = await _graphql_answer(client, plain, CAMPAIGNS, {})
    assert status == 200
    assert body["data"]["campaigns"]["edges"] == [{"node": {"id": 50}}]
    for value in rows[0].values():
        if isinstance(value, str) and value:
            response = await client.post(
                "/graphql", json={"query": CAMPAIGNS}, headers={"token": value}
            )
            assert response.status_code == 401, (value, response.text)


async def test_browser_preflight_is_answered_without_a_token(
    engine: AsyncEngine, client: httpx.AsyncClient
) -> None:
    response = await client.options(
        "/graphql",
        headers={
            "origin": "https://dashboard.example",
            "access-control-request-method": "POST",
            "access-control-request-headers": "token, content-type",
        },
    )
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "*"
    assert "token" in response.headers["access-control-allow-headers"].lower()


async def test_cross_origin_answers_carry_the_allow_origin_header(
    engine: AsyncEngine, client: httpx.AsyncClient
) -> None:
    token = await add_workspace(engine, 1)
    response = await client.post(
        "/graphql",
        json={"query": "{ campaigns { totalCount } }"},
        headers={"token": token, "origin": "https://dashboard.example"},
    )
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "*"


async def test_a_revoked_token_is_refused_within_the_cache_bound(
    engine: AsyncEngine, database_url: str, statements: StatementLog
) -> None:
    """A process asks the database for a token it knows at most once a bound
    (AUDIENCE_STATS_TOKEN_CACHE_SECONDS), so a revocation takes effect within it."""
    tokens = await _seed(engine)
    bound = 0.5
    app = create_app(Settings(database_url=database_url, token_cache_seconds=bound))
    body = {"query": STATS, "variables": {"id": MY_CAMPAIGN}}
    headers = {"token": tokens[MINE]}
    async with (
        LifespanManager(app) as manager,
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=manager.app), base_url="http://test"
        ) as client,
    ):
        for _ in range(5):
            assert (await client.post("/graphql", json=body, headers=headers)).status_code == 200
        assert len(statements.matching("FROM api_token")) == 1, statements.statements
        async with engine.begin() as conn:
            await conn.execute(sa.update(api_token).values(revoked_at=sa.func.now()))
        await asyncio.sleep(bound)
        _check_unauthenticated_graphql(await client.post("/graphql", json=body, headers=headers))
        # An unknown token is asked of the database every time: none is remembered.
        for _ in range(2):
            refused = await client.post("/graphql", json=body, headers={"token": "nobody"})
            _check_unauthenticated_graphql(refused)
        assert len(statements.matching("FROM api_token")) == 4, statements.statements
