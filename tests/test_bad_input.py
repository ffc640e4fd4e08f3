"""Bad input gets a clear error naming what is wrong, never a 500 (sections 3, 4 and 5)."""

from __future__ import annotations

import base64
import json
import re
from typing import Any

import httpx
import pytest
from graphql import get_introspection_query
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.api import REST_PATH
from tests.factories import add_audience, add_campaign, add_workspace, audience_row

STATS = """
query Stats($filter: AudienceFilter) {
  campaignAudienceStats(campaignId: 1, filter: $filter) { totalAudience }
}
"""

CAMPAIGN_STATS = """
query CampaignStats($filter: AudienceFilter) {
  campaign(id: 1) { audienceStats(filter: $filter) { totalAudience } }
}
"""

CAMPAIGN_AUDIENCE = """
query CampaignAudience($filter: AudienceFilter) {
  campaign(id: 1) { audience(filter: $filter, first: 5) { totalCount edges { node { id } } } }
}
"""

FILTER_DOCUMENTS = {"stats": STATS, "campaign-stats": CAMPAIGN_STATS, "audience": CAMPAIGN_AUDIENCE}

BY_ID = """
query ById($id: Int!) { campaignAudienceStats(campaignId: $id) { totalAudience } }
"""

PAGE = """
query Page($first: Int, $after: String, $orderBy: AudienceOrder) {
  campaign(id: 1) {
    audience(first: $first, after: $after, orderBy: $orderBy) { edges { node { id } } }
  }
}
"""

# Words that betray internals: tracebacks, SQL, drivers, source files.
LEAKS = re.compile(
    r"traceback|File \"|\.py\b|sqlalchemy|asyncpg|aiosqlite|sqlite|psycopg|postgres"
    r"|\bselect\b.*\bfrom\b|\bwhere\b.*[=<>]|campaign_audience|api_token|token_hash"
    r"|UnicodeEncodeError|Exception|Error\(",
    re.IGNORECASE | re.DOTALL,
)


def _assert_no_leak(text: str) -> None:
    found = LEAKS.search(text)
    assert found is None, f"error response reveals internals ({found.group(0)!r}): {text[:500]}"


def _normalized(text: str) -> str:
    """Lower case without '_', spaces and quotes, so callStatus, call_status and 'call status'
    all read alike."""
    return re.sub(r"[_\s'\"`]", "", text.lower())


def _names(message: str, needle: str) -> bool:
    return _normalized(needle) in _normalized(message)


async def _seed(engine: AsyncEngine) -> str:
    token = await add_workspace(engine, 1)
    await add_campaign(engine, 1, 1)
    await add_audience(
        engine,
        [
            audience_row(1, 1, attempt=2, call_status="COMPLETED", status=1),
            audience_row(2, 1, attempt=1, call_status="NO_ANSWER", status=2),
        ],
    )
    return token


async def _post(client: httpx.AsyncClient, payload: dict[str, Any], token: str) -> httpx.Response:
    """POST a GraphQL request encoded as-is (json.dumps escapes lone surrogates)."""
    return await client.post(
        "/graphql",
        content=json.dumps(payload).encode(),
        headers={"token": token, "content-type": "application/json"},
    )


def _bad_user_input(response: httpx.Response, *needles: str) -> str:
    """Checks a GraphQL BAD_USER_INPUT answer naming one of the needles; returns the message."""
    assert response.status_code < 500, response.text
    _assert_no_leak(response.text)
    assert response.headers["content-type"].startswith("application/"), response.text
    body = response.json()
    assert body.get("data") is None or all(value is None for value in body["data"].values()), body
    codes = [error.get("extensions", {}).get("code") for error in body.get("errors", [])]
    assert codes, body
    assert set(codes) == {"BAD_USER_INPUT"}, body
    messages = " | ".join(error["message"] for error in body["errors"])
    assert any(_names(messages, needle) for needle in needles), (needles, messages)
    return messages


