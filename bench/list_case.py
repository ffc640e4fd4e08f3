"""(j) The REST audience list of the big campaign over HTTP: page 1 and page 1,000 of 100
records (offset 99,900), with the plan of the deep page's statement."""

from __future__ import annotations

from typing import Any

import httpx
from asgi_lifespan import LifespanManager
from sqlalchemy import Engine

from app.app import create_app
from app.routes import LIST_PATH
from app.settings import Settings
from bench.data import Dataset
from bench.database import Backend, Statement, capturing
from bench.measure import STEADY_WARMUP, interleaved, median_ms

TARGET = 3.0  # page 1,000 / page 1, at the median
LIMIT = 100
DEEP_PAGE = 1_000
REPEATS = 21


async def _page(http: httpx.AsyncClient, campaign_id: int, page: int) -> list[dict[str, Any]]:
    response = await http.get(
        LIST_PATH, params={"campaign_id": campaign_id, "page": page, "limit": LIMIT}
    )
    if response.status_code != 200:
        raise RuntimeError(f"audience-list failed ({response.status_code}): {response.text}")
    records: list[dict[str, Any]] = response.json()["datalist"]
    return records


def _reference(backend: Backend, campaign_id: int) -> Statement:
    """The ids of the deep page by a plain OFFSET over the records."""
    marks = ("?", "?") if backend.name == "sqlite" else ("$1", "$2")
    sql = (
        f"SELECT id FROM campaign_audience WHERE campaign_id = {marks[0]}"  # noqa: S608
        f" ORDER BY id LIMIT {LIMIT} OFFSET {marks[1]}"
    )
    return Statement("reference", sql, (campaign_id, (DEEP_PAGE - 1) * LIMIT))


async def _deep_statement(backend: Backend, token: str, campaign_id: int) -> Statement:
    """The page statement the route sends for the deep page, captured in-process."""
    app = create_app(Settings(database_url=backend.url))
    async with LifespanManager(app) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://bench", headers={"token": token}
        ) as http:
            with capturing(Engine) as capture:
                await _page(http, campaign_id, DEEP_PAGE)
    return capture.one(f"page {DEEP_PAGE}", "LIMIT")


async def run(backend: Backend, dataset: Dataset, server_url: str) -> dict[str, Any]:
    big, token = dataset.big, dataset.token(dataset.big)
    raw = await backend.raw()
    try:
        deep_sql = await _deep_statement(backend, token, big.id)
        plan = await raw.explain(deep_sql)
        expected = [row[0] for row in await raw.fetch(_reference(backend, big.id))]
        async with httpx.AsyncClient(
            base_url=server_url, timeout=120, headers={"token": token}
        ) as http:
            got = [record["id"] for record in await _page(http, big.id, DEEP_PAGE)]
            assert got == expected, f"page {DEEP_PAGE} differs from OFFSET"
            samples = await interleaved(
                {
                    "list|first": lambda: _page(http, big.id, 1),
                    "list|deep": lambda: _page(http, big.id, DEEP_PAGE),
                },
                repeats=REPEATS,
                warmup=STEADY_WARMUP,
            )
    finally:
        await raw.close()
    first, deep = median_ms(samples["list|first"]), median_ms(samples["list|deep"])
    return {
        "campaign": {"id": big.id, "audience": big.audience},
        "limit": LIMIT,
        "deep_page": DEEP_PAGE,
        "repeats": REPEATS,
        "warmup": STEADY_WARMUP,
        "target": TARGET,
        "first_ms": first,
        "deep_ms": deep,
        "ratio": deep / first,
        "holds": deep / first <= TARGET,
        "statement": deep_sql.sql,
        "parameters": [repr(p) for p in deep_sql.params],
        "plan": plan,
    }
