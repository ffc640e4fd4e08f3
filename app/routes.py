"""Where each API is served, and error responses in the shape of the API a path belongs to."""

from __future__ import annotations

from collections.abc import Mapping

from starlette.responses import JSONResponse

from app.errors import HTTP_STATUS, ErrorCode, graphql_error_body, rest_error_body

GRAPHQL_PATH = "/graphql"
STATS_PATH = "/api/v1/global/campaign-audience-stats"
LIST_PATH = "/api/v1/global/audience-list"
BREAKDOWN_PATH = "/api/v1/global/campaign-audience-breakdown"


def error_response(
    path: str,
    code: ErrorCode,
    message: str,
    *,
    status: int | None = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    """The error in GraphQL's shape on the GraphQL endpoint, else in REST's; the HTTP status
    is the code's unless given."""
    body = (
        graphql_error_body(code, message)
        if path == GRAPHQL_PATH
        else rest_error_body(code, message)
    )
    return JSONResponse(body, status_code=status or HTTP_STATUS[code], headers=headers)
