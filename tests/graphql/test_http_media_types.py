"""GraphQL over HTTP media types: application/graphql-response+json when the client asks for it,
with 4xx for request errors; application/json (the legacy type, and the default) answers every
well-formed request 200."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from app.errors import ErrorCode
from app.graphql.limits import MAX_DOCUMENT_LENGTH
from app.graphql.view import GRAPHQL_RESPONSE, JSON, answer_status, response_media_type
from tests.api import error_codes
from tests.factories import add_audience, add_campaign, add_workspace, audience_row

GRAPHQL_RESPONSE_TYPE = "application/graphql-response+json; charset=utf-8"
ACCEPT_GRAPHQL_RESPONSE = ["application/graphql-response+json", GRAPHQL_RESPONSE_TYPE]
ACCEPT_JSON = [None, "application/json", "*/*", "application/json, text/plain, */*"]

STATS = "query Stats($id: Int!) { campaignAudienceStats(campaignId: $id) { totalAudience } }"

# Requests whose execution never starts: the answer is errors and no data.
REQUEST_ERRORS: dict[str, dict[str, Any]] = {
    "document parsing": {"query": "{"},
    "document validation": {"query": "{ noSuchField }"},
    "variable coercion": {"query": STATS, "variables": {"id": "seven"}},
    "missing variable": {"query": STATS},
    "document length limit": {"query": "{ __typename }" + " " * MAX_DOCUMENT_LENGTH},
    "operation not named": {"query": "query A { __typename } query B { __typename }"},
}


@pytest.fixture
async def token(engine: AsyncEngine) -> str:
    token = await add_workspace(engine, 1)
    await add_campaign(engine, 1, 1)
    await add_audience(engine, [audience_row(1, 1, attempt=1), audience_row(2, 1)])
    return token


async def _post(
    client: httpx.AsyncClient, body: dict[str, Any], token: str, accept: str | None
) -> httpx.Response:
    headers = {"token": token, **({"Accept": accept} if accept else {})}
    return await client.post("/graphql", json=body, headers=headers)


@pytest.mark.parametrize("accept", ACCEPT_GRAPHQL_RESPONSE)
async def test_a_query_under_graphql_response_json_is_200_with_that_type(
    client: httpx.AsyncClient, token: str, accept: str
) -> None:
    response = await _post(client, {"query": STATS, "variables": {"id": 1}}, token, accept)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == GRAPHQL_RESPONSE_TYPE
    assert "accept" in response.headers["vary"].lower()
    body = response.json()
    assert body["data"] == {"campaignAudienceStats": {"totalAudience": 2}}
    assert "errors" not in body


@pytest.mark.parametrize("accept", ACCEPT_JSON)
async def test_a_query_under_json_is_200_with_json(
    client: httpx.AsyncClient, token: str, accept: str | None
) -> None:
    response = await _post(client, {"query": STATS, "variables": {"id": 1}}, token, accept)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert body["data"] == {"campaignAudienceStats": {"totalAudience": 2}}
    assert "errors" not in body


async def test_a_get_query_under_graphql_response_json(
    client: httpx.AsyncClient, token: str
) -> None:
    response = await client.get(
        "/graphql",
        params={"query": STATS, "variables": '{"id": 1}'},
        headers={"token": token, "Accept": "application/graphql-response+json"},
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == GRAPHQL_RESPONSE_TYPE
    body = response.json()
    assert body["data"] == {"campaignAudienceStats": {"totalAudience": 2}}
    assert "errors" not in body


@pytest.mark.parametrize("accept", ACCEPT_GRAPHQL_RESPONSE)
@pytest.mark.parametrize("request_body", REQUEST_ERRORS.values(), ids=REQUEST_ERRORS.keys())
async def test_request_errors_under_graphql_response_json_are_400_without_data(
    client: httpx.AsyncClient, token: str, accept: str, request_body: dict[str, Any]
) -> None:
    response = await _post(client, request_body, token, accept)
    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == GRAPHQL_RESPONSE_TYPE
    body = response.json()
    assert "data" not in body, body
    assert body["errors"], body
    assert set(error_codes(body)) == {"BAD_USER_INPUT"}, body


@pytest.mark.parametrize("accept", ACCEPT_JSON)
@pytest.mark.parametrize("request_body", REQUEST_ERRORS.values(), ids=REQUEST_ERRORS.keys())
async def test_request_errors_under_json_stay_200_with_null_data(
    client: httpx.AsyncClient, token: str, accept: str | None, request_body: dict[str, Any]
) -> None:
    response = await _post(client, request_body, token, accept)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert body["data"] is None, body
    assert set(error_codes(body)) == {"BAD_USER_INPUT"}, body


@pytest.mark.parametrize("accept", [*ACCEPT_GRAPHQL_RESPONSE, *ACCEPT_JSON])
async def test_field_errors_are_200_under_either_type(
    client: httpx.AsyncClient, token: str, accept: str | None
) -> None:
    # Execution started: an error at a field, even one that nulls the whole data, is a result.
    not_found = await _post(client, {"query": STATS, "variables": {"id": 99}}, token, accept)
    assert not_found.status_code == 200, not_found.text
    assert not_found.json()["data"] is None
    assert error_codes(not_found.json()) == ["NOT_FOUND"]

    query = "{ campaign(id: 1) { name audience(first: 0) { totalCount } } }"
    partial = await _post(client, {"query": query}, token, accept)
    assert partial.status_code == 200, partial.text
    body = partial.json()
    assert body["data"] == {"campaign": None}
    assert error_codes(body) == ["BAD_USER_INPUT"]
    assert body["errors"][0]["path"] == ["campaign", "audience"]


@pytest.mark.parametrize(
    ("accept", "content_type"),
    [("application/graphql-response+json", GRAPHQL_RESPONSE_TYPE), (None, "application/json")],
)
@pytest.mark.parametrize(
    "content", [b'{"query": ', b'{"qeury": "{ __typename }"}', b'{"query": 7}', b""]
)
async def test_malformed_requests_are_400_with_a_code_under_either_type(
    client: httpx.AsyncClient, token: str, accept: str | None, content_type: str, content: bytes
) -> None:
    headers = {"token": token, "content-type": "application/json"}
    response = await client.post(
        "/graphql", content=content, headers={**headers, **({"Accept": accept} if accept else {})}
    )
    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == content_type
    body = response.json()
    assert "data" not in body
    assert error_codes(body) == ["BAD_USER_INPUT"]


@pytest.mark.parametrize(
    ("accept", "media_type"),
    [
        (None, JSON),
        ("", JSON),
        ("application/json", JSON),
        ("*/*", JSON),
        ("application/*", JSON),
        ("text/html", JSON),
        ("application/graphql-response+json", GRAPHQL_RESPONSE),
        ("Application/GraphQL-Response+JSON; charset=utf-8", GRAPHQL_RESPONSE),
        ("application/graphql-response+json, application/json", GRAPHQL_RESPONSE),
        ("application/json, application/graphql-response+json", GRAPHQL_RESPONSE),
        ("application/json;q=0.9, application/graphql-response+json", GRAPHQL_RESPONSE),
        ("application/graphql-response+json, */*;q=0.8", GRAPHQL_RESPONSE),
        ("application/graphql-response+json;q=0.5, application/json", JSON),
        ("application/graphql-response+json;q=0.5, */*", JSON),
        ("application/graphql-response+json;q=0", JSON),
        ("application/graphql-response+json;q=nonsense", JSON),
    ],
)
def test_the_media_type_follows_the_accept_header(accept: str | None, media_type: str) -> None:
    assert response_media_type(accept) == media_type


def _errors(*codes: ErrorCode, **extensions: object) -> list[tuple[ErrorCode, dict[str, object]]]:
    return [(code, {"code": code.value, **extensions}) for code in codes]


@pytest.mark.parametrize("media_type", [JSON, GRAPHQL_RESPONSE])
@pytest.mark.parametrize("request_error", [False, True])
def test_an_unavailable_database_is_503_whatever_the_media_type(
    media_type: str, request_error: bool
) -> None:
    errors = _errors(ErrorCode.NOT_FOUND, ErrorCode.SERVICE_UNAVAILABLE, retryAfter=1)
    status, headers = answer_status(errors, request_error=request_error, media_type=media_type)
    assert status == 503
    assert headers["Retry-After"] == "1"


@pytest.mark.parametrize("media_type", [JSON, GRAPHQL_RESPONSE])
def test_a_throttled_request_is_429_with_its_retry_after(media_type: str) -> None:
    errors = _errors(ErrorCode.THROTTLED, retryAfter=7)
    status, headers = answer_status(errors, request_error=True, media_type=media_type)
    assert (status, headers) == (429, {"Retry-After": "7"})


def test_the_status_of_an_answer_comes_from_its_codes() -> None:
    bad = _errors(ErrorCode.BAD_USER_INPUT)
    assert answer_status(bad, request_error=True, media_type=GRAPHQL_RESPONSE) == (400, {})
    assert answer_status(bad, request_error=True, media_type=JSON) == (200, {})
    assert answer_status(bad, request_error=False, media_type=GRAPHQL_RESPONSE) == (200, {})
    assert answer_status([], request_error=False, media_type=GRAPHQL_RESPONSE) == (200, {})
    too_costly = _errors(ErrorCode.MAX_COST_EXCEEDED)
    assert answer_status(too_costly, request_error=True, media_type=GRAPHQL_RESPONSE) == (400, {})
    # A request error the server caused is a 5xx, not a 400.
    internal = _errors(ErrorCode.BAD_USER_INPUT, ErrorCode.INTERNAL_SERVER_ERROR)
    assert answer_status(internal, request_error=True, media_type=GRAPHQL_RESPONSE) == (500, {})
