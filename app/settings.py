"""Settings, read once from the environment."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./audience_stats.db"


@dataclass(frozen=True, slots=True)
class Timeouts:
    """How long the server waits, in seconds, before it answers 503 SERVICE_UNAVAILABLE."""

    connect: float = 5.0  # for a database connection: a new one, or a free one of the pool
    statement: float = 10.0  # for one SQL statement (PostgreSQL's statement_timeout too)
    request: float = 15.0  # for a whole request, until its answer starts


@dataclass(frozen=True, slots=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    host: str = "127.0.0.1"
    port: int = 8000
    # Browser dashboards on other origins may call the API: tokens travel in headers, never
    # in cookies, so allowing any origin exposes nothing a token does not already grant.
    cors_origins: tuple[str, ...] = ("*",)
    # How often each server process folds PostgreSQL's rollup deltas into the rollup. Stats
    # read the deltas too, so this bounds their number, not how fresh the numbers are.
    compact_seconds: float = 1.0
    timeouts: Timeouts = Timeouts()
    # A request body above this is refused unread (413): the largest document allowed
    # (50,000 characters) and its variables fit many times over.
    max_body_bytes: int = 256 * 1024

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> Settings:
        defaults = cls()
        port = env.get("AUDIENCE_STATS_PORT") or str(defaults.port)
        if not port.isdigit():
            raise ValueError(f"AUDIENCE_STATS_PORT must be a port number, got {port!r}")
        origins = env.get("AUDIENCE_STATS_CORS_ORIGINS")
        body = env.get("AUDIENCE_STATS_MAX_BODY_BYTES") or str(defaults.max_body_bytes)
        if not (body.isascii() and body.isdigit() and int(body) > 0):
            raise ValueError(f"AUDIENCE_STATS_MAX_BODY_BYTES must be bytes above 0, got {body!r}")
        timeouts = defaults.timeouts
        return cls(
            database_url=env.get("DATABASE_URL") or defaults.database_url,
            host=env.get("AUDIENCE_STATS_HOST") or defaults.host,
            port=int(port),
            cors_origins=defaults.cors_origins
            if origins is None
            else tuple(o.strip() for o in origins.split(",") if o.strip()),
            compact_seconds=_seconds(
                env, "AUDIENCE_STATS_COMPACT_SECONDS", defaults.compact_seconds
            ),
            timeouts=Timeouts(
                connect=_seconds(env, "AUDIENCE_STATS_DB_CONNECT_TIMEOUT", timeouts.connect),
                statement=_seconds(env, "AUDIENCE_STATS_DB_STATEMENT_TIMEOUT", timeouts.statement),
                request=_seconds(env, "AUDIENCE_STATS_REQUEST_TIMEOUT", timeouts.request),
            ),
            max_body_bytes=int(body),
        )


def _seconds(env: Mapping[str, str], name: str, default: float) -> float:
    text = env.get(name) or str(default)
    try:
        seconds = float(text)
    except ValueError:
        seconds = 0
    if not 0 < seconds < 86_400:
        raise ValueError(f"{name} must be seconds above 0 (and below a day), got {text!r}")
    return seconds
