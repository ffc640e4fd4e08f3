"""The per-request GraphQL context."""

from __future__ import annotations

from dataclasses import dataclass, field

from starlette.websockets import WebSocket

from app.auth import Tokens
from app.graphql.response_cache import ResponseCache
from app.live import Live
from app.loaders import Loaders
from app.repository import Repository
from app.throttle import Budget


@dataclass(frozen=True, slots=True)
class Context:
    workspace_id: int
    loaders: Loaders  # every read of the request
    budget: Budget
    responses: ResponseCache


@dataclass(slots=True)
class SocketContext:
    """The context of one WebSocket connection, made before its connection_init: the token
    (in the init payload, or in the upgrade request's headers) sets the workspace and budget
    (app.graphql.view). It serves subscriptions only."""

    request: WebSocket
    repository: Repository
    live: Live
    tokens: Tokens
    connection_params: dict[str, object] | None = None
    workspace_id: int | None = None
    budget: Budget | None = None
    token_digest: str | None = field(default=None, repr=False)

    async def still_authorised(self) -> bool:
        """Whether the connection's token is still valid: a revoked token's subscriptions
        end within the bound of `Tokens`, as its requests do."""
        assert self.token_digest is not None
        found = await self.tokens.workspace_of(self.token_digest)
        return found is not None and found == self.workspace_id
