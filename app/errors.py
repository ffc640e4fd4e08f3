"""Error codes shared by the GraphQL and REST APIs."""

from __future__ import annotations

from enum import StrEnum

INTERNAL_MESSAGE = "Internal server error."


class ErrorCode(StrEnum):
    UNAUTHENTICATED = "UNAUTHENTICATED"
    NOT_FOUND = "NOT_FOUND"
    BAD_USER_INPUT = "BAD_USER_INPUT"
    INTERNAL_SERVER_ERROR = "INTERNAL_SERVER_ERROR"


HTTP_STATUS = {
    ErrorCode.UNAUTHENTICATED: 401,
    ErrorCode.NOT_FOUND: 404,
    ErrorCode.BAD_USER_INPUT: 400,
    ErrorCode.INTERNAL_SERVER_ERROR: 500,
}


class AppError(Exception):
    """An error whose message is safe to show to the client."""

    code: ErrorCode = ErrorCode.INTERNAL_SERVER_ERROR

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class BadInput(AppError):
    code = ErrorCode.BAD_USER_INPUT

    def __init__(self, field: str, detail: str) -> None:
        super().__init__(f"{field}: {detail}")
        self.field = field
        self.detail = detail


class NotFound(AppError):
    code = ErrorCode.NOT_FOUND


def rest_error_body(code: ErrorCode, message: str) -> dict[str, object]:
    return {"error": {"code": code.value, "message": message}}


def graphql_error_body(code: ErrorCode, message: str) -> dict[str, object]:
    return {"errors": [{"message": message, "extensions": {"code": code.value}}]}
