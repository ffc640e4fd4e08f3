"""Server processes on localhost: start, wait until they answer, read their peak memory, stop."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
LOGS = ROOT / "bench" / ".data" / "logs"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass(frozen=True, slots=True)
class Server:
    process: subprocess.Popen[bytes]
    url: str

    def peak_rss_kib(self) -> dict[str, int]:
        """VmHWM (peak resident set) of the process and of each of its descendants, by
        "pid role"."""
        return {f"{pid} {role}": hwm for pid, role, hwm in _tree_hwm(self.process.pid)}


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                # The command name in field 2 may hold spaces; the parent pid follows ")".
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def _role(pid: int, top: bool) -> str:
    command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")
    if b"resource_tracker" in command:
        return "multiprocessing resource tracker"
    if b"spawn_main" in command:
        return "worker"
    return "server" if top else "child"


def _tree_hwm(pid: int, top: bool = True) -> Iterator[tuple[int, str, int]]:
    try:
        status = dict(
            line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines()
        )
        role = _role(pid, top)
    except OSError:
        return
    yield pid, role, int(status["VmHWM"].split()[0])
    for child in _children(pid):
        yield from _tree_hwm(child, top=False)


@contextmanager
def running(
    command: Sequence[str], env: Mapping[str, str], name: str, port: int
) -> Iterator[Server]:
    """Run command (which must listen on port) until the block ends; stderr+stdout to a log."""
    LOGS.mkdir(parents=True, exist_ok=True)
    log = (LOGS / f"{name}.log").open("wb")
    # A session of its own, so stopping it reaches uvicorn's worker processes too.
    process = subprocess.Popen(  # noqa: S603 (our own commands)
        list(command),
        env={**os.environ, **env},
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(process, url, name)
        yield Server(process, url)
    finally:
        _stop(process)
        log.close()


def _wait_until_up(process: subprocess.Popen[bytes], url: str, name: str) -> None:
    deadline = time.monotonic() + 120  # serve first migrates the database
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited with {process.returncode}; see {LOGS}/{name}.log")
        try:
            httpx.get(f"{url}/graphql", headers={"accept": "application/json"}, timeout=1)
            return  # any answer (401 without a token) means it serves
        except httpx.TransportError:
            time.sleep(0.1)
    raise RuntimeError(f"{name} did not start in time; see {LOGS}/{name}.log")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGINT)  # uvicorn shuts down gracefully on SIGINT
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def app_command(port: int, workers: int = 1) -> list[str]:
    """`audience-stats serve`, as a user runs it."""
    command = [str(BIN / "audience-stats"), "serve", "--port", str(port)]
    if workers != 1:
        command += ["--workers", str(workers)]
    return command
