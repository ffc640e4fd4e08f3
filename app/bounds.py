"""Bounds on every HTTP request: the size of its body, and the time until its answer starts."""

from __future__ import annotations

import asyncio
import logging

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.errors import ErrorCode, TooLarge, Unavailable
from app.routes import error_response

logger = logging.getLogger("app.bounds")


def too_large(limit: int) -> TooLarge:
    return TooLarge(f"The request body is larger than {limit} bytes.")


class RequestBounds:
    """Refuses a body above max_body_bytes with 413, reading no more of it than that, and
    answers 503 when the answer has not started within timeout seconds."""

    def __init__(self, app: ASGIApp, max_body_bytes: int, timeout: float) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.timeout = timeout
        self._abandoned: set[asyncio.Future[None]] = set()  # cancelled, still cleaning up

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.max_body_bytes
        declared = Headers(scope=scope).get("content-length", "")
        if declared.isascii() and declared.isdigit() and int(declared) > limit:
            error = too_large(limit)
            await error_response(scope["path"], error.code, error.message)(scope, receive, send)
            return
        received = 0

        async def bounded_receive() -> Message:
            # A chunked body declares no length: count it as it comes.
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise too_large(limit)  # answered by the app's AppError handler
            return message

        answering = asyncio.Event()
        timed_out = False

        async def timed_send(message: Message) -> None:
            if timed_out:  # the 503 went out instead
                return
            if message["type"] == "http.response.start":
                answering.set()  # the answer is on its way: let it finish
            await send(message)

        handling = asyncio.ensure_future(self.app(scope, bounded_receive, timed_send))
        started = asyncio.ensure_future(answering.wait())
        try:
            await asyncio.wait(
                {handling, started}, timeout=self.timeout, return_when=asyncio.FIRST_COMPLETED
            )
        except asyncio.CancelledError:  # the server gave up on the request: so does the work
            handling.cancel()
            raise
        finally:
            started.cancel()
        if handling.done() or answering.is_set():
            await handling
            return
        # Answer now; the request's work is cancelled and cleans up after the answer (closing
        # a connection to a database that does not answer can itself take a while).
        timed_out = True
        handling.cancel()
        self._abandoned.add(handling)
        handling.add_done_callback(self._forget)
        message = f"The request took longer than {self.timeout:g} s."
        response = error_response(
            scope["path"], ErrorCode.SERVICE_UNAVAILABLE, message, headers=Unavailable.headers
        )
        await response(scope, receive, send)

    def _forget(self, task: asyncio.Future[None]) -> None:
        self._abandoned.discard(task)
        if not task.cancelled() and task.exception() is not None:
            logger.warning(
                "A request past its time failed while it was cancelled: %r", task.exception()
            )
