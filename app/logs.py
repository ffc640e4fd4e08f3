"""Logs: one access line per request, a request id in every line of that request, and JSON
lines when AUDIENCE_STATS_LOG_FORMAT=json.

The request id comes from the `X-Request-ID` header (up to 128 visible ASCII characters) or
is made, and goes back in the response's `X-Request-ID`. An access line names the method,
path, status, duration, GraphQL operation and workspace: never the token, nor the query
string (REST passes filters there).
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.errors import INTERNAL_MESSAGE, ErrorCode
from app.health import PATHS as HEALTH_PATHS
from app.routes import error_response

REQUEST_ID_HEADER = "X-Request-ID"
_MOST_ID_CHARACTERS = 128
ACCESS = "audience_stats.access"  # where a request's scope keeps what its access line says

request_id: ContextVar[str | None] = ContextVar("request_id", default=None)
access_logger = logging.getLogger("app.access")
logger = logging.getLogger("app")


# A GraphQL name (the spec's Name), short enough for a log line; others are not logged.
OPERATION_NAME = re.compile(r"[_A-Za-z][_0-9A-Za-z]{0,99}")


@dataclass(slots=True)
class Access:
    """What the access line of a request says beyond its method and path, filled in on the
    way (the token's middleware, the GraphQL view)."""

    status: int = 0
    operation: str | None = None
    workspace_id: int | None = None


def access_of(scope: Scope) -> Access | None:
    found = scope.get(ACCESS)
    return found if isinstance(found, Access) else None


def _given_id(headers: Headers) -> str | None:
    given = headers.get(REQUEST_ID_HEADER, "")
    ok = 0 < len(given) <= _MOST_ID_CHARACTERS and given.isascii() and given.isprintable()
    return given if ok and " " not in given else None


class RequestLog:
    """Outermost middleware: the request id, then one access line when the answer is done
    (health checks are left out)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rid = _given_id(Headers(scope=scope)) or uuid.uuid4().hex
        token = request_id.set(rid)
        access = scope[ACCESS] = Access()
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                access.status = message["status"]
                MutableHeaders(scope=message)[REQUEST_ID_HEADER] = rid
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception as error:
            # Starlette's last-resort handler sits outside every middleware: failures are
            # answered here, so that the 500 and its log line carry the request id. No stack
            # trace, SQL or driver text reaches the client; the log has it all.
            logger.error("%s %s failed", scope["method"], scope["path"], exc_info=error)
            if not access.status:  # else the answer has begun, and can only be cut short
                path, internal = scope["path"], ErrorCode.INTERNAL_SERVER_ERROR
                await error_response(path, internal, INTERNAL_MESSAGE)(scope, receive, send_with_id)
        finally:
            if scope["path"] not in HEALTH_PATHS:
                _log_access(scope, access, time.perf_counter() - started)
            request_id.reset(token)


def _log_access(scope: Scope, access: Access, seconds: float) -> None:
    fields = {
        "method": scope["method"],
        "path": scope["path"],
        "status": access.status,
        "duration_ms": round(seconds * 1000, 2),
        "operation": access.operation,
        "workspace_id": access.workspace_id,
    }
    # Texts as Python writes them, escapes and all: a path may decode to a line break.
    text = " ".join(
        f"{k}={v!r}" if isinstance(v, str) else f"{k}={v}"
        for k, v in fields.items()
        if v is not None
    )
    access_logger.info(text, extra={"access": fields})


class RequestIdFilter(logging.Filter):
    """Puts the request id (or "-") on every record, for the formats below."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get() or "-"
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message, request id, and an access
    line's fields."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S") + f".{int(record.msecs):03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None) or request_id.get(),
        }
        line.update(getattr(record, "access", None) or {})
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str)


JsonFormatter.converter = time.gmtime


def log_config(json_lines: bool) -> dict[str, Any]:
    """The logging of a server process (uvicorn applies it in each worker): ours and
    uvicorn's lines through one handler, with request ids (uvicorn's own access log is off:
    ours replaces it)."""
    text = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
    formatter: dict[str, Any] = {"()": "app.logs.JsonFormatter"} if json_lines else {"format": text}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": "app.logs.RequestIdFilter"}},
        "formatters": {"default": formatter},
        "handlers": {
            "default": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stderr",
                "formatter": "default",
                "filters": ["request_id"],
            }
        },
        "loggers": {
            "uvicorn": {"handlers": ["default"], "level": "INFO", "propagate": False},
            "app": {"handlers": ["default"], "level": "INFO", "propagate": False},
        },
    }
