"""`audience-stats serve` run as a user runs it: a subprocess on a free port."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

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
    # A file, not a pipe: a server that logs a line a request would fill a pipe nobody reads
    # while it runs, and block on it.
    with tempfile.TemporaryFile() as stderr:
        process = subprocess.Popen(
            [command, "serve", "--port", str(port)],
            cwd=cwd,
            env={**os.environ, **(env or {})},
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
        server = Server(f"http://127.0.0.1:{port}")
        try:
            _wait_until_up(server.url, process)
            yield server
        except Exception as error:
            _stop(process, server, stderr)
            error.add_note(f"The server's stderr:\n{server.stderr.decode(errors='replace')}")
            raise
        finally:
            _stop(process, server, stderr)


def _stop(process: subprocess.Popen[bytes], server: Server, stderr: IO[bytes]) -> None:
    if not server.stopped:
        process.terminate()
        process.wait(timeout=10)
        stderr.seek(0)
        server.stderr = stderr.read()
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
