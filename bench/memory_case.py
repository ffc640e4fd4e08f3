"""(e) Peak memory of a server process walking 1,000 records: 10 pages of 100 by cursor.
(The peak under the throughput load is read in throughput_case.)"""

from __future__ import annotations

from typing import Any

from bench.client import over_http
from bench.data import Dataset
from bench.database import Backend
from bench.pages_case import PAGE_SIZE, page
from bench.server import app_command, free_port, running

PAGES = 10


async def run(backend: Backend, dataset: Dataset) -> dict[str, Any]:
    big = dataset.big
    port = free_port()
    env = {"DATABASE_URL": backend.url}
    with running(app_command(port), env, f"{backend.name}-walk", port) as server:
        at_start = server.peak_rss_kib()
        seen: list[int] = []
        async with over_http(server.url, dataset.token(big)) as graphql:
            after = None
            for _ in range(PAGES):
                audience = await page(graphql, big.id, ("ID", "ASC"), after)
                seen += [edge["node"]["id"] for edge in audience["edges"]]
                after = audience["pageInfo"]["endCursor"]
        after_walk = server.peak_rss_kib()
    # Ids are unique and the campaign's first ones come first in id order.
    assert len(set(seen)) == PAGES * PAGE_SIZE
    assert seen == sorted(seen)
    return {
        "campaign": big.id,
        "pages": PAGES,
        "page_size": PAGE_SIZE,
        "peak_rss_kib_at_start": at_start,
        "peak_rss_kib_after_walk": after_walk,
    }
