"""`audience-stats serve` run as a user runs it: a subprocess on a free port."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

STARTUP_SECONDS = 60


@dataclass
class Server:
    url: str
    # What the server wrote to stderr, once it has stopped.
    stderr: bytes = b""
    stopped: bool = False


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def serve(cwd: Path, env: Mapping[str, str] | None = None) -> Iterator[Server]:
    """Runs `audience-stats serve` in cwd until the block ends; yields once it answers."""
    port = free_port()
    command = Path(sys.executable).parent / "audience-stats"
    process = subprocess.Popen(
        [command, "serve", "--port", str(port)],
        cwd=cwd,
        env={**os.environ, **(env or {})},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    server = Server(f"http://127.0.0.1:{port}")
    try:
        _wait_until_up(server.url, process)
        yield server
    except Exception as error:
        _stop(process, server)
        error.add_note(f"The server's stderr:\n{server.stderr.decode(errors='replace')}")
        raise
    finally:
        _stop(process, server)


def _stop(process: subprocess.Popen[bytes], server: Server) -> None:
    if not server.stopped:
        process.terminate()
        _, server.stderr = process.communicate(timeout=10)
        server.stopped = True


def _wait_until_up(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode} before answering")
        try:
            # The GraphiQL page needs no token, so it tells when the server is up.
            httpx.get(f"{url}/graphql", headers={"Accept": "text/html"})
        except httpx.TransportError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
            continue
        return
