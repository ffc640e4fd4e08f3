"""A plain Starlette route answering a constant JSON body: the limit of the HTTP stack that
the GraphQL endpoint is compared with in the throughput case.

    BENCH_PLAIN_BODY='{"data":…}' python -m bench.plain_app --port 8001 --workers 2
"""

from __future__ import annotations

import argparse
import os

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from app.server import serve
from app.settings import Settings

BODY = os.environ.get("BENCH_PLAIN_BODY", '{"data":null}').encode()


async def constant(request: Request) -> Response:
    await request.body()  # read it, as the GraphQL endpoint does
    return Response(BODY, media_type="application/json")


app = Starlette(routes=[Route("/graphql", constant, methods=["GET", "POST"])])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8001)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument(
        "--pure-python",
        action="store_true",
        help="uvicorn's HTTP parser and event loop in Python (h11, asyncio), one process",
    )
    args = parser.parse_args()
    if args.pure_python:  # the stack of the route that issue 13's table measured
        uvicorn.run(app, host=args.host, port=args.port, http="h11", loop="asyncio")
        return
    # The same uvicorn settings as `audience-stats serve`.
    serve(
        "bench.plain_app:app",
        factory=False,
        host=args.host,
        port=args.port,
        max_message_bytes=Settings().max_body_bytes,
        workers=args.workers,
    )


if __name__ == "__main__":
    main()