def _filter_case(value: dict[str, Any], *needles: str) -> tuple[dict[str, Any], tuple[str, ...]]:
    return value, needles


FILTER_CASES = {
    "status-101": _filter_case({"status": ["COMPLETED"] * 101}, "status"),
    "callStatus-101": _filter_case({"callStatus": ["BUSY"] * 101}, "callStatus"),
    "firstStatus-101": _filter_case({"firstStatus": [f"S{i}" for i in range(101)]}, "firstStatus"),
    "lastStatus-101": _filter_case({"lastStatus": ["BUSY"] * 101}, "lastStatus"),
    "attempt-101": _filter_case({"attempt": list(range(101))}, "attempt"),
    "mobileNo-33": _filter_case({"mobileNo": "1" * 33}, "mobileNo"),
    "mobileNo-long": _filter_case({"mobileNo": "+1 (202) 555-0123" * 1000}, "mobileNo"),
    "attempt-minus-1": _filter_case({"attempt": [-1]}, "attempt"),
    "attempt-1001": _filter_case({"attempt": [1001]}, "attempt"),
    "attempt-one-bad-of-two": _filter_case({"attempt": [1, 1001]}, "attempt"),
    "attempt-32-bit": _filter_case({"attempt": [2**31]}, "attempt"),
    "attempt-string": _filter_case({"attempt": ["one"]}, "attempt"),
    "attempt-float": _filter_case({"attempt": [1.5]}, "attempt"),
    "attempt-null-item": _filter_case({"attempt": [None]}, "attempt"),
    "status-unknown": _filter_case({"status": ["DONE"]}, "status", "DONE"),
    "status-code": _filter_case({"status": [1]}, "status"),
    "status-lower-case": _filter_case({"status": ["completed"]}, "status", "completed"),
    "status-null-item": _filter_case({"status": [None]}, "status"),
    "callStatus-number": _filter_case({"callStatus": [1]}, "callStatus"),
    "mobileNo-number": _filter_case({"mobileNo": 12025550123}, "mobileNo"),
    "mobileNo-list": _filter_case({"mobileNo": ["+1202"]}, "mobileNo"),
    "unknown-field": _filter_case({"campaignId": 1}, "campaignId"),
}


@pytest.mark.parametrize("document", FILTER_DOCUMENTS.values(), ids=FILTER_DOCUMENTS.keys())
@pytest.mark.parametrize(("value", "needles"), FILTER_CASES.values(), ids=FILTER_CASES.keys())
async def test_bad_filter_is_bad_user_input(
    engine: AsyncEngine,
    client: httpx.AsyncClient,
    document: str,
    value: dict[str, Any],
    needles: tuple[str, ...],
) -> None:
    token = await _seed(engine)
    response = await _post(client, {"query": document, "variables": {"filter": value}}, token)
    _bad_user_input(response, *needles)


async def test_filter_that_is_not_an_object_is_bad_user_input(
    engine: AsyncEngine, client: httpx.AsyncClient
) -> None:
    token = await _seed(engine)
    response = await _post(client, {"query": STATS, "variables": {"filter": "COMPLETED"}}, token)
    _bad_user_input(response, "filter")


@pytest.mark.parametrize(
    "value",
    [
        {"status": ["COMPLETED", "HALTED", "FRESH", "INQUEUE"] * 25},
        {"callStatus": [f"S{i}" for i in range(100)]},
        {"firstStatus": ["BUSY"] * 100, "lastStatus": ["BUSY"] * 100},
        {"attempt": list(range(100))},
        {"attempt": [0, 1000]},
        {"mobileNo": "1" * 32},
        {"mobileNo": "+1 (202) 555-0123 45 67 89 0"},
    ],
)
async def test_values_at_the_bounds_are_accepted(
    engine: AsyncEngine, client: httpx.AsyncClient, value: dict[str, Any]
) -> None:
    token = await _seed(engine)
    for document in FILTER_DOCUMENTS.values():
        response = await _post(client, {"query": document, "variables": {"filter": value}}, token)
        assert response.status_code == 200, response.text
        assert "errors" not in response.json(), response.text


