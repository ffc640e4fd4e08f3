"""Error codes shared by the GraphQL and REST APIs."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import ClassVar

INTERNAL_MESSAGE = "Internal server error."


class ErrorCode(StrEnum):
    UNAUTHENTICATED = "UNAUTHENTICATED"
    NOT_FOUND = "NOT_FOUND"
    BAD_USER_INPUT = "BAD_USER_INPUT"
    INTERNAL_SERVER_ERROR = "INTERNAL_SERVER_ERROR"
    SERVICE_UNAVAILABLE = "SERVICE_UNAVAILABLE"
    REQUEST_TOO_LARGE = "REQUEST_TOO_LARGE"
    THROTTLED = "THROTTLED"
    MAX_COST_EXCEEDED = "MAX_COST_EXCEEDED"
    PERSISTED_QUERY_NOT_FOUND = "PERSISTED_QUERY_NOT_FOUND"
    PERSISTED_QUERY_NOT_IN_LIST = "PERSISTED_QUERY_NOT_IN_LIST"
    PERSISTED_QUERY_ID_REQUIRED = "PERSISTED_QUERY_ID_REQUIRED"


HTTP_STATUS = {
    ErrorCode.UNAUTHENTICATED: 401,
    ErrorCode.NOT_FOUND: 404,
    ErrorCode.BAD_USER_INPUT: 400,
    ErrorCode.INTERNAL_SERVER_ERROR: 500,
    ErrorCode.SERVICE_UNAVAILABLE: 503,
    ErrorCode.REQUEST_TOO_LARGE: 413,
    ErrorCode.THROTTLED: 429,
    ErrorCode.MAX_COST_EXCEEDED: 400,
    ErrorCode.PERSISTED_QUERY_NOT_FOUND: 400,
    ErrorCode.PERSISTED_QUERY_NOT_IN_LIST: 400,
    ErrorCode.PERSISTED_QUERY_ID_REQUIRED: 400,
}


class AppError(Exception):
    """An error whose message is safe to show to the client."""

    code: ErrorCode = ErrorCode.INTERNAL_SERVER_ERROR
    headers: ClassVar[Mapping[str, str]] = {}  # HTTP headers of the answer

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
        # Shown beside the code in a GraphQL error's extensions.
        self.extensions: Mapping[str, object] = {}

    def response_headers(self) -> Mapping[str, str]:
        return self.headers


class BadInput(AppError):
    code = ErrorCode.BAD_USER_INPUT

    def __init__(self, field: str, detail: str) -> None:
        super().__init__(f"{field}: {detail}")
        self.field = field
        self.detail = detail


class NotFound(AppError):
    code = ErrorCode.NOT_FOUND


class Unauthenticated(AppError):
    code = ErrorCode.UNAUTHENTICATED


def rest_error_body(code: ErrorCode, message: str) -> dict[str, object]:
    return {"error": {"code": code.value, "message": message}}


def graphql_error_body(code: ErrorCode, message: str) -> dict[str, object]:
    return {"errors": [{"message": message, "extensions": {"code": code.value}}]}


class Unavailable(AppError):
    """The database cannot be reached in time; the client may retry soon."""

    code = ErrorCode.SERVICE_UNAVAILABLE
    headers: ClassVar[Mapping[str, str]] = {"Retry-After": "1"}

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.extensions = {"retryAfter": 1}


class TooLarge(AppError):
    code = ErrorCode.REQUEST_TOO_LARGE
