"""The ASGI GraphQL endpoint: GraphiQL for browsers, the API for everyone with a token."""

from __future__ import annotations

import json

from cross_web import HTTPException
from starlette.datastructures import Headers, QueryParams
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLHTTPResponse

from app.errors import ErrorCode, Unavailable, graphql_error_body
from app.graphiql.page import ASSETS_PATH, graphiql_page
from app.graphql.context import Context
from app.graphql.schema import schema
from app.loaders import Loaders
from app.routes import GRAPHQL_PATH


def is_graphiql_page(scope: Scope) -> bool:
    """A browser asking for the GraphiQL page or a file it loads: neither needs a token."""
    if scope["type"] != "http":
        return False
    if scope["method"] in ("GET", "HEAD") and scope["path"].startswith(f"{ASSETS_PATH}/"):
        return True
    return _is_page_request(scope)


def _is_page_request(scope: Scope) -> bool:
    """A GET of the endpoint without a query, accepting HTML."""
    if scope["method"] != "GET" or scope["path"] != GRAPHQL_PATH:
        return False
    accept = Headers(scope=scope).get("accept", "")
    return "query" not in QueryParams(scope["query_string"]) and (
        "text/html" in accept or "*/*" in accept
    )


class GraphQLView(GraphQL[Context, None]):
    def __init__(self) -> None:
        # Strawberry's own page loads GraphiQL from a CDN; ours is served by the app.
        super().__init__(schema, graphql_ide=None)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        response: Response
        if _is_page_request(scope):
            # The page needs no token, so it is answered before get_context asks for one.
            response = await graphiql_page(Request(scope, receive))
        else:
            try:
                response = await self.run(Request(scope, receive))
            except HTTPException as error:
                # Strawberry answers a malformed request in plain text; ours carry a code.
                body = graphql_error_body(ErrorCode.BAD_USER_INPUT, error.reason)
                response = JSONResponse(body, status_code=error.status_code)
        await response(scope, receive, send)

    def create_response(
        self, response_data: GraphQLHTTPResponse | list[GraphQLHTTPResponse], sub_response: Response
    ) -> Response:
        response = super().create_response(response_data, sub_response)
        # A database outage is the whole answer's fate: 503, so clients and balancers retry.
        errors = response_data.get("errors") if isinstance(response_data, dict) else None
        codes = {
            (e.get("extensions") or {}).get("code") for e in errors or () if isinstance(e, dict)
        }
        if ErrorCode.SERVICE_UNAVAILABLE in codes:
            response.status_code = 503
            response.headers.update(Unavailable.headers)
        return response

    def decode_json(self, data: str | bytes) -> object:
        # Very long numbers and very deep nesting raise more than JSONDecodeError.
        try:
            return json.loads(data)
        except (ValueError, RecursionError):
            raise HTTPException(400, "The request is not valid JSON.") from None

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> Context:
        repository = request.state.repository
        workspace_id: int = request.state.workspace_id
        return Context(workspace_id, repository, Loaders(repository, workspace_id))
