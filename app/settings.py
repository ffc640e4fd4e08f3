"""Settings, read once from the environment."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./audience_stats.db"


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

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> Settings:
        defaults = cls()
        port = env.get("AUDIENCE_STATS_PORT") or str(defaults.port)
        if not port.isdigit():
            raise ValueError(f"AUDIENCE_STATS_PORT must be a port number, got {port!r}")
        origins = env.get("AUDIENCE_STATS_CORS_ORIGINS")
        compact = env.get("AUDIENCE_STATS_COMPACT_SECONDS") or str(defaults.compact_seconds)
        try:
            compact_seconds = float(compact)
        except ValueError:
            compact_seconds = 0
        if not 0 < compact_seconds < 86_400:
            raise ValueError(
                f"AUDIENCE_STATS_COMPACT_SECONDS must be seconds above 0, got {compact!r}"
            )
        return cls(
            database_url=env.get("DATABASE_URL") or defaults.database_url,
            host=env.get("AUDIENCE_STATS_HOST") or defaults.host,
            port=int(port),
            cors_origins=defaults.cors_origins
            if origins is None
            else tuple(o.strip() for o in origins.split(",") if o.strip()),
            compact_seconds=compact_seconds,
        )
