"""(d, continued) What one stats request costs in each layer, timed directly rather than
sampled, since a profiler's own cost inflates call-heavy code such as the GraphQL parser.

The GraphQL phases are timed by an extension around the app's own (limits and caches
included), on a copy of the app's schema that adds it.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from strawberry.extensions import SchemaExtension

from app.db import create_engine
from app.filters import NO_FILTER
from app.graphql.caches import ParserCache, ValidationCache
from app.graphql.context import Context
from app.graphql.response_cache import ResponseCache
from app.graphql.schema import schema
from app.loaders import Loaders
from app.repository import Repository
from app.settings import RateLimits
from app.throttle import Budget, buckets_for
from bench.client import STATS, in_process
from bench.data import Dataset
from bench.database import Backend, Statement, capturing
from bench.measure import Runner, interleaved, median_ms

REPEATS = 200
WARMUP = 20

PHASES: dict[str, list[float]] = defaultdict(list)


class PhaseTimes(SchemaExtension):
    """Seconds of each phase of an operation, as the hooks inside it see them."""

    def _timed(self, phase: str) -> Iterator[None]:
        started = time.perf_counter()
        yield
        PHASES[phase].append(time.perf_counter() - started)

    def on_parse(self) -> Iterator[None]:
        yield from self._timed("parse")

    def on_validate(self) -> Iterator[None]:
        yield from self._timed("validate")

    def on_execute(self) -> Iterator[None]:
        yield from self._timed("execute")


# Outermost, so that each phase's time includes the app's extensions of it.
timed_schema = type(schema)(
    query=schema.query, config=schema.config, extensions=[PhaseTimes, *schema.extensions]
)
# The app's schema as it was before its parser and validation caches: their gain, side by side.
uncached_schema = type(schema)(
    query=schema.query,
    config=schema.config,
    extensions=[e for e in schema.extensions if e not in (ParserCache, ValidationCache)],
)


async def run(backend: Backend, dataset: Dataset) -> dict[str, Any]:
    small = dataset.small
    token, workspace = dataset.token(small), small.workspace_id
    variables = {"campaignId": small.id}
    engine = create_engine(backend.url)
    repository = Repository(engine)
    buckets = buckets_for(RateLimits(), None, "bench")

    async def execute(on: Any = timed_schema) -> dict[str, Any]:
        loaders = Loaders(repository, workspace)
        context = Context(workspace, loaders, Budget(buckets, "bench"), ResponseCache(0))
        result = await on.execute(STATS, variable_values=variables, context_value=context)
        assert not result.errors, result.errors
        return {"data": result.data}

    with capturing(engine) as capture:  # the request's statements: its token is remembered
        answer = await execute()
    statements = [Statement("", sql, params) for sql, params in capture.statements]
    PHASES.clear()
    raw = await backend.raw()

    async def raw_statements() -> None:
        for statement in statements:
            await raw.fetch(statement)

    async def serialise() -> None:
        json.dumps(answer)

    async def data() -> None:
        await asyncio.gather(
            repository.campaigns(workspace, [small.id]),
            repository.stats(workspace, [small.id], NO_FILTER),
        )

    try:
        async with (
            in_process(backend.url, token, response_cache_size=0) as graphql,
            in_process(backend.url, token) as kept,
        ):
            runners: dict[str, Runner] = {
                "token lookup": lambda: repository.workspace_for_token(token),
                "campaign + stats": data,
                "schema.execute": execute,
                "schema.execute, no caches": lambda: execute(uncached_schema),
                "serialise": serialise,
                "raw statements": raw_statements,
                "request": lambda: graphql(STATS, **variables),
                "request, answer kept": lambda: kept(STATS, **variables),
            }
            samples = await interleaved(runners, repeats=REPEATS, warmup=WARMUP)
    finally:
        await raw.close()
        await engine.dispose()
    ms = {name: median_ms(times) for name, times in samples.items()}
    # The in-process requests run the app's schema, not the timed one: these are only ours.
    ms |= {phase: median_ms(times[WARMUP:]) for phase, times in PHASES.items()}
    return {
        "repeats": REPEATS,
        "warmup": WARMUP,
        "ms": ms,
        "statements": len(statements),
        "execution_ms": ms["execute"] - ms["campaign + stats"],
        # The token is remembered (app.auth.Tokens): the request looks it up only now and then.
        "http_ms": ms["request"] - ms["schema.execute"] - ms["serialise"],
    }
