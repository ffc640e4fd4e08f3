"""The app served by uvicorn in one process under pyinstrument, for the throughput profile.

Sampling starts on SIGUSR1 and stops on SIGUSR2, which saves the session to --out, so the
profile covers the load alone, not start-up or idle time. SIGINT stops the server.
"""

from __future__ import annotations

import argparse
import signal
from pathlib import Path
from types import FrameType

import uvicorn
from pyinstrument import Profiler

from app.app import create_app
from app.settings import Settings

INTERVAL = 0.0005  # seconds between samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    # Whatever the event loop thread does, task or not: a server has no single call tree.
    profiler = Profiler(interval=INTERVAL, async_mode="disabled")

    def start(_signal: int, _frame: FrameType | None) -> None:
        profiler.start()

    def stop(_signal: int, _frame: FrameType | None) -> None:
        partial = args.out.with_suffix(".partial")
        profiler.stop().save(partial)
        partial.rename(args.out)  # whole, or not there yet

    signal.signal(signal.SIGUSR1, start)
    signal.signal(signal.SIGUSR2, stop)
    settings = Settings.from_env()
    uvicorn.run(create_app(settings), host="127.0.0.1", port=args.port)


if __name__ == "__main__":
    main()
