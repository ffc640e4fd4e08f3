"""Requests to the app under test, as a client would send them."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

import httpx

from tests.reference import AUDIENCE_STATUS_CODES

REST_PATH = "/api/v1/global/campaign-audience-stats"
# How a REST list is spelt: `k=1&k=2`, `k[]=1&k[]=2` or `k=1,2`.
ListEncoding = Literal["repeat", "bracket", "comma"]
LIST_ENCODINGS: tuple[ListEncoding, ...] = ("repeat", "bracket", "comma")
# AudienceFilter list field -> REST parameter.
REST_LISTS = {
    "status": "status",
    "callStatus": "call_status",
    "firstStatus": "first_status",
    "lastStatus": "last_status",
    "attempt": "attempt",
    "lastDisposition": "last_disposition",
    "isNull": "is_null",
}


def rest_filter(
    audience_filter: dict[str, Any] | None, encoding: ListEncoding = "repeat"
) -> list[tuple[str, str]]:
    """A GraphQL AudienceFilter as REST query parameters: status codes, lists in one encoding
    (a single value is a list of one)."""
    params: list[tuple[str, str]] = []
    audience_filter = audience_filter or {}
    if audience_filter.get("mobileNo") is not None:
        params.append(("mobile_no", audience_filter["mobileNo"]))
    for field, key in REST_LISTS.items():
        value = audience_filter.get(field)
        if value is None:
            continue
        values = value if isinstance(value, list) else [value]
        texts = [_rest_value(field, v) for v in values]
        if encoding == "repeat":
            params += [(key, text) for text in texts]
        elif encoding == "bracket":
            params += [(f"{key}[]", text) for text in texts]
        else:
            # An empty list is an empty string here: no constraint either.
            params.append((key, ",".join(texts)))
    within = audience_filter.get("lastAttemptAt") or {}
    for end in ("from", "to"):
        if within.get(end) is not None:
            moment = within[end]
            text = moment.isoformat() if isinstance(moment, datetime) else moment
            params.append((f"last_attempt_at_{end}", text))
    return params


def _rest_value(field: str, value: Any) -> str:
    if field == "status":
        return str(AUDIENCE_STATUS_CODES[value])
    return value.lower() if field == "isNull" else str(value)


async def graphql(
    client: httpx.AsyncClient,
    query: str,
    variables: dict[str, Any] | None = None,
    *,
    token: str | None,
    status: int = 200,
    cost: bool = False,
) -> dict[str, Any]:
    """POST a GraphQL document; returns the JSON body after checking the HTTP status.

    An operation that ran reports its cost (`extensions.cost`); it is checked here and left
    out of the body returned, unless `cost` asks for it.
    """
    headers = {"token": token} if token else {}
    response = await client.post(
        "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
    )
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    if not cost:
        without_cost(body)
    return body


def without_cost(body: dict[str, Any]) -> dict[str, Any]:
    """The body without its cost report, once the report is checked for Shopify's shape."""
    extensions = body.get("extensions") or {}
    report = extensions.pop("cost", None)
    if report is not None:
        assert set(report) == {"requestedQueryCost", "actualQueryCost", "throttleStatus"}
        requested, actual = report["requestedQueryCost"], report["actualQueryCost"]
        assert isinstance(requested, int)
        assert requested >= 0
        assert actual is None or actual >= 0  # a breakdown may return more than priced
        throttle = report["throttleStatus"]
        assert set(throttle) == {"maximumAvailable", "currentlyAvailable", "restoreRate"}
        assert 0 <= throttle["currentlyAvailable"] <= throttle["maximumAvailable"]
    if "extensions" in body and not extensions:
        del body["extensions"]
    return body


async def rest(
    client: httpx.AsyncClient, params: Any, *, token: str | None, status: int = 200
) -> dict[str, Any]:
    headers = {"token": token} if token else {}
    response = await client.get(REST_PATH, params=params, headers=headers)
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    return body


def error_codes(body: dict[str, Any]) -> list[str]:
    return [error["extensions"]["code"] for error in body.get("errors", [])]
