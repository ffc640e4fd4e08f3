"""The ASGI GraphQL endpoint: GraphiQL for browsers, the API for everyone with a token."""

from __future__ import annotations

import json
import logging
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import timedelta
from functools import partial
from typing import Any, cast

from cross_web import AsyncHTTPRequestAdapter, HTTPException
from graphql import GraphQLError
from starlette.datastructures import Headers, QueryParams
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData
from strawberry.http.base import BaseRequestProtocol
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.types import (
    ErrorMessage,
    SubscribeMessage,
)
from strawberry.types import ExecutionResult
from strawberry.types.unset import UNSET, UnsetType

from app.auth import token_from
from app.errors import HTTP_STATUS, AppError, BadInput, ErrorCode, graphql_error_body
from app.graphiql.page import ASSETS_PATH, graphiql_page
from app.graphql import response_cache
from app.graphql.context import Context, SocketContext
from app.graphql.cost import cost_report
from app.graphql.documents import Documents, PersistedQueryError
from app.graphql.response_cache import Answer
from app.graphql.schema import schema
from app.loaders import Loaders
from app.logs import OPERATION_NAME, access_of
from app.routes import GRAPHQL_PATH
from app.settings import LiveLimits
from app.throttle import Budget
from app.tokens import hash_token

# The response media types of GraphQL over HTTP. application/json is the legacy one: every
# well-formed request is answered 200. application/graphql-response+json answers a request
# error (no data: execution never started) with a 4xx status.
JSON = "application/json"
GRAPHQL_RESPONSE = "application/graphql-response+json"
_CONTENT_TYPE = {JSON: JSON, GRAPHQL_RESPONSE: f"{GRAPHQL_RESPONSE}; charset=utf-8"}

# Codes that set the status of the whole answer (HTTP_STATUS), under either media type and
# even next to data: the client should retry (after the error's extensions.retryAfter
# seconds) rather than use a partial answer. The first one listed here that the answer
# holds wins.
WHOLE_ANSWER_CODES = (ErrorCode.SERVICE_UNAVAILABLE, ErrorCode.THROTTLED)
# Where a WebSocket connection's scope keeps its context, for the end of the connection.
_SOCKET = "audience_stats.socket"

logger = logging.getLogger("app.graphql.view")


def is_graphiql_page(scope: Scope) -> bool:
    """A browser asking for the GraphiQL page or a file it loads: neither needs a token."""
    if scope["type"] != "http":
        return False
    if scope["method"] in ("GET", "HEAD") and scope["path"].startswith(f"{ASSETS_PATH}/"):
        return True
    return _is_page_request(scope)


def _is_page_request(scope: Scope) -> bool:
    """A GET of the endpoint without a query (neither its text nor a persisted document's
    hash), accepting HTML."""
    if scope["method"] != "GET" or scope["path"] != GRAPHQL_PATH:
        return False
    accept = Headers(scope=scope).get("accept", "")
    params = QueryParams(scope["query_string"])
    return not ({"query", "extensions", "documentId"} & params.keys()) and (
        "text/html" in accept or "*/*" in accept
    )


def response_media_type(accept: str | None) -> str:
    """application/graphql-response+json when the Accept header lists it at a quality no
    lower than application/json's (a wildcard counts for application/json); otherwise, and
    without an Accept header, application/json."""
    qualities: dict[str, float] = {}
    for media_range in (accept or "").split(","):
        media_type, *params = (part.strip().lower() for part in media_range.split(";"))
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        qualities[media_type] = quality
    wanted = qualities.get(GRAPHQL_RESPONSE, 0.0)
    # The most specific range that matches application/json gives its quality.
    legacy = next((qualities[r] for r in (JSON, "application/*", "*/*") if r in qualities), 0.0)
    return GRAPHQL_RESPONSE if wanted > 0 and wanted >= legacy else JSON


def answer_status(
    errors: list[tuple[ErrorCode, Mapping[str, object]]], *, request_error: bool, media_type: str
) -> tuple[int, Mapping[str, str]]:
    """The HTTP status and extra headers of a GraphQL answer, from its errors' codes (and
    extensions): the one place that decides them."""
    for whole in WHOLE_ANSWER_CODES:
        for code, extensions in errors:
            if code is whole:
                return HTTP_STATUS[code], {"Retry-After": str(extensions.get("retryAfter", 1))}
    if request_error and media_type == GRAPHQL_RESPONSE:
        return max(HTTP_STATUS[code] for code, _ in errors), {}
    return 200, {}


def _coded(errors: object) -> list[tuple[ErrorCode, Mapping[str, object]]]:
    """The errors' extensions.code and extensions, in order; one without a known code counts
    as internal."""
    coded = []
    for error in errors if isinstance(errors, list) else ():
        extensions = (error.get("extensions") if isinstance(error, dict) else None) or {}
        try:
            code = ErrorCode(str(extensions.get("code")))
        except ValueError:
            code = ErrorCode.INTERNAL_SERVER_ERROR
        coded.append((code, extensions))
    return coded