# Strings a driver may choke on: answered as data or as BAD_USER_INPUT, never as a failure.
ODD_STRINGS = ["\x00", "+1202\x00555", "\ud800", "a\udfffb", "\u202e+1202", "😀", "\\x00"]


@pytest.mark.parametrize("text", ODD_STRINGS)
@pytest.mark.parametrize("field", ["mobileNo", "callStatus", "firstStatus", "lastStatus"])
async def test_odd_strings_are_never_internal_errors(
    engine: AsyncEngine, client: httpx.AsyncClient, field: str, text: str
) -> None:
    token = await _seed(engine)
    value = text if field == "mobileNo" else [text]
    for document in FILTER_DOCUMENTS.values():
        response = await _post(
            client, {"query": document, "variables": {"filter": {field: value}}}, token
        )
        body = response.json()
        if "errors" in body:
            _bad_user_input(response, field)
        else:
            assert response.status_code == 200, response.text


def _document_case(
    query: str, variables: dict[str, Any] | None, *needles: str
) -> tuple[str, dict[str, Any] | None, tuple[str, ...]]:
    return query, variables, needles


def _nested_introspection(levels: int) -> str:
    return (
        "{ __schema { types { fields { type { "
        + "ofType { " * levels
        + "name"
        + " }" * levels
        + " } } } } }"
    )


def _cyclic_introspection(levels: int) -> str:
    """Introspection whose answer grows exponentially with the levels (__Type → __Field → …)."""
    inner = "name"
    for _ in range(levels):
        inner = f"name fields {{ name type {{ name ofType {{ name ofType {{ {inner} }} }} }} }}"
    return "{ __schema { types { " + inner + " } } }"


