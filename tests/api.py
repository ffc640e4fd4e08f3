"""Requests to the app under test, as a client would send them."""

from __future__ import annotations

from typing import Any

import httpx

REST_PATH = "/api/v1/global/campaign-audience-stats"


async def graphql(
    client: httpx.AsyncClient,
    query: str,
    variables: dict[str, Any] | None = None,
    *,
    token: str | None,
    status: int = 200,
) -> dict[str, Any]:
    """POST a GraphQL document; returns the JSON body after checking the HTTP status."""
    headers = {"token": token} if token else {}
    response = await client.post(
        "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
    )
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
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
