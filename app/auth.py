"""Token authentication: the request's workspace, resolved once, in middleware."""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from app.errors import AppError, ErrorCode
from app.logs import access_of
from app.repository import Repository
from app.routes import error_response
from app.throttle import Budget
from app.tokens import hash_token

MISSING = (
    "An API token is required: send it in the `token` header or as `Authorization: Bearer <token>`."
)
INVALID = "The API token is unknown or revoked."


def token_from(headers: Headers) -> str:
    """The token of the `token` header, else of `Authorization` (bare or `Bearer <token>`)."""
    token = headers.get("token", "").strip()
    if token:
        return token
    authorization = headers.get("authorization", "").strip()
    scheme, _, rest = authorization.partition(" ")
    return rest.strip() if scheme.lower() == "bearer" else authorization


class Tokens:
    """The workspaces of tokens, each remembered for `seconds` after the database named it:
    a revoked token is refused within that bound in every process. An unknown token is
    asked of the database each time, so a token made a moment ago works at once."""

    def __init__(self, repository: Repository, seconds: float, most: int = 10_000) -> None:
        self._repository = repository
        self._seconds = seconds
        self._most = most
        self._found: OrderedDict[str, tuple[int, float]] = OrderedDict()  # by digest, LRU

    async def workspace_of(self, digest: str) -> int | None:
        """The workspace of the token of that digest (app.tokens.hash_token), else None."""
        found = self._found.get(digest)
        if found is not None and time.monotonic() - found[1] < self._seconds:
            self._found.move_to_end(digest)
            return found[0]
        read_at = time.monotonic()  # before the read: the bound counts from what it saw
        workspace_id = await self._repository.workspace_for_token_hash(digest)
        if workspace_id is None:
            self._found.pop(digest, None)
            return None
        self._found[digest] = (workspace_id, read_at)
        self._found.move_to_end(digest)
        if len(self._found) > self._most:
            self._found.popitem(last=False)
        return workspace_id


class TokenAuth:
    """Puts the token's workspace id in `request.state.workspace_id` and its rate budget in
    `request.state.budget`, or answers 401.

    Requests for which `is_public(scope)` holds pass without a token.
    """

    def __init__(self, app: ASGIApp, is_public: Callable[[Scope], bool]) -> None:
        self.app = app
        self.is_public = is_public

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.is_public(scope):
            await self.app(scope, receive, send)
            return
        token = token_from(Headers(scope=scope))
        tokens: Tokens = scope["state"]["tokens"]
        digest = hash_token(token)
        try:
            workspace_id = await tokens.workspace_of(digest) if token else None
        except AppError as error:  # the database is away: this middleware answers itself
            response = error_response(
                scope["path"], error.code, error.message, headers=error.response_headers()
            )
            await response(scope, receive, send)
            return
        if workspace_id is None:
            response = error_response(
                scope["path"],
                ErrorCode.UNAUTHENTICATED,
                INVALID if token else MISSING,
                headers={"WWW-Authenticate": "Bearer"},
            )
            await response(scope, receive, send)
            return
        if (access := access_of(scope)) is not None:
            access.workspace_id = workspace_id
        # A new dict: the server's lifespan state is shared, this request's caller is not.
        # The caller's rate budget is keyed by the token's digest, never the token itself.
        scope["state"] = {
            **scope["state"],
            "workspace_id": workspace_id,
            "budget": Budget(scope["state"]["buckets"], digest),
        }
        await self.app(scope, receive, send)