DOCUMENT_CASES = {
    "id-string": _document_case(BY_ID, {"id": "abc"}, "$id", "campaignId"),
    "id-float": _document_case(BY_ID, {"id": 1.5}, "$id", "campaignId"),
    "id-null": _document_case(BY_ID, {"id": None}, "$id", "campaignId"),
    "id-missing": _document_case(BY_ID, {}, "$id", "campaignId"),
    "id-bool": _document_case(BY_ID, {"id": True}, "$id", "campaignId"),
    "id-64-bit": _document_case(BY_ID, {"id": 2**31}, "$id", "campaignId"),
    "id-literal-string": _document_case(
        '{ campaignAudienceStats(campaignId: "1") { totalAudience } }',
        None,
        "campaignId",
        "Int cannot represent",
    ),
    "id-literal-64-bit": _document_case(
        "{ campaign(id: 9223372036854775807) { id } }", None, "9223372036854775807"
    ),
    "id-argument-missing": _document_case(
        "{ campaign { id } }", None, "campaign(id:)", "argument id"
    ),
    "first-string": _document_case(PAGE, {"first": "ten"}, "$first", "first"),
    "first-zero": _document_case(PAGE, {"first": 0}, "first"),
    "first-101": _document_case(PAGE, {"first": 101}, "first"),
    "first-negative": _document_case(PAGE, {"first": -1}, "first"),
    "after-number": _document_case(PAGE, {"after": 5}, "$after", "after"),
    "after-junk": _document_case(PAGE, {"after": "junk"}, "after", "cursor"),
    "order-field-unknown": _document_case(
        PAGE, {"orderBy": {"field": "NAME"}}, "orderBy", "AudienceOrderField", "NAME"
    ),
    "order-direction-unknown": _document_case(
        PAGE, {"orderBy": {"direction": "SIDEWAYS"}}, "orderBy", "OrderDirection", "SIDEWAYS"
    ),
    "order-field-null": _document_case(PAGE, {"orderBy": {"field": None}}, "orderBy", "field"),
    "enum-literal-unknown": _document_case(
        "{ campaignAudienceStats(campaignId: 1, filter: {status: [DONE]}) { totalAudience } }",
        None,
        "DONE",
        "AudienceStatus",
    ),
    "enum-literal-as-string": _document_case(
        '{ campaignAudienceStats(campaignId: 1, filter: {status: "COMPLETED"}) { totalAudience } }',
        None,
        "status",
        "AudienceStatus",
    ),
    "attempt-literal-1001": _document_case(
        "{ campaignAudienceStats(campaignId: 1, filter: {attempt: [1001]}) { totalAudience } }",
        None,
        "attempt",
    ),
    "mobile-literal-33": _document_case(
        "{ campaignAudienceStats(campaignId: 1, filter: {mobileNo: "
        f'"{"9" * 33}"}}) {{ totalAudience }} }}',
        None,
        "mobileNo",
    ),
    "unknown-field": _document_case("{ campaign(id: 1) { nope } }", None, "nope"),
    "unknown-argument": _document_case("{ campaign(id: 1, nope: 2) { id } }", None, "nope"),
    "missing-selection": _document_case("{ campaign(id: 1) }", None, "campaign"),
    "variable-undeclared": _document_case("query { campaign(id: $id) { id } }", {"id": 1}, "$id"),
    "variable-wrong-type": _document_case(
        "query ($id: String!) { campaign(id: $id) { id } }", {"id": "1"}, "$id"
    ),
    "syntax-error": _document_case("query { campaign(id: 1) { id }", None, "syntax"),
    "syntax-garbage": _document_case("}{ nonsense !!", None, "syntax"),
    "mutation": _document_case("mutation { campaign(id: 1) { id } }", None, "mutation"),
    "subscription": _document_case("subscription { campaign(id: 1) { id } }", None, "subscription"),
    "two-operations-without-name": _document_case(
        "query A { __typename } query B { __typename }", None, "operation"
    ),
    "too-deep": _document_case(_nested_introspection(60), None, "depth", "deep"),
    "too-deep-cyclic": _document_case(_cyclic_introspection(6), None, "depth", "deep"),
    "too-many-aliases": _document_case(
        "{ " + " ".join(f"a{i}: __typename" for i in range(500)) + " }", None, "alias"
    ),
    "too-many-aliased-campaigns": _document_case(
        "{ " + " ".join(f"c{i}: campaign(id: 1) {{ id }}" for i in range(300)) + " }",
        None,
        "alias",
        "token",
    ),
    "huge-document": _document_case(
        "{ campaign(id: 1) { " + "id " * 20_000 + "} }", None, "token", "size", "large", "long"
    ),
    "huge-comment": _document_case(
        "# " + "padding " * 20_000 + "\n{ __typename }",
        None,
        "size",
        "large",
        "long",
        "bytes",
        "characters",
    ),
}


@pytest.mark.parametrize(
    ("query", "variables", "needles"), DOCUMENT_CASES.values(), ids=DOCUMENT_CASES.keys()
)
async def test_bad_document_is_bad_user_input(
    engine: AsyncEngine,
    client: httpx.AsyncClient,
    query: str,
    variables: dict[str, Any] | None,
    needles: tuple[str, ...],
) -> None:
    token = await _seed(engine)
    payload: dict[str, Any] = {"query": query}
    if variables is not None:
        payload["variables"] = variables
    response = await _post(client, payload, token)
    _bad_user_input(response, *needles)


REQUEST_CASES = {
    "empty-query": ({"query": ""}, ("query",)),
    "no-query": ({"variables": {}}, ("query",)),
    "query-not-a-string": ({"query": 42}, ("query",)),
    "variables-not-an-object": ({"query": BY_ID, "variables": [1]}, ("variables",)),
    "unknown-operation-name": ({"query": BY_ID, "operationName": "Nope"}, ("Nope", "operation")),
}


