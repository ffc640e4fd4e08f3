"""The ASGI application: routes, middleware and lifespan."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.types import Scope

from app.auth import TokenAuth, Tokens
from app.bounds import RequestBounds
from app.changes import changes_of
from app.db import create_engine, newest_migration
from app.errors import AppError, ErrorCode
from app.graphiql.page import ASSETS_PATH, graphiql_assets
from app.graphql.documents import Documents, load_trusted, store_for
from app.graphql.response_cache import ResponseCache
from app.graphql.schema import schema
from app.graphql.view import GraphQLView, is_graphiql_page
from app.health import HEALTH_PATH, READY_PATH, healthz, readyz
from app.health import PATHS as HEALTH_PATHS
from app.live import Live
from app.logs import REQUEST_ID_HEADER, RequestLog
from app.repository import Repository
from app.rest import audience_list, campaign_audience_breakdown, campaign_audience_stats
from app.rollups import compact_every
from app.routes import BREAKDOWN_PATH, GRAPHQL_PATH, LIST_PATH, STATS_PATH, error_response
from app.settings import Settings
from app.throttle import buckets_for

logger = logging.getLogger("app")


def create_app(settings: Settings | None = None) -> Starlette:
    settings = settings or Settings.from_env()

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[dict[str, Any]]:
        engine = create_engine(settings.database_url, settings.timeouts, settings.pool_size)
        compacting = None
        if engine.dialect.name == "postgresql":
            compacting = asyncio.create_task(compact_every(engine, settings.compact_seconds))
        buckets = buckets_for(settings.rate_limits, settings.redis_url, settings.redis_prefix)
        repository = Repository(engine)
        # Kept answers are served while the change signal is read every two ticks or sooner.
        responses = ResponseCache(settings.response_cache_size, 2 * settings.live.interval)
        changes = changes_of(engine, settings.timeouts.connect)
        live = Live(repository, changes, settings.live.interval, heard=responses.changed)
        pushing = asyncio.create_task(live.run())
        try:
            yield {
                "engine": engine,
                "newest_migration": newest,
                "connect_timeout": settings.timeouts.connect,
                "repository": repository,
                "tokens": Tokens(repository, settings.token_cache_seconds),
                "buckets": buckets,
                "live": live,
                "responses": responses,
            }
        finally:
            pushing.cancel()
            with suppress(asyncio.CancelledError):
                await pushing
            await buckets.close()
            await documents.store.close()
            if compacting:
                compacting.cancel()
                with suppress(asyncio.CancelledError):
                    await compacting
            await engine.dispose()

    newest = newest_migration()
    trusted = None
    if settings.trusted_documents is not None:
        trusted = load_trusted(settings.trusted_documents, schema._schema)
    documents = Documents(store_for(settings.redis_url, settings.redis_prefix), trusted)
    graphql = GraphQLView(settings.live, settings.cors_origins, documents)
    return Starlette(
        routes=[
            Route(GRAPHQL_PATH, graphql, methods=["GET", "POST"]),
            WebSocketRoute(GRAPHQL_PATH, graphql),
            Route(STATS_PATH, campaign_audience_stats),
            Route(LIST_PATH, audience_list),
            Route(BREAKDOWN_PATH, campaign_audience_breakdown),
            Route(HEALTH_PATH, healthz),
            Route(READY_PATH, readyz),
            Mount(ASSETS_PATH, graphiql_assets()),
        ],
        middleware=[
            # Outermost: every request, a refused one too, has its id and its access line.
            Middleware(RequestLog),
            # Next, so that preflight requests are answered without a token, and every
            # answer, a refusal too, carries the CORS headers a browser needs to read it.
            Middleware(
                CORSMiddleware,
                allow_origins=settings.cors_origins,
                allow_methods=["GET", "POST"],
                allow_headers=["token", "authorization", "content-type", REQUEST_ID_HEADER],
                expose_headers=[REQUEST_ID_HEADER],
            ),
            Middleware(
                RequestBounds,
                max_body_bytes=settings.max_body_bytes,
                timeout=settings.timeouts.request,
            ),
            Middleware(TokenAuth, is_public=_is_public),
        ],
        exception_handlers={
            AppError: _app_error,
            ClientDisconnect: _client_gone,
            HTTPException: _http_error,
        },
        lifespan=lifespan,
    )


def _is_public(scope: Scope) -> bool:
    """The GraphiQL page and its files, and the health checks, need no token."""
    return scope.get("path") in HEALTH_PATHS or is_graphiql_page(scope)


async def _app_error(request: Request, error: Exception) -> Response:
    """Errors the client can mend (GraphQL answers its own; these come from REST)."""
    assert isinstance(error, AppError)
    return error_response(
        request.url.path, error.code, error.message, headers=error.response_headers()
    )


async def _client_gone(request: Request, error: Exception) -> Response:
    # Not a server error: nobody is left to answer, and one line says enough.
    logger.info(
        "%s %s: the client went away before sending its whole request",
        request.method,
        request.url.path,
    )
    return Response(status_code=400)


async def _http_error(request: Request, error: Exception) -> Response:
    """Unknown paths and methods, answered in the error shape of the API."""
    assert isinstance(error, HTTPException)
    code = ErrorCode.NOT_FOUND if error.status_code == 404 else ErrorCode.BAD_USER_INPUT
    return error_response(
        request.url.path, code, error.detail, status=error.status_code, headers=error.headers
    )
