"""Parse and validate each document once: a dashboard sends the same few again and again.

Validation was 40 % of a small stats request's time before these caches (BENCHMARKS.md, d).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import suppress

from graphql import GraphQLError
from strawberry import extensions
from strawberry.extensions import ValidationCache

__all__ = ["ParserCache", "ValidationCache"]


class ParserCache(extensions.ParserCache):
    """Strawberry's parser cache, except that a document that does not parse is left to
    Strawberry's own parse, which reports the syntax error like any other (with its code)
    rather than as an exception from an extension hook."""

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        if context.query:
            with suppress(GraphQLError):
                context.graphql_document = self.cached_parse_document(
                    context.query, **context.parse_options
                )
        yield