@pytest.mark.parametrize(("payload", "needles"), REQUEST_CASES.values(), ids=REQUEST_CASES.keys())
async def test_bad_request_is_bad_user_input(
    engine: AsyncEngine,
    client: httpx.AsyncClient,
    payload: dict[str, Any],
    needles: tuple[str, ...],
) -> None:
    token = await _seed(engine)
    response = await _post(client, payload, token)
    assert response.status_code == 400, response.text
    _bad_user_input(response, *needles)


async def test_body_that_is_not_json_is_bad_user_input(
    engine: AsyncEngine, client: httpx.AsyncClient
) -> None:
    token = await _seed(engine)
    response = await client.post(
        "/graphql",
        content=b'{"query": "{ __typename }"',
        headers={"token": token, "content-type": "application/json"},
    )
    assert response.status_code == 400, response.text
    _bad_user_input(response, "json")


async def test_standard_introspection_stays_within_the_limits(
    engine: AsyncEngine, client: httpx.AsyncClient
) -> None:
    """GraphiQL and code generators send this query: the limits must let it through."""
    token = await _seed(engine)
    response = await _post(client, {"query": get_introspection_query(descriptions=True)}, token)
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body
    assert body["data"]["__schema"]["queryType"]["name"] == "Query"


def _rest_case(
    params: list[tuple[str, str]], *needles: str
) -> tuple[list[tuple[str, str]], tuple[str, ...]]:
    return params, needles


def _with_campaign(*params: tuple[str, str]) -> list[tuple[str, str]]:
    return [("campaign_id", "1"), *params]


REST_CASES = {
    "campaign_id-missing": _rest_case([], "campaign_id"),
    "campaign_id-missing-with-filter": _rest_case([("status", "1")], "campaign_id"),
    "campaign_id-empty": _rest_case([("campaign_id", "")], "campaign_id"),
    "campaign_id-abc": _rest_case([("campaign_id", "abc")], "campaign_id"),
    "campaign_id-1.5": _rest_case([("campaign_id", "1.5")], "campaign_id"),
    "campaign_id-1e3": _rest_case([("campaign_id", "1e3")], "campaign_id"),
    "campaign_id-underscore": _rest_case([("campaign_id", "1_0")], "campaign_id"),
    "campaign_id-arabic-digit": _rest_case([("campaign_id", "\u0661")], "campaign_id"),
    "campaign_id-two-values": _rest_case([("campaign_id", "1,2")], "campaign_id"),
    "campaign_id-nul": _rest_case([("campaign_id", "1\x00")], "campaign_id"),
    "status-9": _rest_case(_with_campaign(("status", "9")), "status"),
    "status-x": _rest_case(_with_campaign(("status", "x")), "status"),
    "status-minus-1": _rest_case(_with_campaign(("status", "-1")), "status"),
    "status-1.5": _rest_case(_with_campaign(("status", "1.5")), "status"),
    "status-one-bad-of-two": _rest_case(_with_campaign(("status", "1"), ("status", "4")), "status"),
    "status-one-bad-in-comma-list": _rest_case(_with_campaign(("status", "1,9")), "status"),
    "status-bad-in-brackets": _rest_case(_with_campaign(("status[]", "x")), "status"),
    "attempt-minus-1": _rest_case(_with_campaign(("attempt", "-1")), "attempt"),
    "attempt-1001": _rest_case(_with_campaign(("attempt", "1001")), "attempt"),
    "attempt-abc": _rest_case(_with_campaign(("attempt", "abc")), "attempt"),
    "attempt-1.5": _rest_case(_with_campaign(("attempt", "1.5")), "attempt"),
    "attempt-huge": _rest_case(_with_campaign(("attempt", "9" * 40)), "attempt"),
    "attempt-one-bad-in-comma-list": _rest_case(_with_campaign(("attempt", "1,1001")), "attempt"),
    "status-101-repeated": _rest_case(_with_campaign(*[("status", "1")] * 101), "status"),
    "status-101-comma": _rest_case(_with_campaign(("status", ",".join(["2"] * 101))), "status"),
    "call_status-101-comma": _rest_case(
        _with_campaign(("call_status", ",".join(f"S{i}" for i in range(101)))), "call_status"
    ),
    "first_status-101-brackets": _rest_case(
        _with_campaign(*[("first_status[]", "BUSY")] * 101), "first_status"
    ),
    "last_status-101-repeated": _rest_case(
        _with_campaign(*[("last_status", "BUSY")] * 101), "last_status"
    ),
    "attempt-101-mixed": _rest_case(
        _with_campaign(("attempt", ",".join(str(i) for i in range(60))))
        + [("attempt", str(i)) for i in range(60, 101)],
        "attempt",
    ),
    "mobile_no-33": _rest_case(_with_campaign(("mobile_no", "1" * 33)), "mobile_no"),
    "mobile_no-long": _rest_case(_with_campaign(("mobile_no", "+1202" * 1000)), "mobile_no"),
}