def _is_request_error(response_data: GraphQLHTTPResponse) -> bool:
    """Errors and no data, and no error at a field: parsing, validation or variable coercion
    failed (or a limit), so execution never started."""
    errors = response_data.get("errors")
    return (
        response_data.get("data") is None
        and bool(errors)
        and not any(isinstance(error, dict) and "path" in error for error in errors or ())
    )


class GraphQLView(GraphQL[Context | SocketContext, None]):
    def __init__(self, limits: LiveLimits, origins: Sequence[str], documents: Documents) -> None:
        self.documents = documents
        super().__init__(
            schema,
            # Strawberry's own page loads GraphiQL from a CDN; ours is served by the app.
            graphql_ide=None,
            # Not the legacy graphql-ws protocol: no client of ours needs it, and Strawberry's
            # handler of it has had authentication bypasses.
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
            max_subscriptions_per_connection=limits.subscriptions_per_connection,
            connection_init_wait_timeout=timedelta(seconds=10),
            # Browsers' WebSockets obey the origins that CORS allows to call the API.
            allowed_origins=tuple(origins),
        )
        self._connections_per_token = limits.connections_per_token
        self.graphql_transport_ws_handler_class = SocketHandler
        self._connections: Counter[str] = Counter()  # open, by token digest

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            try:
                await super().__call__(scope, receive, send)
            finally:
                context = scope.get(_SOCKET)
                if isinstance(context, SocketContext) and context.token_digest:
                    self._connections[context.token_digest] -= 1
                    if not self._connections[context.token_digest]:
                        del self._connections[context.token_digest]
            return
        response: Response
        request = Request(scope, receive)
        if _is_page_request(scope):
            # The page needs no token, so it is answered before get_context asks for one.
            response = await graphiql_page(request)
        else:
            media_type = response_media_type(request.headers.get("accept"))
            try:
                response = await self.run(request)
            except HTTPException as error:
                # Strawberry answers a malformed request in plain text; ours carry a code.
                body = graphql_error_body(ErrorCode.BAD_USER_INPUT, error.reason)
                response = JSONResponse(
                    body,
                    status_code=error.status_code,
                    headers={"Vary": "Accept"},
                    media_type=_CONTENT_TYPE[media_type],
                )
            except (PersistedQueryError, BadInput) as error:  # a document that cannot run
                status, headers = answer_status(
                    [(error.code, {})], request_error=True, media_type=media_type
                )
                response = JSONResponse(
                    graphql_error_body(error.code, error.message),
                    status_code=status,
                    headers={"Vary": "Accept", **headers},
                    media_type=_CONTENT_TYPE[media_type],
                )
        await response(scope, receive, send)

    def should_render_graphql_ide(self, request: BaseRequestProtocol) -> bool:
        # The page is answered in __call__; a GET without a query text may name a document.
        return False

    async def get_sub_response(self, request: Request | WebSocket) -> Response:
        # The sub-response carries the negotiated media type to create_response.
        sub_response = await super().get_sub_response(request)
        sub_response.media_type = response_media_type(request.headers.get("accept"))
        if isinstance(request, Request) and request.method == "GET":
            # The answer is the token's: a browser may keep it, a shared cache must not.
            sub_response.headers["Cache-Control"] = "private"
        return sub_response

    async def parse_http_body(
        self, request: AsyncHTTPRequestAdapter
    ) -> GraphQLRequestData | list[GraphQLRequestData]:
        """The request, its query filled in from the persisted document it names."""
        parsed = await super().parse_http_body(request)
        if isinstance(parsed, list):
            return parsed
        document_id = None
        # documentId is not one of Strawberry's fields: read the body again for it, only
        # where it may be the document's one name (the usual request does not pay this).
        named = isinstance(parsed.extensions, dict) and "persistedQuery" in parsed.extensions
        if not named and (parsed.query is None or self.documents.trusted is not None):
            raw = (
                request.query_params
                if request.method == "GET"
                else self.parse_json(await request.get_body())
            )
            document_id = raw.get("documentId") if isinstance(raw, Mapping) else None
        query = await self.documents.query(parsed.query, parsed.extensions, document_id)
        return replace(parsed, query=query)

    def create_response(
        self, response_data: GraphQLHTTPResponse | list[GraphQLHTTPResponse], sub_response: Response
    ) -> Response:
        media_type = sub_response.media_type or JSON
        if isinstance(response_data, list):  # a batch, were batching enabled
            errors = [error for item in response_data for error in _coded(item.get("errors"))]
            request_error = False
        else:
            errors = _coded(response_data.get("errors"))
            request_error = _is_request_error(response_data)
            if request_error and media_type == GRAPHQL_RESPONSE:
                # A request error has no data entry at all, as the GraphQL spec says.
                response_data = response_data.copy()
                del response_data["data"]
        status, headers = answer_status(errors, request_error=request_error, media_type=media_type)
        response = Response(
            self.encode_json(response_data),
            status_code=status,
            headers={"Vary": "Accept", **headers},
            media_type=_CONTENT_TYPE[media_type],
        )
        response.headers.raw.extend(sub_response.headers.raw)
        response.background = sub_response.background
        return response

    def decode_json(self, data: str | bytes) -> object:
        # Very long numbers and very deep nesting raise more than JSONDecodeError.
        try:
            return json.loads(data)
        except (ValueError, RecursionError):
            raise HTTPException(400, "The request is not valid JSON.") from None

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> Context | SocketContext:
        repository = request.state.repository
        if isinstance(request, WebSocket):  # before connection_init: on_ws_connect authorises
            context = SocketContext(request, repository, request.state.live, request.state.tokens)
            request.scope[_SOCKET] = context
            return context
        workspace_id: int = request.state.workspace_id
        loaders = Loaders(repository, workspace_id)
        return Context(workspace_id, loaders, request.state.budget, request.state.responses)

    async def execute_single(
        self,
        request: Request,
        request_adapter: AsyncHTTPRequestAdapter,
        sub_response: Response,
        context: Context | SocketContext,
        root_value: None,
        request_data: GraphQLRequestData,
    ) -> ExecutionResult:
        """The answer, from the response cache when it holds it (app.graphql.response_cache):
        only its data is kept; the request pays its cost and gets its own cost report."""
        execute = partial(
            super().execute_single, request, request_adapter, sub_response, context, root_value
        )
        query, name, variables = (
            request_data.query,
            request_data.operation_name,
            request_data.variables,
        )
        access = access_of(request.scope)
        if access is not None and isinstance(name, str) and OPERATION_NAME.fullmatch(name):
            access.operation = name
        # Execution refuses what is not a text, a name and a map (and says why).
        well_formed = isinstance(name, str | None) and isinstance(variables, dict | None)
        if not (isinstance(context, Context) and isinstance(query, str) and well_formed):
            return await execute(request_data)
        cache = context.responses
        found_by = response_cache.key(context.workspace_id, query, name, variables)
        answer = cache.get(found_by)
        if answer is not None:
            try:
                await context.budget.charge(answer.requested_cost)
            except AppError:
                pass  # refused: executing words the refusal as any request's
            else:
                status = await context.budget.settle(answer.requested_cost, answer.actual_cost)
                report = cost_report(answer.requested_cost, answer.actual_cost, status)
                return ExecutionResult(data=answer.data, errors=None, extensions={"cost": report})
        heard = cache.heard
        result = await execute(request_data)
        cost: Any = (result.extensions or {}).get("cost") or {}
        requested, actual = cost.get("requestedQueryCost"), cost.get("actualQueryCost")
        if result.data is not None and not result.errors and isinstance(actual, int):
            answer = Answer(result.data, requested, actual, context.loaders.read, heard)
            cache.put(found_by, answer, len(self.encode_json(result.data)))
        return result

    async def on_ws_connect(self, context: Context | SocketContext) -> UnsetType:
        """Accepts the connection for the token of the connection_init payload (`token`, or
        `Authorization` as over HTTP), else of the upgrade request's headers; closes it with
        4403 Forbidden without a valid token, or past the token's connections."""
        assert isinstance(context, SocketContext)
        params = context.connection_params or {}
        given = {k.lower(): v for k, v in params.items() if isinstance(v, str)}
        token = token_from(Headers(given)) or token_from(context.request.headers)
        try:
            digest = hash_token(token)
            workspace_id = await context.tokens.workspace_of(digest) if token else None
        except AppError as error:  # the database is away; the client may try again
            logger.warning("A WebSocket connection was refused: %s", error.message)
            raise ConnectionRejectionError from None
        if workspace_id is None or self._connections[digest] >= self._connections_per_token:
            raise ConnectionRejectionError
        self._connections[digest] += 1
        context.workspace_id, context.token_digest = workspace_id, digest
        context.budget = Budget(context.request.state.buckets, digest)
        return cast(UnsetType, UNSET)  # an ack without a payload


class SocketHandler(BaseGraphQLTransportWSHandler[Context | SocketContext, None]):
    """graphql-transport-ws, with persisted documents: a subscribe message may name its
    document by hash (`extensions.persistedQuery` or `documentId`), as an HTTP request may."""

    view: GraphQLView

    async def handle_subscribe(self, message: SubscribeMessage) -> None:
        payload: Any = message.get("payload")
        if self.connection_acknowledged and isinstance(payload, dict):
            try:
                query = await self.view.documents.query(
                    payload.get("query"), payload.get("extensions"), payload.get("documentId")
                )
            except AppError as error:
                refused = GraphQLError(error.message, extensions={"code": error.code.value})
                await self.send_message(
                    ErrorMessage(id=message["id"], type="error", payload=[refused.formatted])
                )
                return
            if query is not None:
                payload["query"] = query
        await super().handle_subscribe(message)
