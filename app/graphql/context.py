"""The per-request GraphQL context."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field

from starlette.websockets import WebSocket

from app.live import Live
from app.loaders import Loaders
from app.repository import Repository
from app.throttle import Budget


@dataclass(frozen=True, slots=True)
class Context:
    workspace_id: int
    repository: Repository
    loaders: Loaders
    budget: Budget


TOKEN_CHECK_SECONDS = 5.0


@dataclass(slots=True)
class SocketContext:
    """The context of one WebSocket connection, made before its connection_init: the token
    (in the init payload, or in the upgrade request's headers) sets the workspace and budget
    (app.graphql.view). It serves subscriptions only."""

    request: WebSocket
    repository: Repository
    live: Live
    connection_params: dict[str, object] | None = None
    workspace_id: int | None = None
    budget: Budget | None = None
    token_digest: str | None = field(default=None, repr=False)
    checked_at: float = 0.0  # when the token was last found valid (time.monotonic)
    # One check at a time: the subscriptions of a connection push in the same tick.
    checking: asyncio.Lock = field(default_factory=asyncio.Lock, repr=False)

    async def still_authorised(self) -> bool:
        """Whether the connection's token is still valid, asked again at most every
        TOKEN_CHECK_SECONDS: a revoked token's subscriptions end within that bound."""
        async with self.checking:
            if time.monotonic() - self.checked_at < TOKEN_CHECK_SECONDS:
                return True
            assert self.token_digest is not None
            found = await self.repository.workspace_for_token_hash(self.token_digest)
            if found is None or found != self.workspace_id:
                return False
            self.checked_at = time.monotonic()
            return True