def _rest_error(response: httpx.Response, status: int) -> str:
    """Checks the REST error body; returns its message."""
    assert response.status_code == status, response.text
    _assert_no_leak(response.text)
    body = response.json()
    assert list(body) == ["error"], body
    error = body["error"]
    assert set(error) == {"code", "message"}, body
    assert isinstance(error["code"], str)
    assert error["code"]
    assert isinstance(error["message"], str)
    assert error["message"]
    return str(error["message"])


@pytest.mark.parametrize(("params", "needles"), REST_CASES.values(), ids=REST_CASES.keys())
async def test_bad_rest_parameter_is_400(
    engine: AsyncEngine,
    client: httpx.AsyncClient,
    params: list[tuple[str, str]],
    needles: tuple[str, ...],
) -> None:
    token = await _seed(engine)
    response = await client.get(REST_PATH, params=params, headers={"token": token})
    message = _rest_error(response, 400)
    assert any(_names(message, needle) for needle in needles), (needles, message)


@pytest.mark.parametrize(
    "params",
    [
        _with_campaign(*[("status", "1")] * 100),
        _with_campaign(("call_status", ",".join(f"S{i}" for i in range(100)))),
        _with_campaign(*[("attempt[]", str(i)) for i in range(100)]),
        _with_campaign(("attempt", "0"), ("attempt", "1000")),
        _with_campaign(("mobile_no", "1" * 32)),
    ],
)
async def test_rest_values_at_the_bounds_are_accepted(
    engine: AsyncEngine, client: httpx.AsyncClient, params: list[tuple[str, str]]
) -> None:
    token = await _seed(engine)
    response = await client.get(REST_PATH, params=params, headers={"token": token})
    assert response.status_code == 200, response.text


async def test_rest_campaign_id_out_of_range_is_never_a_failure(
    engine: AsyncEngine, client: httpx.AsyncClient
) -> None:
    token = await _seed(engine)
    for campaign_id in (str(2**31), str(2**63), "9" * 40, "-1", "0"):
        response = await client.get(
            REST_PATH, params={"campaign_id": campaign_id}, headers={"token": token}
        )
        assert response.status_code in (400, 404), (campaign_id, response.text)
        _rest_error(response, response.status_code)


@pytest.mark.parametrize(
    "query_string",
    [
        b"campaign_id=1&mobile_no=%00",
        b"campaign_id=1&mobile_no=%ff%fe",
        b"campaign_id=1&mobile_no=%ed%a0%80",
        b"campaign_id=1&call_status=%00",
        b"campaign_id=1&first_status=%c3",
        b"campaign_id=1&status=%00",
        b"campaign_id=%ff",
        b"campaign_id=1&mobile_no=%25%5F%5C",
    ],
)
async def test_odd_rest_bytes_are_never_failures(
    engine: AsyncEngine, client: httpx.AsyncClient, query_string: bytes
) -> None:
    token = await _seed(engine)
    response = await client.get(f"{REST_PATH}?{query_string.decode()}", headers={"token": token})
    if response.status_code != 200:
        _rest_error(response, 400)


