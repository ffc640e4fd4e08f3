"""(b) Audience pages of the big campaign over HTTP: the first page, and the page after
99,900 records reached by cursor, in every ordering."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Engine

from bench.client import GraphQL, in_process, over_http
from bench.data import DATA, Dataset
from bench.database import Backend, Raw, Statement, capturing
from bench.measure import STEADY_WARMUP, Runner, interleaved, median_ms

TARGET = 1.5  # deep page / first page, at the median
PAGE_SIZE = 100
DEPTH = 99_900  # records before the deep page
REPEATS = 21  # pages take milliseconds: more rounds for a steady median

ORDERINGS = [
    (field, direction)
    for field in ("ID", "ATTEMPT", "DURATION", "LAST_ATTEMPT_AT")
    for direction in ("ASC", "DESC")
]

NODE = (
    "id mobileNo status callStatus firstStatus lastStatus attempt duration lastAttemptAt"
    " lastDisposition inputData"
)
PAGE = f"""query Page($campaignId: Int!, $after: String, $orderBy: AudienceOrder) {{
  campaign(id: $campaignId) {{
    audience(first: {PAGE_SIZE}, after: $after, orderBy: $orderBy) {{
      pageInfo {{ hasNextPage endCursor }}
      edges {{ cursor node {{ {NODE} }} }}
    }}
  }}
}}"""
# The walk to the deep cursor asks only for what it needs.
WALK = f"""query Walk($campaignId: Int!, $after: String, $orderBy: AudienceOrder) {{
  campaign(id: $campaignId) {{
    audience(first: {PAGE_SIZE}, after: $after, orderBy: $orderBy) {{
      pageInfo {{ endCursor }}
    }}
  }}
}}"""


def order_by(field: str, direction: str) -> dict[str, str]:
    return {"field": field, "direction": direction}


async def page(
    graphql: GraphQL, campaign_id: int, ordering: tuple[str, str], after: str | None
) -> dict[str, Any]:
    data = await graphql(PAGE, campaignId=campaign_id, after=after, orderBy=order_by(*ordering))
    audience: dict[str, Any] = data["campaign"]["audience"]
    return audience


async def walk(graphql: GraphQL, campaign_id: int, ordering: tuple[str, str]) -> str:
    """The endCursor after DEPTH records, page by page."""
    after: str | None = None
    for _ in range(DEPTH // PAGE_SIZE):
        data = await graphql(WALK, campaignId=campaign_id, after=after, orderBy=order_by(*ordering))
        after = data["campaign"]["audience"]["pageInfo"]["endCursor"]
    assert after is not None
    return after


def reference_ids(backend: Backend, campaign_id: int, ordering: tuple[str, str]) -> Statement:
    """The ids of the deep page by OFFSET: slow, but independent of the app's keyset code."""
    field, direction = ordering
    key = "id" if field == "ID" else f"{field.lower()} {direction} NULLS LAST, id"
    marks = ("?", "?") if backend.name == "sqlite" else ("$1", "$2")
    sql = (
        f"SELECT id FROM campaign_audience WHERE campaign_id = {marks[0]}"  # noqa: S608
        f" ORDER BY {key} {direction} LIMIT {PAGE_SIZE} OFFSET {marks[1]}"
    )
    return Statement("reference", sql, (campaign_id, DEPTH))


async def deep_cursors(
    backend: Backend, dataset: Dataset, graphql: GraphQL, raw: Raw
) -> dict[str, str]:
    """Each ordering's cursor after DEPTH records; walked once, then cached."""
    big = dataset.big
    cache = DATA / dataset.key / f"cursors-{backend.name}.json"
    cursors: dict[str, str] = json.loads(cache.read_text()) if cache.exists() else {}
    for ordering in ORDERINGS:
        name = " ".join(ordering)
        if name not in cursors:
            print(f"  walking {DEPTH:,} records by {name}", flush=True)
            cursors[name] = await walk(graphql, big.id, ordering)
            cache.write_text(json.dumps(cursors, indent=1))
        # The deep page must hold the records an OFFSET query finds there.
        deep = await page(graphql, big.id, ordering, cursors[name])
        expected = [row[0] for row in await raw.fetch(reference_ids(backend, big.id, ordering))]
        got = [edge["node"]["id"] for edge in deep["edges"]]
        assert got == expected, f"{name}: deep page differs from OFFSET {DEPTH}"
    return cursors


async def run(backend: Backend, dataset: Dataset, server_url: str) -> dict[str, Any]:
    big, token = dataset.big, dataset.token(dataset.big)
    raw = await backend.raw()
    try:
        async with over_http(server_url, token) as graphql:
            cursors = await deep_cursors(backend, dataset, graphql, raw)
            sql = await _capture(backend, token, big.id, cursors)

            def ways(ordering: tuple[str, str]) -> dict[str, Runner]:
                name = " ".join(ordering)
                deep = cursors[name]
                return {
                    f"{name}|first": lambda: page(graphql, big.id, ordering, None),
                    f"{name}|deep": lambda: page(graphql, big.id, ordering, deep),
                    f"{name}|first raw": lambda: raw.fetch(sql[f"first page, {name}"]),
                    f"{name}|deep raw": lambda: raw.fetch(sql[f"deep page, {name}"]),
                }

            runners: dict[str, Runner] = {}
            for ordering in ORDERINGS:
                runners |= ways(ordering)
            samples = await interleaved(runners, repeats=REPEATS, warmup=STEADY_WARMUP)
    finally:
        await raw.close()
    rows = []
    for ordering in ORDERINGS:
        name = " ".join(ordering)
        ms = {
            way: median_ms(samples[f"{name}|{way}"])
            for way in ("first", "deep", "first raw", "deep raw")
        }
        rows.append(
            {
                "ordering": name,
                "first_ms": ms["first"],
                "deep_ms": ms["deep"],
                "first_raw_ms": ms["first raw"],
                "deep_raw_ms": ms["deep raw"],
                "ratio": ms["deep"] / ms["first"],
                "holds": ms["deep"] / ms["first"] <= TARGET,
            }
        )
    return {
        "campaign": {"id": big.id, "audience": big.audience},
        "page_size": PAGE_SIZE,
        "depth": DEPTH,
        "repeats": REPEATS,
        "warmup": STEADY_WARMUP,
        "target": TARGET,
        "rows": rows,
    }


async def _capture(
    backend: Backend, token: str, campaign_id: int, cursors: dict[str, str]
) -> dict[str, Statement]:
    """The page statements the app sends, first and deep, captured in-process, by label."""
    found = {}
    async with in_process(backend.url, token) as graphql:
        for ordering in ORDERINGS:
            name = " ".join(ordering)
            for label, after in (("first page", None), ("deep page", cursors[name])):
                with capturing(Engine) as capture:
                    await page(graphql, campaign_id, ordering, after)
                statement = capture.one(f"{label}, {name}", "FROM campaign_audience")
                found[statement.label] = statement
    return found


async def statements(backend: Backend, dataset: Dataset) -> list[Statement]:
    token = dataset.token(dataset.big)
    raw = await backend.raw()
    try:
        async with in_process(backend.url, token) as graphql:
            cursors = await deep_cursors(backend, dataset, graphql, raw)
    finally:
        await raw.close()
    return list((await _capture(backend, token, dataset.big.id, cursors)).values())
