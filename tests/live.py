"""A served app and a graphql-transport-ws client, for the live-stats tests."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any

import uvicorn
import websockets
from websockets.asyncio.client import ClientConnection

from app.app import create_app
from app.settings import Settings
from tests.server import free_port

PROTOCOL = "graphql-transport-ws"
WAIT = 10.0  # seconds for an expected message


@asynccontextmanager
async def served(settings: Settings) -> AsyncIterator[str]:
    """The app under uvicorn on a free port, in this process; yields its WebSocket URL."""
    port = free_port()
    config = uvicorn.Config(
        create_app(settings),
        host="127.0.0.1",
        port=port,
        log_level="warning",
        ws_max_size=settings.max_body_bytes,
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.01)
    try:
        yield f"ws://127.0.0.1:{port}/graphql"
    finally:
        server.should_exit = True
        await task


class Socket:
    """One client connection speaking graphql-transport-ws."""

    def __init__(self, connection: ClientConnection) -> None:
        self.connection = connection

    async def send(self, message: Mapping[str, Any]) -> None:
        await self.connection.send(json.dumps(message))

    async def receive(self, seconds: float = WAIT) -> dict[str, Any]:
        message: dict[str, Any] = json.loads(
            await asyncio.wait_for(self.connection.recv(), seconds)
        )
        return message

    async def subscribe(
        self, id: str, query: str, variables: Mapping[str, Any] | None = None
    ) -> None:
        await self.send(
            {
                "id": id,
                "type": "subscribe",
                "payload": {"query": query, "variables": variables or {}},
            }
        )

    async def next_data(self, id: str) -> dict[str, Any]:
        """The data of the operation's next push; fails on anything else."""
        message = await self.receive()
        assert message.get("id") == id, message
        assert message["type"] == "next", message
        assert "errors" not in message["payload"], message
        data: dict[str, Any] = message["payload"]["data"]
        return data

    async def silent(self, seconds: float) -> None:
        """Nothing arrives for that long."""
        try:
            message = await self.receive(seconds)
        except TimeoutError:
            return
        raise AssertionError(f"unexpected message: {message}")


@asynccontextmanager
async def connected(
    url: str,
    payload: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
    subprotocol: str = PROTOCOL,
) -> AsyncIterator[Socket]:
    """A connection that has sent connection_init with the payload (not yet acknowledged)."""
    async with websockets.connect(
        url,
        subprotocols=[subprotocol],
        additional_headers=headers,
        open_timeout=WAIT,
    ) as connection:
        socket = Socket(connection)
        await socket.send({"type": "connection_init", "payload": dict(payload or {})})
        yield socket


@asynccontextmanager
async def acknowledged(url: str, token: str) -> AsyncIterator[Socket]:
    async with connected(url, {"token": token}) as socket:
        assert await socket.receive() == {"type": "connection_ack"}
        yield socket
