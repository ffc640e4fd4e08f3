"""Serving an ASGI app under uvicorn, in one process or in several."""

from __future__ import annotations

import socket
from contextlib import suppress

import uvicorn
from uvicorn.supervisors import Multiprocess

from app.logs import log_config

# A WebSocket that has not answered a ping within this many seconds is dropped; a ping goes
# out after as long without one (idle subscription sockets included).
PING_SECONDS = 20.0


class NoDelayConfig(uvicorn.Config):
    """uvicorn's settings, with TCP_NODELAY on the socket it binds for worker processes.

    uvicorn binds that socket without IPPROTO_TCP, so asyncio leaves Nagle's algorithm on for
    the connections it accepts, and every keep-alive request after the first waits about 40 ms
    for a delayed ACK (https://github.com/Kludex/uvicorn/issues/3149). Accepted sockets take
    the option from the listening one.
    """

    def bind_socket(self) -> socket.socket:
        sock = super().bind_socket()
        if sock.family in (socket.AF_INET, socket.AF_INET6):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return sock


def serve(
    app: str,
    *,
    factory: bool,
    host: str,
    port: int,
    max_message_bytes: int,
    workers: int = 1,
    json_logs: bool = False,
) -> None:
    """Serve the app at the import string; several workers share one listening socket, and
    each imports the app (or calls the factory) itself. A WebSocket message over
    `max_message_bytes` closes its connection (1009), as a body over the cap is refused, and
    a WebSocket that stops answering pings is closed."""
    config = NoDelayConfig(
        app,
        factory=factory,
        host=host,
        port=port,
        workers=workers,
        log_config=log_config(json_logs),
        access_log=False,  # app.logs writes the access lines, with request ids
        ws_max_size=max_message_bytes,
        ws_ping_interval=PING_SECONDS,
        ws_ping_timeout=PING_SECONDS,
    )
    with suppress(KeyboardInterrupt):  # as uvicorn.run does
        if workers == 1:
            uvicorn.Server(config).run()
        else:
            Multiprocess(config, sockets=[config.bind_socket()]).run()
