"""Health for load balancers and orchestrators: /healthz says the process answers (no
database call), /readyz that the database answers and its schema is at the newest migration.
Both are public, cost no rate budget, and are left out of the access log (app.logs)."""

from __future__ import annotations

import asyncio
import logging

import sqlalchemy as sa
from starlette.requests import Request
from starlette.responses import JSONResponse

from app.outages import outage_kind

HEALTH_PATH = "/healthz"
READY_PATH = "/readyz"
PATHS = frozenset({HEALTH_PATH, READY_PATH})

logger = logging.getLogger("app.health")


async def healthz(_request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> JSONResponse:
    """200 when the database answers within the connect timeout and its schema is the newest
    migration's; 503 with the reason otherwise."""
    head, timeout = request.state.newest_migration, request.state.connect_timeout
    try:
        async with asyncio.timeout(timeout), request.state.engine.connect() as conn:
            version = await conn.scalar(sa.text("SELECT version_num FROM alembic_version"))
    except Exception as error:  # any failure is a reason not to be ready
        kind = outage_kind(error)
        if kind is not None:
            return _unavailable(f"the database cannot be reached: {kind}")
        if "alembic_version" in str(error):  # no such table
            return _unavailable("the schema is not created: run `audience-stats load` or serve")
        logger.warning("The readiness check failed", exc_info=error)
        return _unavailable(f"the database failed ({type(error).__name__})")
    if version != head:
        return _unavailable(f"the schema is at migration {version}, the newest is {head}")
    return JSONResponse({"status": "ready", "migration": head})


def _unavailable(reason: str) -> JSONResponse:
    return JSONResponse({"status": "unavailable", "reason": reason}, status_code=503)
