"""Every GraphQL error gets an extensions.code; unexpected ones are masked and logged."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from app.errors import INTERNAL_MESSAGE, AppError, ErrorCode

logger = logging.getLogger("app.graphql")


def error_code(error: GraphQLError) -> ErrorCode:
    if isinstance(error.original_error, AppError):
        return error.original_error.code
    # Errors without a path come before execution: syntax, validation, variables, limits.
    if error.path is None and (
        error.original_error is None or isinstance(error.original_error, GraphQLError)
    ):
        return ErrorCode.BAD_USER_INPUT
    return ErrorCode.INTERNAL_SERVER_ERROR


def log_internal_errors(errors: list[GraphQLError]) -> None:
    for error in errors:
        if error_code(error) is ErrorCode.INTERNAL_SERVER_ERROR:
            logger.error("GraphQL resolver failed at %s", error.path, exc_info=error.original_error)


def coded(error: GraphQLError) -> GraphQLError:
    """The error as the client sees it: a code, and no internal detail."""
    code = error_code(error)
    message = INTERNAL_MESSAGE if code is ErrorCode.INTERNAL_SERVER_ERROR else error.message
    original = error.original_error
    shown = original.extensions if isinstance(original, AppError) else {}
    return GraphQLError(
        message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        extensions={"code": code.value, **shown},
    )


class ErrorCodes(SchemaExtension):
    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if result is not None and result.errors:
            result.errors = [coded(error) for error in result.errors]

    def on_stream_result(self, result: Any) -> Iterator[None]:
        # Each result a subscription pushes (or its error before the first one).
        if result.errors:
            result.errors = [coded(error) for error in result.errors]
        yield
