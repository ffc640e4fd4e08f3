"""GraphQL clients of the app: over HTTP to a server process, or in-process through ASGI."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from typing import Any

import httpx
from asgi_lifespan import LifespanManager

from app.app import create_app
from app.settings import Settings

STATS_FIELDS = "totalAudience totalAttempt totalDuration successfulCalls coverage"

STATS = f"""query Stats($campaignId: Int!, $filter: AudienceFilter) {{
  campaignAudienceStats(campaignId: $campaignId, filter: $filter) {{ {STATS_FIELDS} }}
}}"""


class GraphQL:
    def __init__(self, http: httpx.AsyncClient, token: str) -> None:
        self.http = http
        self.headers = {"token": token}

    async def __call__(self, query: str, **variables: Any) -> dict[str, Any]:
        response = await self.http.post(
            "/graphql", json={"query": query, "variables": variables}, headers=self.headers
        )
        body = response.json()
        if response.status_code != 200 or body.get("errors"):
            raise RuntimeError(f"GraphQL request failed ({response.status_code}): {body}")
        data: dict[str, Any] = body["data"]
        return data


@asynccontextmanager
async def over_http(base_url: str, token: str) -> AsyncIterator[GraphQL]:
    async with httpx.AsyncClient(base_url=base_url, timeout=120) as http:
        yield GraphQL(http, token)


@asynccontextmanager
async def in_process(
    database_url: str, token: str, response_cache_size: int | None = None
) -> AsyncIterator[GraphQL]:
    """The whole app (lifespan, middleware) called through ASGI, without a socket."""
    settings = Settings(database_url=database_url)
    if response_cache_size is not None:
        settings = replace(settings, response_cache_size=response_cache_size)
    app = create_app(settings)
    async with LifespanManager(app) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as http:
            yield GraphQL(http, token)


def stats_of(data: dict[str, Any]) -> tuple[int, int, int, int]:
    """(total audience, attempts, duration, successful calls) of an AudienceStats object."""
    return (
        int(data["totalAudience"]),
        int(data["totalAttempt"]),
        int(data["totalDuration"]),
        int(data["successfulCalls"]),
    )