async def test_missing_campaign_is_404(engine: AsyncEngine, client: httpx.AsyncClient) -> None:
    token = await _seed(engine)
    response = await client.get(REST_PATH, params={"campaign_id": 99}, headers={"token": token})
    _rest_error(response, 404)


async def test_rest_checks_parameters_before_the_campaign(
    engine: AsyncEngine, client: httpx.AsyncClient
) -> None:
    """A bad parameter is a 400 whether or not the campaign exists."""
    token = await _seed(engine)
    for campaign_id in ("1", "99"):
        response = await client.get(
            REST_PATH, params={"campaign_id": campaign_id, "status": "9"}, headers={"token": token}
        )
        _rest_error(response, 400)


def _b64(raw: str) -> str:
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


FORGED_CURSORS = {
    "deeply nested": _b64("[" * 100_000),
    "timestamp past year 1": _b64('["audience:last_attempt_at:asc","0001-01-01T00:00:00+05:00",1]'),
    "too long": "A" * 1000,
}


@pytest.mark.parametrize("cursor", FORGED_CURSORS.values(), ids=FORGED_CURSORS.keys())
async def test_forged_cursor_is_bad_user_input(
    engine: AsyncEngine, client: httpx.AsyncClient, cursor: str
) -> None:
    token = await _seed(engine)
    order = {"field": "LAST_ATTEMPT_AT", "direction": "ASC"}
    response = await _post(
        client, {"query": PAGE, "variables": {"after": cursor, "orderBy": order}}, token
    )
    _bad_user_input(response, "after", "cursor")


async def test_campaign_cursor_past_32_bits_is_bad_user_input(
    engine: AsyncEngine, client: httpx.AsyncClient
) -> None:
    token = await _seed(engine)
    query = "query($after: String) { campaigns(after: $after) { totalCount } }"
    cursor = _b64(f'["campaign",1,{2**40}]')
    response = await _post(client, {"query": query, "variables": {"after": cursor}}, token)
    _bad_user_input(response, "after", "cursor")


@pytest.mark.parametrize("name", ["campaign_id", "attempt", "status"])
async def test_rest_number_of_thousands_of_digits_is_400(
    engine: AsyncEngine, client: httpx.AsyncClient, name: str
) -> None:
    token = await _seed(engine)
    params = {"campaign_id": "1", name: "1" * 5000}
    response = await client.get(REST_PATH, params=params, headers={"token": token})
    _rest_error(response, 400)


@pytest.mark.parametrize(
    "body",
    ['{"query": "{ __typename }", "variables": {"i": ' + "1" * 5000 + "}}", "[" * 100_000],
    ids=["huge number", "deep nesting"],
)
async def test_json_that_python_refuses_is_bad_user_input(
    engine: AsyncEngine, client: httpx.AsyncClient, body: str
) -> None:
    token = await _seed(engine)
    response = await client.post(
        "/graphql", content=body, headers={"token": token, "content-type": "application/json"}
    )
    assert response.status_code == 400
    _bad_user_input(response, "JSON")


@pytest.mark.parametrize(
    ("method", "path", "status", "code"),
    [
        ("GET", "/nowhere", 404, "NOT_FOUND"),
        ("POST", REST_PATH, 405, "BAD_USER_INPUT"),
        ("DELETE", "/graphql", 405, "BAD_USER_INPUT"),
    ],
)
async def test_unknown_paths_and_methods_answer_json(
    engine: AsyncEngine, client: httpx.AsyncClient, method: str, path: str, status: int, code: str
) -> None:
    token = await _seed(engine)
    response = await client.request(method, path, headers={"token": token})
    assert response.status_code == status
    body = response.json()
    found = body["errors"][0]["extensions"]["code"] if path == "/graphql" else body["error"]["code"]
    assert found == code
