"""The schema, its limits and its error handling."""

from __future__ import annotations

from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.schema.config import StrawberryConfig
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from app.graphql.caches import ParserCache, ValidationCache
from app.graphql.cost import QueryCost
from app.graphql.errors import ErrorCodes, log_internal_errors
from app.graphql.limits import LIMITS
from app.graphql.query import Query
from app.graphql.scalars import SCALAR_MAP
from app.graphql.subscription import SocketOperations, Subscription


class EventExecutionContext(StrawberryGraphQLCoreExecutionContext):
    """Each event a subscription pushes collects its subfields afresh. graphql-core 3.3's
    executor for an event shares its parent's memo, keyed by the identity of lists that
    every event makes anew, so the memo grew by each push (about 1.6 KiB) for as long as the
    subscription lived: 128 to 300 MiB in 150 s of the live bench (BENCHMARKS.md, l)."""

    def build_per_event_executor(self, payload: Any) -> Any:
        executor = super().build_per_event_executor(payload)
        executor._relevant_sub_fields = {}
        return executor


class Schema(strawberry.Schema):
    def process_errors(self, errors: list[GraphQLError], execution_context: Any = None) -> None:
        # Client mistakes are answered, not logged; only unexpected failures are logged.
        log_internal_errors(errors)


schema = Schema(
    query=Query,
    subscription=Subscription,
    config=StrawberryConfig(scalar_map=SCALAR_MAP),
    # The caches come after the limits, which check the raw text and set the parser's
    # token limit.
    extensions=[*LIMITS, ParserCache, ValidationCache, SocketOperations, QueryCost, ErrorCodes],
    execution_context_class=EventExecutionContext,
)
