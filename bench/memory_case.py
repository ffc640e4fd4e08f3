"""(e) Peak memory of a server process walking 1,000 records (10 pages of 100 by cursor),
then answering oversized bodies: 4 clients at once each sending a 100 MB body, declared by
Content-Length, then 4 sending one chunked. (The peak under the throughput load is read in
throughput_case.)"""

from __future__ import annotations

import asyncio
import time
from typing import Any
from urllib.parse import urlsplit

from bench.client import over_http
from bench.data import Dataset
from bench.database import Backend
from bench.pages_case import PAGE_SIZE, page
from bench.server import app_command, free_port, running

PAGES = 10
OVERSIZED = 100 * 10**6  # bytes of each oversized body, as the issue sent them
CLIENTS = 4
CHUNK = 2**20


async def oversized(url: str, token: str, *, chunked: bool) -> tuple[int, float]:
    """Sends a 100 MB GraphQL body (padding in extensions) until the server answers; the
    status and the seconds it took to answer."""
    address = urlsplit(url)
    reader, writer = await asyncio.open_connection(address.hostname, address.port)
    framing = "Transfer-Encoding: chunked" if chunked else f"Content-Length: {OVERSIZED}"
    writer.write(
        f"POST /graphql HTTP/1.1\r\nHost: {address.netloc}\r\ntoken: {token}\r\n"
        f"Content-Type: application/json\r\n{framing}\r\n\r\n".encode()
    )
    started = time.perf_counter()
    answer = asyncio.ensure_future(reader.readline())
    chunk = b"x" * CHUNK
    framed = f"{CHUNK:x}\r\n".encode() + chunk + b"\r\n" if chunked else chunk
    try:
        for _ in range(OVERSIZED // CHUNK):
            if answer.done():
                break
            writer.write(framed)
            await writer.drain()
    except ConnectionError:
        pass  # the server answered and closed while the body was still coming
    status_line = await answer
    seconds = time.perf_counter() - started
    writer.close()
    return int(status_line.split()[1]), seconds


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
        token = dataset.token(big)
        answers = {}
        peaks = {}
        for chunked in (False, True):
            found = await asyncio.gather(
                *(oversized(server.url, token, chunked=chunked) for _ in range(CLIENTS))
            )
            kind = "chunked" if chunked else "content_length"
            answers[kind] = {
                "statuses": sorted({status for status, _ in found}),
                "max_seconds": max(seconds for _, seconds in found),
            }
            peaks[kind] = server.peak_rss_kib()
    # Ids are unique and the campaign's first ones come first in id order.
    assert len(set(seen)) == PAGES * PAGE_SIZE
    assert seen == sorted(seen)
    return {
        "campaign": big.id,
        "pages": PAGES,
        "page_size": PAGE_SIZE,
        "peak_rss_kib_at_start": at_start,
        "peak_rss_kib_after_walk": after_walk,
        "oversized_bytes": OVERSIZED,
        "oversized_clients": CLIENTS,
        "oversized_answers": answers,
        "peak_rss_kib_after_oversized": peaks,
    }
